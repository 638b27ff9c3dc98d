variable "defaults" {
  description = "Values shared by every item (same names as the tenant-account module's variables)."
  type        = any
  default     = {}
}

variable "items" {
  description = "One entry per tenant: tenant id => the tenant-account module's variables for it (tenant_id defaults to the key)."
  type        = any
  default     = {}
}
