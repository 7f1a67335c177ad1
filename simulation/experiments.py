"""Deprecated alias: the pattern experiments moved to the top-level package `experiments` (the design's
`experiments/` folder). `import simulation.experiments` still works, with a DeprecationWarning, and is
the same package."""

import sys
import warnings

import experiments

warnings.warn("simulation.experiments is deprecated: import experiments instead", DeprecationWarning, stacklevel=2)
sys.modules[__name__] = experiments
