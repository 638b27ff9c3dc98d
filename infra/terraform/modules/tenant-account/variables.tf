################################################################################
# Tenant
################################################################################

variable "tenant_id" {
  description = "Tenant id, as in `tenants/registry/<id>.toml` (lowercase letters, digits and dashes, 3-32 characters). Part of every resource name."
  type        = string

  validation {
    # Same pattern as TENANT_ID in graph/registry/tenants.py.
    condition     = can(regex("^[a-z][a-z0-9-]{1,30}[a-z0-9]$", var.tenant_id))
    error_message = "tenant_id must match ^[a-z][a-z0-9-]{1,30}[a-z0-9]$ (the pattern graph/registry/tenants.py accepts)."
  }
}

variable "stage" {
  description = "Deployment stage: dev, test or prod. Becomes GRAPH_STAGE and the first part of every resource name (`<stage>-<tenant>-...`)."
  type        = string
  default     = "dev"
  nullable    = false

  validation {
    condition     = contains(["dev", "test", "prod"], var.stage)
    error_message = "stage must be one of dev, test, prod (the stages graph/settings.py accepts)."
  }
}

variable "tags" {
  description = "Tags added to every resource that takes tags."
  type        = map(string)
  default     = {}
  nullable    = false
}

################################################################################
# DynamoDB
################################################################################

variable "deletion_protection_enabled" {
  description = "Turn on DynamoDB deletion protection for the tables (and their replicas). Only turn it off to tear down a throwaway stage."
  type        = bool
  default     = true
  nullable    = false
}

variable "point_in_time_recovery_period_in_days" {
  description = "How many days of point-in-time recovery the tables keep (1-35)."
  type        = number
  default     = 35
  nullable    = false

  validation {
    condition     = var.point_in_time_recovery_period_in_days >= 1 && var.point_in_time_recovery_period_in_days <= 35
    error_message = "point_in_time_recovery_period_in_days must be between 1 and 35."
  }
}

variable "indexed_listing_fields" {
  description = "The listing fields the tenant's extension (tenants/extensions/<tenant>.toml or .yaml) declares `indexed = true`, in any order. Each adds the attribute shop_<field> (S) and the GSIs shop_<field>_newest and shop_<field>_price to the listings table. At most 7: the table's 5 own GSIs and 2 per field must stay within DynamoDB's default quota of 20 GSIs per table (7 fields make 19)."
  type        = list(string)
  default     = []
  nullable    = false

  validation {
    # FIELD_NAME in graph/extensions/spec.py.
    condition     = alltrue([for field in var.indexed_listing_fields : can(regex("^[a-z][a-z0-9_]{0,47}$", field))])
    error_message = "indexed_listing_fields must hold extension field names: ^[a-z][a-z0-9_]{0,47}$ (FIELD_NAME in graph/extensions/spec.py)."
  }

  validation {
    # MAX_INDEXED_FIELDS in graph/bounds.py: (20 GSIs - 5 of the table's own) / 2 per field.
    condition     = length(var.indexed_listing_fields) <= 7
    error_message = "indexed_listing_fields may name at most 7 fields: each adds 2 GSIs to the listings table's 5, and DynamoDB allows 20 per table by default."
  }

  validation {
    condition     = length(distinct(var.indexed_listing_fields)) == length(var.indexed_listing_fields)
    error_message = "indexed_listing_fields must not name a field twice."
  }

  validation {
    # CONDITION_FACET in graph/bounds.py: the declaration check refuses it too.
    condition     = !contains(var.indexed_listing_fields, "condition")
    error_message = "indexed_listing_fields must not name `condition`, the shop's own facet (rename the field in the extension to index it)."
  }
}

variable "replica_regions" {
  description = "Regions in which to add global-table replicas of all three tables. Empty (the default) keeps single-region tables."
  type        = list(string)
  default     = []
  nullable    = false

  validation {
    condition     = alltrue([for region in var.replica_regions : can(regex("^[a-z]{2}(-[a-z]+)+-\\d$", region))])
    error_message = "replica_regions must hold AWS region names such as \"us-west-2\"."
  }
}

variable "replica_kms_key_arns" {
  description = "Customer-managed KMS key ARN for each replica region (region => key ARN). Required for every entry of replica_regions, because a table encrypted with a customer-managed key needs one in each replica region."
  type        = map(string)
  default     = {}
  nullable    = false

  validation {
    condition     = alltrue([for arn in values(var.replica_kms_key_arns) : can(regex("^arn:aws[a-z-]*:kms:", arn))])
    error_message = "replica_kms_key_arns values must be KMS key ARNs (arn:aws:kms:...)."
  }
}

