# Resale Graph: `make dev` serves the playground; `make test` runs lint and the tests.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
export PIP_DISABLE_PIP_VERSION_CHECK := 1

.PHONY: install dev test lint fmt clean dynamodb-local

include $(wildcard mk/*.mk)

$(STAMP): pyproject.toml
	@echo "==> creating $(VENV) with $(PYTHON)"
	@$(PYTHON) -c "import sys; assert sys.version_info >= (3, 11), \"Python 3.11+ is needed; set PYTHON=...\"" 
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	@$(BIN)/pip install -q --upgrade pip > $(VENV)/pip.log 2>&1 || { cat $(VENV)/pip.log; exit 1; }
	@echo "==> installing the gateway and its dev/test tools (first run: about a minute)"
	@$(BIN)/pip install -q -e '.[test,lint]' >> $(VENV)/pip.log 2>&1 || { cat $(VENV)/pip.log; exit 1; }
	@touch $(STAMP)

install: $(STAMP)

dynamodb-local: $(STAMP)
	@$(BIN)/python -m graph.local.dynamodb_local install

## dev: install, start DynamoDB Local, create tables, load demo data, serve GraphiQL on :8000
##      and the demo storefronts with the widget on :8001 (a second origin)
dev: install dynamodb-local playground-assets
	@$(BIN)/graph dev

## lint: ruff (lint + format check), mypy, and the import contracts (layers, no cycles, the
##       store as the only door to AWS) of pyproject.toml [tool.importlinter]
lint: install
	@echo "==> ruff"
	@$(BIN)/ruff check graph tenants tests bench
	@$(BIN)/ruff format --check graph tenants tests bench
	@echo "==> mypy"
	@$(BIN)/mypy
	@echo "==> import contracts (lint-imports)"
	@$(BIN)/lint-imports --no-cache

fmt: install
	@$(BIN)/ruff format graph tenants tests bench
	@$(BIN)/ruff check --fix graph tenants tests bench

## test: lint, then pytest in one worker per core (at most 4; TEST_WORKERS=0 runs in this
##       process), each worker with its own DynamoDB Local and local S3 server
TEST_WORKERS ?= auto
test: lint dynamodb-local infra-tools playground-assets browser codegen-tools node-tests-deps widget-tools
	@echo "==> pytest ($(TEST_WORKERS) workers)"
	@$(BIN)/pytest -n $(TEST_WORKERS) --maxprocesses 4 --dist loadgroup --durations=20

clean:
	rm -rf $(VENV) .venv-* .cache .dev .pytest_cache .mypy_cache .ruff_cache dist build
