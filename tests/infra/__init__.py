"""Static checks of infra/terraform (no Terraform binary): HCL parsed by tests/infra/hcl.py."""
