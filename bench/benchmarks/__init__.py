"""One module per benchmark, each exporting `BENCHMARK` (listed in bench/run.py)."""
