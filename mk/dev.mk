# The dev loop's data: `make dev` keeps DynamoDB Local's files in .dev/ between runs.
.PHONY: dev-reset

## dev-reset: forget the dev stack's data (DynamoDB Local files, audit checkpoints); the next `make dev` loads fresh demo data
dev-reset: install
	@$(BIN)/python -m graph.local.dev reset
