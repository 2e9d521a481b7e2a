"""SQS-triggered batch labeling: each message carries S3 ObjectCreated records.

Each image is labeled by its running model and gets its result document; then the batch's lines
are merged into the models' results manifests, one write per model and batch. A record that fails
(an unreadable object, say) is reported as a partial failure and comes back; if a manifest
cannot be updated the whole batch comes back, which is safe because results and manifest lines
are keyed by image.
"""

from __future__ import annotations

from datetime import UTC, datetime
from functools import cache
from typing import Any

import boto3
from aws_lambda_powertools import Logger
from aws_lambda_powertools.logging.utils import copy_config_to_registered_loggers
from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType
from aws_lambda_powertools.utilities.batch.types import PartialItemFailureResponse
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord
from aws_lambda_powertools.utilities.typing import LambdaContext

from customlabels import settings
from customlabels.batch_labeling import Outcome, label_object, parse_item, s3_records
from customlabels.batch_manifest import record_outcomes
from customlabels.hosting.labeler import ModelLabeler

logger = Logger(service="batch-labeling")
copy_config_to_registered_loggers(source_logger=logger, include={"customlabels"})
processor = BatchProcessor(event_type=EventType.SQS)
_settings = settings.load()
_s3 = boto3.client("s3")


@cache
def _labeler() -> ModelLabeler:
    return ModelLabeler.from_settings(_settings, _s3)


def _process(record: SQSRecord) -> list[Outcome]:
    outcomes = []
    for bucket, key in s3_records(record.body):
        try:
            item = parse_item(bucket, key, _settings.batch_input_prefix)
        except ValueError as error:
            logger.warning("ignored object", extra={"key": key, "reason": str(error)})
            continue
        outcome = label_object(_s3, item, _labeler(), _settings.batch_output_prefix)
        logger.info("labeled", extra={"key": key, "error": outcome.result.get("Error")})
        outcomes.append(outcome)
    return outcomes


@logger.inject_lambda_context
def handler(event: dict[str, Any], context: LambdaContext) -> PartialItemFailureResponse:
    with processor(records=event["Records"], handler=_process, lambda_context=context):
        processed = processor.process()
    outcomes = [outcome for status, result, _ in processed if status == "success" for outcome in result]
    manifests = record_outcomes(_s3, _settings.batch_output_prefix, outcomes, datetime.now(UTC))
    logger.info("manifests updated", extra={"lines": manifests})
    return processor.response()