variable "create_kinesis_streaming_destination" {
  description = "Stream item-level changes of the tables in kinesis_streaming_tables to the Kinesis data stream kinesis_stream_arn."
  type        = bool
  default     = false
  nullable    = false
}

variable "create_kinesis_stream" {
  description = "Create an on-demand, KMS-encrypted Kinesis data stream for the tables' change feed (used as kinesis_stream_arn). Turn on create_kinesis_streaming_destination too to stream into it."
  type        = bool
  default     = false
  nullable    = false
}

variable "kinesis_stream_retention_period" {
  description = "Hours the created Kinesis stream keeps records (24-8760)."
  type        = number
  default     = 24
  nullable    = false

  validation {
    condition     = var.kinesis_stream_retention_period >= 24 && var.kinesis_stream_retention_period <= 8760
    error_message = "kinesis_stream_retention_period must be between 24 and 8760 hours."
  }
}

variable "kinesis_stream_arn" {
  description = "ARN of a Kinesis data stream in the same account and region as the tables. Required when create_kinesis_streaming_destination is true, unless create_kinesis_stream is."
  type        = string
  default     = null

  validation {
    condition     = var.kinesis_stream_arn == null || can(regex("^arn:aws[a-z-]*:kinesis:[a-z0-9-]+:\\d{12}:stream/.+$", var.kinesis_stream_arn))
    error_message = "kinesis_stream_arn must be a Kinesis data stream ARN (arn:aws:kinesis:<region>:<account>:stream/<name>)."
  }
}

variable "kinesis_streaming_tables" {
  description = "Logical tables (listings, sellers, history) that stream to Kinesis when create_kinesis_streaming_destination is true."
  type        = list(string)
  default     = ["listings", "sellers"]
  nullable    = false

  validation {
    condition     = alltrue([for table in var.kinesis_streaming_tables : contains(["listings", "sellers", "history"], table)])
    error_message = "kinesis_streaming_tables may only name listings, sellers and history."
  }
}

variable "kinesis_approximate_creation_date_time_precision" {
  description = "Precision of ApproximateCreationDateTime in the Kinesis records: MILLISECOND or MICROSECOND."
  type        = string
  default     = "MILLISECOND"
  nullable    = false

  validation {
    condition     = contains(["MILLISECOND", "MICROSECOND"], var.kinesis_approximate_creation_date_time_precision)
    error_message = "kinesis_approximate_creation_date_time_precision must be MILLISECOND or MICROSECOND."
  }
}

################################################################################
# KMS
################################################################################

variable "kms_key_deletion_window_in_days" {
  description = "Waiting period (7-30 days) before the module's KMS key is deleted once scheduled for deletion."
  type        = number
  default     = 30
  nullable    = false

  validation {
    condition     = var.kms_key_deletion_window_in_days >= 7 && var.kms_key_deletion_window_in_days <= 30
    error_message = "kms_key_deletion_window_in_days must be between 7 and 30."
  }
}

variable "kms_key_administrator_arns" {
  description = "IAM principal ARNs allowed to administer (not use) the module's KMS key, in addition to the account root, which delegates to IAM policies."
  type        = list(string)
  default     = []
  nullable    = false
}

################################################################################
# Lambda (both functions)
################################################################################

variable "lambda_package_path" {
  description = "Path to the deployment zip that `make package` builds (dist/lambda.zip in the repository). Relative paths are relative to the directory terraform runs in."
  type        = string

  validation {
    condition     = endswith(var.lambda_package_path, ".zip")
    error_message = "lambda_package_path must point to the .zip that `make package` builds (dist/lambda.zip)."
  }
}

variable "lambda_architecture" {
  description = "Instruction set of both functions: x86_64 or arm64. Must match the platform the zip's compiled wheels (pydantic-core and friends) were built for."
  type        = string
  default     = "x86_64"
  nullable    = false

  validation {
    condition     = contains(["x86_64", "arm64"], var.lambda_architecture)
    error_message = "lambda_architecture must be x86_64 or arm64."
  }
}

