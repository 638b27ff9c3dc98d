# The self-hosted GraphiQL playground (included by the Makefile; runs from the repo root).
#   make playground-assets  install the pinned npm packages the page serves (once; a stamp
#                           makes later runs instant until the package files change)
#   make browser            install Debian's chromium for the browser tests, when missing
PLAYGROUND_SRC := graph/playground
PLAYGROUND_DIR := .cache/playground
PLAYGROUND_STAMP := $(PLAYGROUND_DIR)/.installed
PLAYGROUND_PINS := $(PLAYGROUND_SRC)/package.json $(PLAYGROUND_SRC)/package-lock.json
PLAYGROUND_FILES := react/umd/react.production.min.js react-dom/umd/react-dom.production.min.js \
	graphiql/graphiql.min.js graphiql/graphiql.min.css
PLAYGROUND_CHROMIUM := /usr/bin/chromium

.PHONY: playground-assets browser

$(PLAYGROUND_STAMP): $(PLAYGROUND_PINS)
	@command -v npm >/dev/null || { echo "npm is needed for the playground assets: apt-get install -y npm" >&2; exit 1; }
	@echo "==> installing the playground's pinned npm packages into $(PLAYGROUND_DIR)"
	@mkdir -p $(PLAYGROUND_DIR)
	@cp $(PLAYGROUND_PINS) $(PLAYGROUND_DIR)/
	@npm ci --prefix $(PLAYGROUND_DIR) --no-audit --no-fund --ignore-scripts --loglevel=error
	@for f in $(PLAYGROUND_FILES); do \
		test -f $(PLAYGROUND_DIR)/node_modules/$$f || { echo "missing after npm ci: $$f" >&2; exit 1; }; \
	done
	@touch $@

playground-assets: $(PLAYGROUND_STAMP)
	@:

browser:
	@if [ -x $(PLAYGROUND_CHROMIUM) ]; then \
		echo "chromium is installed: $(PLAYGROUND_CHROMIUM)"; \
	elif [ "$$(id -u)" = 0 ]; then \
		echo "==> installing Debian's chromium for the browser tests"; \
		apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium; \
	else \
		echo "Chromium is missing: run 'sudo apt-get install -y chromium' (or 'sudo make browser')." >&2; \
		exit 1; \
	fi
