"""Lambda steps of the training pipeline (Step Functions tasks): thin adapters to
:class:`customlabels.versions.steps.TrainingSteps` and, for ``TrainModel`` on ``target=local``,
:func:`customlabels.training.worker.train_in_lambda`.

The steps raise what Step Functions should see: ``TrainingClientError`` for the caller's errors
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
from customlabels.versions.steps import TrainingSteps

logger = Logger(service="training-pipeline")
copy_config_to_registered_loggers(source_logger=logger, include={"customlabels"})


@cache
def _steps() -> TrainingSteps:
    # Built on first use rather than at import, so importing the module needs no AWS access.
    return TrainingSteps.from_settings(settings.load())


@logger.inject_lambda_context
def validate_manifests(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    """Step ``ValidateManifests``: validation results, and the job's input staged."""
    return _steps().validate_manifests(event)


@logger.inject_lambda_context
def train_model(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    """Step ``TrainModel`` (``target=local``): the training job on this function's CPU, bounded by
    its remaining time."""
    # Imported here: torch takes seconds to import, and only this step needs it.
    from customlabels.training.worker import train_in_lambda

    return train_in_lambda(event, context.get_remaining_time_in_millis())


@logger.inject_lambda_context
def finalize_version(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    """Step ``FinalizeVersion``: ``TRAINING_COMPLETED`` with the evaluation's results."""
    return _steps().finalize_version(event)


@logger.inject_lambda_context
def record_failure(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    """Step ``RecordFailure``: ``TRAINING_FAILED`` with the guide's message (or the service-issue one)."""
    return _steps().record_failure(event)