variable "lambda_log_level" {
  description = "Application log level of both functions (TRACE, DEBUG, INFO, WARN, ERROR, FATAL)."
  type        = string
  default     = "INFO"
  nullable    = false

  validation {
    condition     = contains(["TRACE", "DEBUG", "INFO", "WARN", "ERROR", "FATAL"], var.lambda_log_level)
    error_message = "lambda_log_level must be one of TRACE, DEBUG, INFO, WARN, ERROR, FATAL."
  }
}

variable "log_retention_in_days" {
  description = "Retention of the Lambda and API access log groups, in days (a value CloudWatch Logs accepts)."
  type        = number
  default     = 365
  nullable    = false

  validation {
    condition     = contains([1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653], var.log_retention_in_days)
    error_message = "log_retention_in_days must be a retention CloudWatch Logs accepts (1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653)."
  }
}

variable "code_signing_config_arn" {
  description = "ARN of a Lambda code-signing configuration (AWS Signer) to enforce on both functions. Null (the default) deploys unsigned packages."
  type        = string
  default     = null
}

variable "iam_role_permissions_boundary" {
  description = "ARN of a permissions boundary policy to attach to both Lambda roles, if the tenant account requires one."
  type        = string
  default     = null
}

################################################################################
# Gateway Lambda
################################################################################

variable "cursor_secret_arn" {
  description = "ARN of the SSM SecureString parameter or Secrets Manager secret holding the HMAC key that signs pagination cursors. The gateway receives the ARN (GRAPH_CURSOR_SECRET_ARN), never the value."
  type        = string

  validation {
    condition     = can(regex("^arn:aws[a-z-]*:(ssm:[a-z0-9-]+:\\d{12}:parameter/.+|secretsmanager:[a-z0-9-]+:\\d{12}:secret:.+)$", var.cursor_secret_arn))
    error_message = "cursor_secret_arn must be an SSM parameter ARN (arn:aws:ssm:<region>:<account>:parameter/...) or a Secrets Manager secret ARN (arn:aws:secretsmanager:<region>:<account>:secret:...)."
  }
}

variable "cursor_secret_kms_key_arn" {
  description = "ARN of the customer-managed KMS key that encrypts the cursor secret, if it is not the AWS-managed key (aws/ssm or aws/secretsmanager). The gateway gets kms:Decrypt on it."
  type        = string
  default     = null
}

variable "gateway_memory_size" {
  description = "Memory of the gateway function in MB (CPU scales with it)."
  type        = number
  default     = 1024
  nullable    = false

  validation {
    condition     = var.gateway_memory_size >= 128 && var.gateway_memory_size <= 10240
    error_message = "gateway_memory_size must be between 128 and 10240 MB."
  }
}

variable "gateway_timeout" {
  description = "Timeout of the gateway function in seconds; at most 30, the API Gateway HTTP API integration limit."
  type        = number
  default     = 10
  nullable    = false

  validation {
    condition     = var.gateway_timeout >= 1 && var.gateway_timeout <= 30
    error_message = "gateway_timeout must be between 1 and 30 seconds (API Gateway gives up after 30)."
  }
}

variable "gateway_reserved_concurrency" {
  description = "Reserved concurrent executions of the gateway function: caps it and guarantees it that much of the account's pool. -1 removes the reservation."
  type        = number
  default     = 50
  nullable    = false

  validation {
    condition     = var.gateway_reserved_concurrency >= -1
    error_message = "gateway_reserved_concurrency must be -1 (unreserved) or a non-negative number."
  }
}

variable "gateway_snap_start" {
  description = "Turn on Lambda SnapStart for the gateway: each apply publishes a version, Lambda snapshots it after init (imports, schemas), and API Gateway invokes the alias \"live\". Needs a python3.12+ runtime; not together with gateway_provisioned_concurrency. Billed per cached snapshot GB-second and per restore (README)."
  type        = bool
  default     = false
  nullable    = false
}

variable "gateway_provisioned_concurrency" {
  description = "Execution environments of the gateway kept initialized on the alias \"live\" (0 = none). Billed per GB-second whether used or not (README). At most gateway_reserved_concurrency when that is set; not together with gateway_snap_start."
  type        = number
  default     = 0
  nullable    = false

  validation {
    condition     = var.gateway_provisioned_concurrency >= 0 && floor(var.gateway_provisioned_concurrency) == var.gateway_provisioned_concurrency
    error_message = "gateway_provisioned_concurrency must be a whole number, 0 or more."
  }
}

################################################################################
# API Gateway
################################################################################

