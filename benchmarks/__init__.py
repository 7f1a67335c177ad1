"""Performance benchmarks of the transfer kernel, the machine, the whole model and the cold start.

One module per measurement, each runnable alone (`python -m benchmarks.kernel`, `.machine`, `.model`,
`.cold_start`) and writing its own CSV table to results/benchmarks/; `python -m benchmarks.report`
turns the tables into results/benchmarks/benchmarks.md against the targets, and `python -m benchmarks
[--quick]` runs all four and then the report. `benchmarks.sweep` and `benchmarks.dashboard` measure
sweep throughput and the dashboard's frame rate on their own. See docs/PERFORMANCE.md.
"""
