"""What every benchmark shares: results, budget, statistics, /proc readings, the stack
(DynamoDB Local, data, registry, servers), the load generator and the report."""
