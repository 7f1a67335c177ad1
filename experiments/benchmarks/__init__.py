"""Performance benchmarks of the transfer kernel and the whole model (see docs/PERFORMANCE.md)."""
