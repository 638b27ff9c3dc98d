terraform {
  required_version = ">= 1.5.7"

  required_providers {
    aws = {
      source = "hashicorp/aws"
      # 6.x: `data.aws_region.current.region` (`.name` is deprecated there).
      version = ">= 6.0"
    }
  }
}
