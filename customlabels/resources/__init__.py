"""The service's resources: ARNs, typed records, status transitions and their storage."""
