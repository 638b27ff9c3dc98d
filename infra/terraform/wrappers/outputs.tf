output "wrapper" {
  description = "All outputs of every tenant-account instance, by tenant id."
  value       = module.wrapper
}
