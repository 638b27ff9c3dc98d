"""The AWS Lambda entry points and their bootstrap; graph/lambda_handler.py is the stable
path Terraform names (`graph.lambda_handler.gateway_handler`, `.audit_handler`).

- bootstrap.py  what both functions read once per execution environment: the
                `LambdaEnvironment` variables, settings, the cursor secret by ARN, the
                registry narrowed to this account's tenant
- gateway.py    the GraphQL gateway behind API Gateway (Mangum on one owned event loop)
- audit.py      the audit consumer on DynamoDB Streams batches
"""
