# The widget's package (included by the Makefile; runs from the repo root).
#   make widget-tools  install the pinned esbuild of widget/package.json into .cache/widget
#                      with npm ci (once; a stamp makes later runs instant until the pins change)
#   make widget        build widget/dist/ (classic script, ES module, types, manifest.json)
#                      and print the content-hashed URL and the SRI hash; commit widget/dist/
# tests/widget/test_package.py checks that widget/dist/ is what the sources build to.
WIDGET_SRC := widget
WIDGET_DIR := .cache/widget
WIDGET_STAMP := $(WIDGET_DIR)/.installed
WIDGET_PINS := $(WIDGET_SRC)/package.json $(WIDGET_SRC)/package-lock.json

.PHONY: widget widget-tools

$(WIDGET_STAMP): $(WIDGET_PINS)
	@command -v npm >/dev/null || { echo "npm is needed to build the widget: apt-get install -y npm" >&2; exit 1; }
	@echo "==> installing the widget's pinned esbuild into $(WIDGET_DIR)"
	@mkdir -p $(WIDGET_DIR)
	@cp $(WIDGET_PINS) $(WIDGET_DIR)/
	@npm ci --prefix $(WIDGET_DIR) --no-audit --no-fund --ignore-scripts --loglevel=error
	@test -e $(WIDGET_DIR)/node_modules/esbuild/package.json || { echo "missing after npm ci: esbuild" >&2; exit 1; }
	@touch $@

widget-tools: $(WIDGET_STAMP)
	@:

## widget: build widget/dist/ and print its immutable URL and SRI hash
widget: widget-tools
	@WIDGET_NODE_MODULES=$(WIDGET_DIR)/node_modules node $(WIDGET_SRC)/build.mjs
