"""The data bucket: images, manifests, metadata documents, models and results."""

from __future__ import annotations

from aws_cdk import RemovalPolicy
from aws_cdk import aws_s3 as s3
from constructs import Construct


class DataStorage(Construct):
    """One versioned, encrypted, private, TLS-only bucket per deployment (the guide's console bucket)."""

    def __init__(self, scope: Construct, construct_id: str, *, bucket_removal_policy: RemovalPolicy) -> None:
        super().__init__(scope, construct_id)
        self.bucket = s3.Bucket(
            self,
            "Bucket",
            versioned=True,
            encryption=s3.BucketEncryption.S3_MANAGED,
            block_public_access=s3.BlockPublicAccess.BLOCK_ALL,
            enforce_ssl=True,
            object_ownership=s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
            removal_policy=bucket_removal_policy,
        )
