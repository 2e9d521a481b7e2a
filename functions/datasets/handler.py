"""Lambda steps of the dataset pipeline (Step Functions tasks)."""

from __future__ import annotations

from typing import Any

import boto3
from aws_lambda_powertools import Logger
from aws_lambda_powertools.utilities.typing import LambdaContext

from customlabels.datasets.manifest_source import inspect_manifest

logger = Logger(service="dataset-pipeline")
# boto3 reads AWS_ENDPOINT_URL itself, which is how handlers reach LocalStack.
_s3 = boto3.client("s3")


@logger.inject_lambda_context
def import_manifest(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    """Step ``ImportManifest``: read the manifest named by ``event['ManifestS3']``."""
    location = event["ManifestS3"]
    info = inspect_manifest(_s3, location["Bucket"], location["Name"])
    logger.info("manifest read", extra=info.to_dict())
    return info.to_dict()
