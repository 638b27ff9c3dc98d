variable "region" {
  description = "AWS region of the tenant's tables and functions (the `region` of tenants/registry/kicks.toml)."
  type        = string
  default     = "us-east-1"
}

variable "tenant_account_id" {
  description = "12-digit id of the tenant's AWS account; the provider refuses to touch any other account."
  type        = string

  validation {
    condition     = can(regex("^\\d{12}$", var.tenant_account_id))
    error_message = "tenant_account_id must be a 12-digit AWS account id."
  }
}

variable "tenant_role_arn" {
  description = "ARN of the deployment role in the tenant's account that Terraform assumes (created once by the account bootstrap, see README)."
  type        = string

  validation {
    condition     = can(regex("^arn:aws[a-z-]*:iam::\\d{12}:role/.+$", var.tenant_role_arn))
    error_message = "tenant_role_arn must be an IAM role ARN (arn:aws:iam::<account>:role/<name>)."
  }
}

variable "tenant_role_external_id" {
  description = "External id the deployment role's trust policy requires, if any."
  type        = string
  default     = null
}

variable "stage" {
  description = "Deployment stage: dev, test or prod."
  type        = string
  default     = "dev"
}

variable "cursor_secret_arn" {
  description = "ARN of the SSM SecureString parameter or Secrets Manager secret holding the cursor-signing key, in the tenant's account."
  type        = string
}

variable "cursor_secret_kms_key_arn" {
  description = "Customer-managed KMS key encrypting the cursor secret, if not the AWS-managed one."
  type        = string
  default     = null
}

variable "lambda_package_path" {
  description = "Path of the zip `make package` builds; null uses dist/lambda.zip at the repository root."
  type        = string
  default     = null
}

variable "lambda_architecture" {
  description = "x86_64 or arm64; must match the platform the zip was built for."
  type        = string
  default     = "x86_64"
}

variable "replica_regions" {
  description = "Regions for global-table replicas (each needs a key in replica_kms_key_arns)."
  type        = list(string)
  default     = []
}

variable "replica_kms_key_arns" {
  description = "Customer-managed KMS key ARN per replica region."
  type        = map(string)
  default     = {}
}

variable "alarm_sns_topic_arn" {
  description = "SNS topic for alarm notifications; null creates alarms without actions."
  type        = string
  default     = null
}

variable "change_feed_enabled" {
  description = "Create the on-demand, KMS-encrypted Kinesis stream and stream listings and sellers changes into it (docs/events.md)."
  type        = bool
  default     = false
}

variable "cors_allowed_origins" {
  description = "The tenant's browser origins (`origins` in tenants/registry/kicks.toml, production ones only): they may upload listing photos straight to the bucket."
  type        = list(string)
  default     = []
}

variable "api_cdn_enabled" {
  description = "Put CloudFront in front of the GraphQL API to cache the GET responses the gateway marks cacheable (widgets' persisted queries)."
  type        = bool
  default     = false
}

variable "tags" {
  description = "Extra tags for every resource."
  type        = map(string)
  default     = {}
}
