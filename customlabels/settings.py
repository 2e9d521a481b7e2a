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
    # CopyProjectVersion's state machine (customlabels.versions.copying).
    copy_pipeline_arn: str | None = None
    # Read who signed a request from its Authorization header: only where nothing verifies
    # signatures anyway (LocalStack, the dev server); on AWS, API Gateway's IAM auth says who.
    caller_from_signature: bool = False
    # The customlabels CLI's default endpoint (boto3 reads the same variable for its clients).
    rekognition_endpoint_url: str | None = None
    # Model hosting (customlabels.hosting): the Start/Stop state machine, the detection function
    # (and, with provisioned concurrency, the published version its per-model aliases point to),
    # how inference units are realized ("recorded" or "provisioned-concurrency"), the model cache
    # in /tmp, how long a RUNNING status is trusted without re-reading it, and the metrics namespace.
    hosting_pipeline_arn: str | None = None
    detect_function_name: str | None = None
    detect_function_version: str | None = None
    inference_capacity: str = "recorded"
    model_cache_dir: str = "/tmp/customlabels-models"
    model_status_ttl_s: float = 2.0
    metrics_namespace: str = "CustomLabels"
    # Training (customlabels.versions, customlabels.training.worker): the pretrained weights the
    # GPU image bakes in, and how long the job may train (the AutoML plan's time budget) before it
    # must export and evaluate within the compute's own timeout.
    weights_dir: str | None = None
    training_time_budget_s: float | None = None


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
        copy_pipeline_arn=env.get("CUSTOMLABELS_COPY_PIPELINE_ARN") or None,
        caller_from_signature=env.get("CUSTOMLABELS_CALLER_FROM_SIGNATURE", "").lower() in ("1", "true"),
        batch_input_prefix=env.get("CUSTOMLABELS_BATCH_INPUT_PREFIX", "batch-input/"),
        batch_output_prefix=env.get("CUSTOMLABELS_BATCH_OUTPUT_PREFIX", "batch-output/"),
        rekognition_endpoint_url=env.get("AWS_ENDPOINT_URL_REKOGNITION") or None,
        hosting_pipeline_arn=env.get("CUSTOMLABELS_HOSTING_PIPELINE_ARN") or None,
        detect_function_name=env.get("CUSTOMLABELS_DETECT_FUNCTION_NAME") or None,
        detect_function_version=env.get("CUSTOMLABELS_DETECT_FUNCTION_VERSION") or None,
        inference_capacity=env.get("CUSTOMLABELS_INFERENCE_CAPACITY") or "recorded",
        model_cache_dir=env.get("CUSTOMLABELS_MODEL_CACHE_DIR") or "/tmp/customlabels-models",
        model_status_ttl_s=float(env.get("CUSTOMLABELS_MODEL_STATUS_TTL_S") or 2.0),
        metrics_namespace=env.get("CUSTOMLABELS_METRICS_NAMESPACE") or "CustomLabels",
        weights_dir=env.get("CUSTOMLABELS_WEIGHTS_DIR") or None,
        training_time_budget_s=float(env["CUSTOMLABELS_TRAINING_TIME_BUDGET_S"])
        if env.get("CUSTOMLABELS_TRAINING_TIME_BUDGET_S")
        else None,
    )