variable "api_throttling_burst_limit" {
  description = "Burst limit (requests) of the API's $default stage, for all routes together."
  type        = number
  default     = 200
  nullable    = false

  validation {
    condition     = var.api_throttling_burst_limit >= 0
    error_message = "api_throttling_burst_limit must not be negative."
  }
}

variable "api_throttling_rate_limit" {
  description = "Steady-state rate limit (requests per second) of the API's $default stage."
  type        = number
  default     = 100
  nullable    = false

  validation {
    condition     = var.api_throttling_rate_limit >= 0
    error_message = "api_throttling_rate_limit must not be negative."
  }
}

variable "api_detailed_metrics_enabled" {
  description = "Publish per-route CloudWatch metrics for the API (extra cost)."
  type        = bool
  default     = false
  nullable    = false
}

variable "api_cdn_enabled" {
  description = "Put a CloudFront distribution in front of the HTTP API that caches the GET responses the gateway marks cacheable (Cache-Control), keyed by query string, X-Api-Key and Origin."
  type        = bool
  default     = false
  nullable    = false
}

variable "api_cdn_max_ttl" {
  description = "Longest time (seconds) the API's CloudFront keeps a response, whatever its Cache-Control max-age says (1-86400). Responses without Cache-Control are never cached."
  type        = number
  default     = 300
  nullable    = false

  validation {
    # CloudFront refuses a cache key (query string, headers) in a policy whose TTLs are all 0.
    condition     = var.api_cdn_max_ttl >= 1 && var.api_cdn_max_ttl <= 86400
    error_message = "api_cdn_max_ttl must be between 1 and 86400 seconds (to cache nothing, leave api_cdn_enabled off)."
  }
}

variable "api_cdn_domain_name" {
  description = "Custom domain of the API's CloudFront distribution (for example api.kicks.example); set api_cdn_acm_certificate_arn with it. Null serves the *.cloudfront.net domain."
  type        = string
  default     = null

  validation {
    condition     = var.api_cdn_domain_name == null || can(regex("^([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\\.)+[a-z]{2,63}$", var.api_cdn_domain_name))
    error_message = "api_cdn_domain_name must be a lowercase host name such as api.kicks.example."
  }
}

variable "api_cdn_acm_certificate_arn" {
  description = "ARN of the ACM certificate (in us-east-1, as CloudFront requires) covering api_cdn_domain_name; the distribution then requires TLS 1.2 or newer."
  type        = string
  default     = null

  validation {
    condition     = var.api_cdn_acm_certificate_arn == null || can(regex("^arn:aws[a-z-]*:acm:us-east-1:\\d{12}:certificate/.+$", var.api_cdn_acm_certificate_arn))
    error_message = "api_cdn_acm_certificate_arn must be an ACM certificate ARN in us-east-1 (arn:aws:acm:us-east-1:<account>:certificate/...)."
  }
}

################################################################################
# Audit Lambda and its stream event source mappings
################################################################################

variable "audit_memory_size" {
  description = "Memory of the audit function in MB."
  type        = number
  default     = 512
  nullable    = false

  validation {
    condition     = var.audit_memory_size >= 128 && var.audit_memory_size <= 10240
    error_message = "audit_memory_size must be between 128 and 10240 MB."
  }
}

variable "audit_timeout" {
  description = "Timeout of the audit function in seconds (one batch of stream records per invocation)."
  type        = number
  default     = 60
  nullable    = false

  validation {
    condition     = var.audit_timeout >= 1 && var.audit_timeout <= 900
    error_message = "audit_timeout must be between 1 and 900 seconds."
  }
}

variable "audit_reserved_concurrency" {
  description = "Reserved concurrent executions of the audit function. Keep it at least (stream shards x audit_parallelization_factor) of both streams, or the streams fall behind. -1 removes the reservation."
  type        = number
  default     = 10
  nullable    = false

  validation {
    condition     = var.audit_reserved_concurrency >= -1
    error_message = "audit_reserved_concurrency must be -1 (unreserved) or a non-negative number."
  }
}

variable "audit_batch_size" {
  description = "Largest number of stream records per audit invocation (1-10000)."
  type        = number
  default     = 100
  nullable    = false

  validation {
    condition     = var.audit_batch_size >= 1 && var.audit_batch_size <= 10000
    error_message = "audit_batch_size must be between 1 and 10000."
  }
}

