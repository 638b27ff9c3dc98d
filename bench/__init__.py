"""Benchmarks of Resale Graph: `make bench` or `python -m bench [--quick]`."""
