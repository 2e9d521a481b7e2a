"""Lambda steps of the dataset pipeline (Step Functions tasks): thin adapters to
:class:`customlabels.datasets.steps.PipelineSteps`.

The steps raise what Step Functions should see: ``DatasetClientError`` for the caller's errors
(the guide's terminal manifest errors), ``WriteConflict`` for a lost race the state machine
retries, anything else as a service error; the state machine's catch hands them to
``record_failure``.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from aws_lambda_powertools import Logger
from aws_lambda_powertools.logging.utils import copy_config_to_registered_loggers
from aws_lambda_powertools.utilities.typing import LambdaContext

from customlabels import settings
from customlabels.datasets.steps import PipelineSteps

logger = Logger(service="dataset-pipeline")
copy_config_to_registered_loggers(source_logger=logger, include={"customlabels"})


@cache
def _steps() -> PipelineSteps:
    # Built on first use rather than at import, so importing the module needs no AWS access.
    return PipelineSteps.from_settings(settings.load())


@logger.inject_lambda_context
def import_entries(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    """Step ``ImportEntries``: CreateDataset's entries (manifest, copy or none)."""
    return _steps().import_entries(event)


@logger.inject_lambda_context
def apply_changes(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    """Step ``ApplyChanges``: UpdateDatasetEntries' change set merged into the entries."""
    return _steps().apply_changes(event)


@logger.inject_lambda_context
def distribute_entries(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    """Step ``DistributeEntries``: DistributeDatasetEntries' 80/20 split."""
    return _steps().distribute_entries(event)


@logger.inject_lambda_context
def record_entries(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    """Step ``RecordEntries``: switch the dataset(s) to the new entries, complete the operation."""
    return _steps().record_entries(event)


@logger.inject_lambda_context
def record_failure(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    """Step ``RecordFailure``: ``*_FAILED`` with the guide's message (or the service-issue one)."""
    return _steps().record_failure(event)
