"""Run the benchmark suite: `python -m experiments.benchmarks [--quick] [--only kernel,memory,model,cold]`."""

from .run import main

main()
