# Fuzzing, included from the top Makefile: schemathesis generates GraphQL documents from
# every demo tenant's schema and sends them to the app on DynamoDB Local
# (tests/http/test_fuzz.py). `make test` runs the same test with 500 documents per tenant and
# a fixed seed; `make fuzz` sends FUZZ_EXAMPLES per tenant with a fresh random seed.
#   make fuzz                                 5,000 per tenant: 10,000 for the 2 demo tenants
#   make fuzz FUZZ_EXAMPLES=20000 FUZZ_SEED=42

FUZZ_EXAMPLES ?= 5000
FUZZ_SEED     ?= random

.PHONY: fuzz

## fuzz: schemathesis over every demo tenant's schema, FUZZ_EXAMPLES documents each
fuzz: install dynamodb-local
	@echo "==> schemathesis: $(FUZZ_EXAMPLES) documents per demo tenant (seed: $(FUZZ_SEED))"
	@FUZZ_EXAMPLES=$(FUZZ_EXAMPLES) FUZZ_SEED=$(FUZZ_SEED) \
		POWERTOOLS_LOG_LEVEL=WARNING GRAPH_METRICS=false \
		$(BIN)/pytest tests/http/test_fuzz.py -q -s -p no:cacheprovider