variable "audit_maximum_batching_window_in_seconds" {
  description = "How long (0-300 s) the event source mapping gathers records before invoking the audit function."
  type        = number
  default     = 1
  nullable    = false

  validation {
    condition     = var.audit_maximum_batching_window_in_seconds >= 0 && var.audit_maximum_batching_window_in_seconds <= 300
    error_message = "audit_maximum_batching_window_in_seconds must be between 0 and 300."
  }
}

variable "audit_parallelization_factor" {
  description = "Concurrent batches per stream shard (1-10); records of one item stay in order."
  type        = number
  default     = 1
  nullable    = false

  validation {
    condition     = var.audit_parallelization_factor >= 1 && var.audit_parallelization_factor <= 10
    error_message = "audit_parallelization_factor must be between 1 and 10."
  }
}

variable "audit_maximum_retry_attempts" {
  description = "Retries of a failing batch (after bisecting it) before its metadata goes to the DLQ: 0-5. Never -1 (infinite), which would stall the shard."
  type        = number
  default     = 3
  nullable    = false

  validation {
    condition     = var.audit_maximum_retry_attempts >= 0 && var.audit_maximum_retry_attempts <= 5
    error_message = "audit_maximum_retry_attempts must be between 0 and 5."
  }
}

variable "audit_maximum_record_age_in_seconds" {
  description = "Records older than this (60-86400 s; streams keep 24 h) are not retried but sent to the DLQ. Never -1 (infinite)."
  type        = number
  default     = 21600
  nullable    = false

  validation {
    condition     = var.audit_maximum_record_age_in_seconds >= 60 && var.audit_maximum_record_age_in_seconds <= 86400
    error_message = "audit_maximum_record_age_in_seconds must be between 60 and 86400 (DynamoDB Streams keep records for 24 hours)."
  }
}

variable "audit_dlq_message_retention_seconds" {
  description = "How long the audit DLQ keeps failure records (60-1209600 s; default 14 days, the maximum)."
  type        = number
  default     = 1209600
  nullable    = false

  validation {
    condition     = var.audit_dlq_message_retention_seconds >= 60 && var.audit_dlq_message_retention_seconds <= 1209600
    error_message = "audit_dlq_message_retention_seconds must be between 60 and 1209600."
  }
}


################################################################################
# Live subscriptions (WebSocket API and fan-out)
################################################################################

variable "websocket_stage_name" {
  description = "Stage of the WebSocket API; clients connect to wss://<api>.execute-api.<region>.amazonaws.com/<stage>."
  type        = string
  default     = "live"
  nullable    = false

  validation {
    condition     = can(regex("^[A-Za-z0-9_-]{1,128}$", var.websocket_stage_name))
    error_message = "websocket_stage_name may hold letters, digits, - and _ (1-128 characters)."
  }
}

variable "websocket_throttling_burst_limit" {
  description = "Burst limit (messages and connects) of the WebSocket stage."
  type        = number
  default     = 200
  nullable    = false

  validation {
    condition     = var.websocket_throttling_burst_limit >= 1 && var.websocket_throttling_burst_limit <= 10000
    error_message = "websocket_throttling_burst_limit must be between 1 and 10000."
  }
}

variable "websocket_throttling_rate_limit" {
  description = "Steady-state rate limit (per second) of the WebSocket stage."
  type        = number
  default     = 100
  nullable    = false

  validation {
    condition     = var.websocket_throttling_rate_limit >= 1 && var.websocket_throttling_rate_limit <= 10000
    error_message = "websocket_throttling_rate_limit must be between 1 and 10000."
  }
}

variable "websocket_memory_size" {
  description = "Memory (MB) of the websocket function."
  type        = number
  default     = 512
  nullable    = false

  validation {
    condition     = var.websocket_memory_size >= 128 && var.websocket_memory_size <= 10240
    error_message = "websocket_memory_size must be between 128 and 10240 MB."
  }
}

variable "websocket_timeout" {
  description = "Timeout (seconds) of the websocket function; API Gateway waits at most 29 s."
  type        = number
  default     = 10
  nullable    = false

  validation {
    condition     = var.websocket_timeout >= 1 && var.websocket_timeout <= 29
    error_message = "websocket_timeout must be between 1 and 29 seconds."
  }
}

variable "websocket_reserved_concurrency" {
  description = "Reserved concurrent executions of the websocket function. -1 removes the reservation."
  type        = number
  default     = 20
  nullable    = false

  validation {
    condition     = var.websocket_reserved_concurrency >= -1
    error_message = "websocket_reserved_concurrency must be -1 (unreserved) or a non-negative number."
  }
}

