# Typed clients (included by the Makefile; runs from the repo root).
#   make codegen-tools   install the pinned graphql-codegen and TypeScript of
#                        examples/codegen/package.json into .cache/codegen (once; a stamp
#                        makes later runs instant until the package files change)
# tests/e2e/test_codegen.py runs them on each demo tenant's served SDL.
CODEGEN_SRC := examples/codegen
CODEGEN_DIR := .cache/codegen
CODEGEN_STAMP := $(CODEGEN_DIR)/.installed
CODEGEN_PINS := $(CODEGEN_SRC)/package.json $(CODEGEN_SRC)/package-lock.json

.PHONY: codegen-tools

$(CODEGEN_STAMP): $(CODEGEN_PINS)
	@command -v npm >/dev/null || { echo "npm is needed for graphql-codegen: apt-get install -y npm" >&2; exit 1; }
	@echo "==> installing graphql-codegen and TypeScript (pinned) into $(CODEGEN_DIR)"
	@mkdir -p $(CODEGEN_DIR)
	@cp $(CODEGEN_PINS) $(CODEGEN_DIR)/
	@npm ci --prefix $(CODEGEN_DIR) --no-audit --no-fund --ignore-scripts --loglevel=error
	@for f in .bin/graphql-codegen .bin/tsc @graphql-codegen/client-preset/package.json; do \
		test -e $(CODEGEN_DIR)/node_modules/$$f || { echo "missing after npm ci: $$f" >&2; exit 1; }; \
	done
	@touch $@

codegen-tools: $(CODEGEN_STAMP)
	@:
