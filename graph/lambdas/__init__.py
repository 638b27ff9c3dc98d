"""The AWS Lambda entry points, one module per function, each importing only what its
function serves (Terraform names them in infra/terraform/modules/tenant-account/):

- gateway.py    `graph.lambdas.gateway.gateway_handler`: the GraphQL gateway behind API
                Gateway (Mangum on one owned event loop)
- audit.py      `graph.lambdas.audit.audit_handler`: the audit consumer on DynamoDB
                Streams batches
- websocket.py  `graph.lambdas.websocket.websocket_handler`: the API Gateway WebSocket API
- fanout.py     `graph.lambdas.fanout.fanout_handler`: listing changes to open subscriptions
- bootstrap.py  what every function reads once per execution environment: the
                `LambdaEnvironment` variables, settings, the cursor secret by ARN, the
                registry narrowed to this account's tenant

This package's `__init__` imports nothing, so a function loads only its own module.
"""
