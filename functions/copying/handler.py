"""Lambda steps of the copy pipeline (Step Functions tasks): thin adapters to
:class:`customlabels.versions.copying.ModelCopier`.

``CopyModel`` raises ``CopyClientError`` for the caller's errors and ``WriteConflict`` for a lost
race the state machine retries; the state machine's catch hands every failure to ``record_failure``.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from aws_lambda_powertools import Logger
from aws_lambda_powertools.logging.utils import copy_config_to_registered_loggers
from aws_lambda_powertools.utilities.typing import LambdaContext

from customlabels import settings
from customlabels.versions.copying import ModelCopier

logger = Logger(service="copy-pipeline")
copy_config_to_registered_loggers(source_logger=logger, include={"customlabels"})


@cache
def _copier() -> ModelCopier:
    # Built on first use rather than at import, so importing the module needs no AWS access.
    return ModelCopier.from_settings(settings.load())


@logger.inject_lambda_context
def copy_model(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    """Step ``CopyModel``: the source's model files and training results copied, ``COPYING_COMPLETED``."""
    return _copier().copy_model(event)


@logger.inject_lambda_context
def record_failure(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    """Step ``RecordCopyFailure``: ``COPYING_FAILED`` with the reason."""
    return _copier().record_failure(event)
