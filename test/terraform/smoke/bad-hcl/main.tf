# DELIBERATELY WRONG (native HCL twin of ../bad/main.tf.json) for test/terraform/smoke.sh:
# gpu_ids is a runpod 1.x attribute that runpod_serverless_endpoint 2.0.0 does not have.
# In native syntax Terraform reports "Unsupported argument"; in JSON syntax (cdk.tf.json)
# the same mistake is reported as "Extraneous JSON object property".
terraform {
  required_providers {
    runpod = {
      source  = "registry.terraform.io/runpod/runpod"
      version = "2.0.0"
    }
  }
}

resource "runpod_serverless_endpoint" "worker" {
  name          = "infinitetalk-smoke"
  endpoint_type = "QUEUE"
  image         = "registry.example.invalid/avatar/infinitetalk-worker:smoke"
  gpu_pools     = ["ADA_48_PRO"]
  scaling_type  = "QUEUE_DELAY"
  scaling_value = 4
  gpu_ids       = "NVIDIA L40S"
}