variable "fanout_memory_size" {
  description = "Memory (MB) of the fan-out function."
  type        = number
  default     = 1024
  nullable    = false

  validation {
    condition     = var.fanout_memory_size >= 128 && var.fanout_memory_size <= 10240
    error_message = "fanout_memory_size must be between 128 and 10240 MB."
  }
}

variable "fanout_timeout" {
  description = "Timeout (seconds) of the fan-out function."
  type        = number
  default     = 60
  nullable    = false

  validation {
    condition     = var.fanout_timeout >= 1 && var.fanout_timeout <= 900
    error_message = "fanout_timeout must be between 1 and 900 seconds."
  }
}

variable "fanout_reserved_concurrency" {
  description = "Reserved concurrent executions of the fan-out function (one per stream shard and parallelization slot). -1 removes the reservation."
  type        = number
  default     = 10
  nullable    = false

  validation {
    condition     = var.fanout_reserved_concurrency >= -1
    error_message = "fanout_reserved_concurrency must be -1 (unreserved) or a non-negative number."
  }
}

variable "fanout_batch_size" {
  description = "Listings stream records per fan-out invocation (1-1000)."
  type        = number
  default     = 100
  nullable    = false

  validation {
    condition     = var.fanout_batch_size >= 1 && var.fanout_batch_size <= 1000
    error_message = "fanout_batch_size must be between 1 and 1000."
  }
}

variable "fanout_parallelization_factor" {
  description = "Concurrent fan-out batches per stream shard (1-10); changes to one listing stay in order."
  type        = number
  default     = 2
  nullable    = false

  validation {
    condition     = var.fanout_parallelization_factor >= 1 && var.fanout_parallelization_factor <= 10
    error_message = "fanout_parallelization_factor must be between 1 and 10."
  }
}

variable "fanout_maximum_retry_attempts" {
  description = "Retries of a failing fan-out batch before its metadata goes to the fan-out DLQ: 0-5. Never -1 (infinite)."
  type        = number
  default     = 2
  nullable    = false

  validation {
    condition     = var.fanout_maximum_retry_attempts >= 0 && var.fanout_maximum_retry_attempts <= 5
    error_message = "fanout_maximum_retry_attempts must be between 0 and 5."
  }
}

variable "fanout_maximum_record_age_in_seconds" {
  description = "Changes older than this (60-86400 s) are not delivered live but sent to the fan-out DLQ. Never -1 (infinite)."
  type        = number
  default     = 120
  nullable    = false

  validation {
    condition     = var.fanout_maximum_record_age_in_seconds >= 60 && var.fanout_maximum_record_age_in_seconds <= 86400
    error_message = "fanout_maximum_record_age_in_seconds must be between 60 and 86400 seconds."
  }
}

################################################################################
# Photos (S3 bucket and CloudFront)
################################################################################

variable "photos_enabled" {
  description = "Create the listing photos bucket (staging/ uploads, renditions/) and its CloudFront distribution, and give the gateway and audit functions GRAPH_PHOTOS_* and their S3 grants."
  type        = bool
  default     = true
  nullable    = false
}

variable "photos_bucket_name" {
  description = "Name of the photos bucket. Null (the default) uses `<stage>-<tenant>-photos-<account id>`, unique across AWS."
  type        = string
  default     = null

  validation {
    condition     = var.photos_bucket_name == null || can(regex("^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$", var.photos_bucket_name))
    error_message = "photos_bucket_name must be a valid S3 bucket name: 3-63 lowercase letters, digits, dots and dashes."
  }
}

variable "cors_allowed_origins" {
  description = "The tenant's browser origins (`origins` in tenants/registry/<tenant>.toml), such as https://shop.kicks.example: they may POST uploads to the photos bucket and read renditions cross-origin. Empty allows back-end uploads only."
  type        = list(string)
  default     = []
  nullable    = false

  validation {
    condition     = alltrue([for origin in var.cors_allowed_origins : can(regex("^https?://[^/\\s*]+$", origin))])
    error_message = "cors_allowed_origins must hold origins (scheme://host[:port], no path, no wildcard), as in the registry's origins."
  }
}

