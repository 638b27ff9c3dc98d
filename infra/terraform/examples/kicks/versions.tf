terraform {
  required_version = ">= 1.5.7"

  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = "~> 6.0"
    }
  }

  # Keep state in the operator account, one key per tenant, for example:
  # backend "s3" {
  #   bucket       = "resale-graph-terraform-state"
  #   key          = "tenants/kicks/terraform.tfstate"
  #   region       = "us-east-1"
  #   encrypt      = true
  #   use_lockfile = true
  # }
}
