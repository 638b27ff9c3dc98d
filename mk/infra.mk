# Infrastructure tooling, included from the top Makefile (also usable alone:
# `make -f mk/infra.mk infra-lint`).
#
# checkov lives in its own venv: its pins clash with the app's dependencies, and
# its bc-python-hcl2 installs a module also named `hcl2` that would shadow the
# python-hcl2 the tests use.

PYTHON ?= python3

INFRA_VENV            := .venv-infra
INFRA_CHECKOV_VERSION := 3.3.30
INFRA_CHECKOV         := $(INFRA_VENV)/bin/checkov
INFRA_STAMP           := $(INFRA_VENV)/.installed-checkov-$(INFRA_CHECKOV_VERSION)
INFRA_TERRAFORM_DIR   := infra/terraform

.PHONY: infra-tools infra-lint

## infra-tools: create .venv-infra with a pinned checkov (instant once installed)
infra-tools: $(INFRA_STAMP)

$(INFRA_STAMP):
	@echo "==> creating $(INFRA_VENV) with checkov $(INFRA_CHECKOV_VERSION)"
	@test -x $(INFRA_VENV)/bin/python || $(PYTHON) -m venv $(INFRA_VENV)
	@$(INFRA_VENV)/bin/python -m pip install -q --disable-pip-version-check "checkov==$(INFRA_CHECKOV_VERSION)"
	@rm -f $(INFRA_VENV)/.installed-checkov-*
	@touch $@

## infra-lint: checkov over infra/terraform (skips must be inline #checkov:skip with a reason)
infra-lint: infra-tools
	@echo "==> checkov $(INFRA_TERRAFORM_DIR)"
	@$(INFRA_CHECKOV) --framework terraform --compact --quiet --skip-download -d $(INFRA_TERRAFORM_DIR)
