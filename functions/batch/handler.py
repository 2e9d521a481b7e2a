"""SQS-triggered batch labeling: each message carries S3 ObjectCreated records."""

from __future__ import annotations

from typing import Any

import boto3
from aws_lambda_powertools import Logger
from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.batch.types import PartialItemFailureResponse
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord
from aws_lambda_powertools.utilities.typing import LambdaContext

from customlabels import settings
from customlabels.batch_labeling import LabelingError, label_object, parse_item, s3_records

logger = Logger(service="batch-labeling")
processor = BatchProcessor(event_type=EventType.SQS)
_settings = settings.load()
_s3 = boto3.client("s3")


def _no_model_yet(project: str, version: str, image: bytes) -> dict[str, Any]:
    # Serving (StartProjectVersion/DetectCustomLabels) is not built yet: no model can run.
    raise LabelingError(
        "ResourceNotReadyException", f"The model version {version} of project {project} is not running."
    )


def _process(record: SQSRecord) -> None:
    for bucket, key in s3_records(record.body):
        try:
            item = parse_item(bucket, key, _settings.batch_input_prefix)
        except ValueError as error:
            logger.warning("ignored object", extra={"key": key, "reason": str(error)})
            continue
        result = label_object(_s3, item, _no_model_yet, _settings.batch_output_prefix)
        logger.info("labeled", extra={"key": key, "error": result.get("Error")})


@logger.inject_lambda_context
def handler(event: dict[str, Any], context: LambdaContext) -> PartialItemFailureResponse:
    return process_partial_response(
        event=event, record_handler=_process, processor=processor, context=context
    )
