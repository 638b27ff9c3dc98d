# Benchmarks: `make bench` (full, ~8-10 min on 2 cores) or `make bench BENCH_ARGS=--quick`.
# Included by the top-level Makefile; also works alone: `make -f mk/bench.mk bench`.
# Starts its own DynamoDB Local, gateway and hand-written baselines; prints a table and
# issue 15's goals (met/missed) and writes bench/results/latest.json. Ratios against
# baselines of the same run are the headline. Other options, e.g.
# `make bench BENCH_ARGS="--only product_page --before path/to/earlier/latest.json"`.
BENCH_PY ?= .venv/bin/python
BENCH_ARGS ?=

.PHONY: bench
bench:
	@$(MAKE) --no-print-directory -f Makefile install
	@$(BENCH_PY) -m graph.local.dynamodb_local install >/dev/null
	@$(BENCH_PY) -m bench $(BENCH_ARGS)
