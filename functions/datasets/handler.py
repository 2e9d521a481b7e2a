"""Lambda steps of the dataset pipeline (Step Functions tasks)."""

from __future__ import annotations

from typing import Any

import boto3
from aws_lambda_powertools import Logger
from aws_lambda_powertools.utilities.typing import LambdaContext

from customlabels.manifests import S3ImageSource, import_lines, read_manifest

logger = Logger(service="dataset-pipeline")
# boto3 reads AWS_ENDPOINT_URL itself, which is how handlers reach LocalStack.
_images = S3ImageSource(boto3.client("s3"))


@logger.inject_lambda_context
def import_manifest(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    """Step ``ImportManifest``: read and check the manifest named by ``event['ManifestS3']``.

    A terminal file error raises ``ManifestFileError`` (the execution fails with the guide's
    message); broken lines are dropped or flagged as the guide says.
    """
    location = event["ManifestS3"]
    uri = f"s3://{location['Bucket']}/{location['Name']}"
    lines = read_manifest(uri, stat=_images.stat, read_range=_images.read_range)
    imported = import_lines(lines)
    summary = {
        "ManifestUri": uri,
        "Lines": len(lines),
        "Entries": len(imported.entries),
        "DroppedLines": len(imported.dropped),
    }
    logger.info("manifest imported", extra=summary)
    return summary