variable "photos_staging_expiration_days" {
  description = "Days after which an upload still in staging/ (never attached to a listing) expires (1-30)."
  type        = number
  default     = 1
  nullable    = false

  validation {
    condition     = var.photos_staging_expiration_days >= 1 && var.photos_staging_expiration_days <= 30
    error_message = "photos_staging_expiration_days must be between 1 and 30."
  }
}

variable "photos_noncurrent_version_expiration_days" {
  description = "Days a deleted or replaced rendition stays recoverable as a noncurrent version before S3 removes it (1-365)."
  type        = number
  default     = 30
  nullable    = false

  validation {
    condition     = var.photos_noncurrent_version_expiration_days >= 1 && var.photos_noncurrent_version_expiration_days <= 365
    error_message = "photos_noncurrent_version_expiration_days must be between 1 and 365."
  }
}

variable "photos_domain_name" {
  description = "Custom domain of the photos distribution (for example photos.kicks.example); set photos_acm_certificate_arn with it. Null serves the *.cloudfront.net domain. Becomes GRAPH_PHOTOS_PUBLIC_URL."
  type        = string
  default     = null

  validation {
    condition     = var.photos_domain_name == null || can(regex("^([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\\.)+[a-z]{2,63}$", var.photos_domain_name))
    error_message = "photos_domain_name must be a lowercase host name such as photos.kicks.example."
  }
}

variable "photos_acm_certificate_arn" {
  description = "ARN of the ACM certificate (in us-east-1, as CloudFront requires) covering photos_domain_name; the distribution then requires TLS 1.2 or newer."
  type        = string
  default     = null

  validation {
    condition     = var.photos_acm_certificate_arn == null || can(regex("^arn:aws[a-z-]*:acm:us-east-1:\\d{12}:certificate/.+$", var.photos_acm_certificate_arn))
    error_message = "photos_acm_certificate_arn must be an ACM certificate ARN in us-east-1 (arn:aws:acm:us-east-1:<account>:certificate/...)."
  }
}

variable "cdn_price_class" {
  description = "Price class of the module's CloudFront distributions (photos, and the API's when api_cdn_enabled): PriceClass_All, PriceClass_200 or PriceClass_100 (fewer, cheaper edge locations)."
  type        = string
  default     = "PriceClass_All"
  nullable    = false

  validation {
    condition     = contains(["PriceClass_All", "PriceClass_200", "PriceClass_100"], var.cdn_price_class)
    error_message = "cdn_price_class must be PriceClass_All, PriceClass_200 or PriceClass_100."
  }
}

variable "cdn_web_acl_arn" {
  description = "ARN of a WAFv2 web ACL (scope CLOUDFRONT, us-east-1) to attach to the module's CloudFront distributions. Null attaches none."
  type        = string
  default     = null

  validation {
    condition     = var.cdn_web_acl_arn == null || can(regex("^arn:aws[a-z-]*:wafv2:us-east-1:\\d{12}:global/webacl/.+$", var.cdn_web_acl_arn))
    error_message = "cdn_web_acl_arn must be a WAFv2 web ACL ARN of scope CLOUDFRONT (arn:aws:wafv2:us-east-1:<account>:global/webacl/...)."
  }
}

################################################################################
# Alarms
################################################################################

variable "alarm_sns_topic_arn" {
  description = "SNS topic ARN notified when an alarm fires and recovers. Null creates the alarms without actions."
  type        = string
  default     = null

  validation {
    condition     = var.alarm_sns_topic_arn == null || can(regex("^arn:aws[a-z-]*:sns:[a-z0-9-]+:\\d{12}:.+$", var.alarm_sns_topic_arn))
    error_message = "alarm_sns_topic_arn must be an SNS topic ARN."
  }
}

variable "audit_iterator_age_alarm_threshold_ms" {
  description = "Alarm when the oldest unprocessed record on a stream is older than this many milliseconds (IteratorAge)."
  type        = number
  default     = 300000
  nullable    = false
}

variable "server_errors_alarm_threshold" {
  description = "Alarm when the gateway masks at least this many internal errors (EMF metric ResaleGraph/ServerErrors) in 5 minutes."
  type        = number
  default     = 1
  nullable    = false
}

variable "lambda_errors_alarm_threshold" {
  description = "Alarm when a function reports at least this many errors in 5 minutes."
  type        = number
  default     = 1
  nullable    = false
}

variable "lambda_throttles_alarm_threshold" {
  description = "Alarm when a function is throttled at least this many times in 5 minutes."
  type        = number
  default     = 1
  nullable    = false
}
