# The Node tests' npm packages (included by the Makefile; runs from the repo root).
#   make node-tests-deps  install the pinned packages of tests/node (the real graphql-ws
#                         client and ws) into .cache/node-tests with npm ci (once; a stamp
#                         makes later runs instant until the pins change)
NODE_TESTS_SRC := tests/node
NODE_TESTS_DIR := .cache/node-tests
NODE_TESTS_STAMP := $(NODE_TESTS_DIR)/.installed
NODE_TESTS_PINS := $(NODE_TESTS_SRC)/package.json $(NODE_TESTS_SRC)/package-lock.json

.PHONY: node-tests-deps

$(NODE_TESTS_STAMP): $(NODE_TESTS_PINS)
	@command -v npm >/dev/null || { echo "npm is needed for the Node tests: apt-get install -y npm" >&2; exit 1; }
	@echo "==> installing the Node tests' pinned npm packages into $(NODE_TESTS_DIR)"
	@mkdir -p $(NODE_TESTS_DIR)
	@cp $(NODE_TESTS_PINS) $(NODE_TESTS_DIR)/
	@npm ci --prefix $(NODE_TESTS_DIR) --no-audit --no-fund --ignore-scripts --loglevel=error
	@test -d $(NODE_TESTS_DIR)/node_modules/graphql-ws || { echo "missing after npm ci: graphql-ws" >&2; exit 1; }
	@touch $@

node-tests-deps: $(NODE_TESTS_STAMP)
	@:
