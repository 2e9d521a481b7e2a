"""Every environment variable the core reads, read once into a frozen object.

Lambda handlers and the CLI call :func:`load` at cold start; nothing else in the
package touches ``os.environ`` so that the whole configuration is visible here.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from functools import lru_cache


@dataclass(frozen=True)
class Settings:
    """Deployment settings, set by the CDK stack on every function."""

    data_bucket: str
    region: str
    account_id: str
    dataset_pipeline_arn: str | None
    training_pipeline_arn: str | None
    batch_input_prefix: str
    batch_output_prefix: str
    # The customlabels CLI's default endpoint (boto3 reads the same variable for its clients).
    rekognition_endpoint_url: str | None = None


@lru_cache(maxsize=1)
def load() -> Settings:
    """Read the settings from the environment (cached: read once per process)."""
    env = os.environ
    return Settings(
        data_bucket=env.get("CUSTOMLABELS_DATA_BUCKET", ""),
        region=env.get("AWS_REGION") or env.get("AWS_DEFAULT_REGION") or "us-east-1",
        account_id=env.get("CUSTOMLABELS_ACCOUNT_ID", "000000000000"),
        dataset_pipeline_arn=env.get("CUSTOMLABELS_DATASET_PIPELINE_ARN") or None,
        training_pipeline_arn=env.get("CUSTOMLABELS_TRAINING_PIPELINE_ARN") or None,
        batch_input_prefix=env.get("CUSTOMLABELS_BATCH_INPUT_PREFIX", "batch-input/"),
        batch_output_prefix=env.get("CUSTOMLABELS_BATCH_OUTPUT_PREFIX", "batch-output/"),
        rekognition_endpoint_url=env.get("AWS_ENDPOINT_URL_REKOGNITION") or None,
    )
