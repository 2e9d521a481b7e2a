"""Development-only helpers (LocalStack launcher, local deployment)."""
