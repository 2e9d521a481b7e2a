"""The operation registry and the dispatcher: one request in, one JSON 1.1 response out.

Order of work for every request: resolve the operation from ``X-Amz-Target``, parse the body,
validate it against the model (nothing runs on an invalid request), run the operation's
handler, serialize its result against the output shape. Errors become the service's error
responses; anything unexpected is logged and answered with a generic InternalServerError, so
internals never reach the caller.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from customlabels import aws
from customlabels.api import (
    datasets,
    detect,
    model,
    policies,
    projects,
    protocol,
    running,
    tags,
    validation,
    versions,
)
from customlabels.api.backends import Backends, StepFunctionsPipelines
from customlabels.api.caller import UNKNOWN_CALLER, Caller
from customlabels.api.context import ApiContext
from customlabels.api.errors import (
    GENERIC_INTERNAL_MESSAGE,
    ApiError,
    InternalServerError,
    ResourceInUseException,
    ResourceNotFoundException,
    ThrottlingException,
)
from customlabels.api.hosting import LambdaModelHosting
from customlabels.api.protocol import ApiResponse
from customlabels.datasets.backend import StoredEntries
from customlabels.datasets.entry_store import EntryStore
from customlabels.resources.repository import Repository
from customlabels.resources.status import TransitionError
from customlabels.settings import Settings
from customlabels.store import DocumentNotFound, MetadataStore, WriteConflict

if TYPE_CHECKING:
    from mypy_boto3_s3 import S3Client
    from mypy_boto3_stepfunctions import SFNClient

logger = logging.getLogger(__name__)

Handler = Callable[[ApiContext, dict[str, Any]], dict[str, Any]]

HANDLERS: dict[str, Handler] = {
    **projects.OPERATIONS,
    **policies.OPERATIONS,
    **datasets.OPERATIONS,
    **versions.OPERATIONS,
    **tags.OPERATIONS,
    **running.OPERATIONS,
    **detect.OPERATIONS,
}
if set(HANDLERS) != set(model.CUSTOM_LABELS_OPERATIONS):
    raise ImportError(
        f"handlers and operations differ: {set(HANDLERS) ^ set(model.CUSTOM_LABELS_OPERATIONS)}"
    )


class Api:
    """The Custom Labels JSON API of one deployment."""

    def __init__(self, context: ApiContext, *, caller_from_signature: bool = False) -> None:
        self.context = context
        # Where signatures are not verified (LocalStack, the dev server), who signed a request is
        # read from its Authorization header (customlabels.api.caller).
        self.caller_from_signature = caller_from_signature

    def handle(
        self, target: str | None, body: bytes | str | None, caller: Caller = UNKNOWN_CALLER
    ) -> ApiResponse:
        """Answer one request: ``target`` is the X-Amz-Target header, ``body`` the raw body,
        ``caller`` who signed it (project policies decide CopyProjectVersion by it)."""
        operation = "?"
        try:
            operation = protocol.operation_name(target, model.CUSTOM_LABELS_OPERATIONS)
            operation_model = model.operation(operation)
            request = validation.validate(operation_model.input_shape, protocol.decode_body(body))
            result = HANDLERS[operation](self.context.for_caller(caller), request)
            return protocol.success(operation_model.output_shape, result)
        except ApiError as error:
            logger.info("%s failed: %s: %s", operation, error.code, error.message)
            return protocol.failure(error)
        except DocumentNotFound:
            return protocol.failure(
                ResourceNotFoundException("The resource was deleted while the request ran")
            )
        except WriteConflict:
            # botocore retries ThrottlingException by itself, which is right for a lost race.
            return protocol.failure(
                ThrottlingException("Too many concurrent changes to this resource; try your call again")
            )
        except TransitionError as error:
            return protocol.failure(ResourceInUseException(f"The resource changed meanwhile: {error}"))
        except Exception:
            logger.exception("%s failed unexpectedly", operation)
            return protocol.failure(InternalServerError(GENERIC_INTERNAL_MESSAGE))


def create_api(
    settings: Settings,
    *,
    s3: S3Client | None = None,
    stepfunctions: SFNClient | None = None,
    backends: Backends | None = None,
) -> Api:
    """The API for ``settings``: metadata and dataset entries in ``settings.data_bucket``, Step
    Functions pipelines when their ARNs are set. Clients are created from the settings unless given.

    Raises:
        ValueError: no data bucket is configured.
    """
    bucket = aws.data_bucket(settings, holds="the API keeps its metadata")
    s3 = s3 or aws.client("s3", settings, max_pool_connections=32)
    if backends is None:
        stepfunctions = stepfunctions or aws.client("stepfunctions", settings, max_pool_connections=32)
        pipelines = _pipelines(settings, stepfunctions)
        entries = StoredEntries(EntryStore(s3, bucket), pipelines)
        backends = Backends(pipelines=pipelines, entries=entries, hosting=_hosting(settings, stepfunctions))
    context = ApiContext(
        Repository(MetadataStore(s3, bucket)),
        region=settings.region,
        account=settings.account_id,
        backends=backends,
    )
    return Api(context, caller_from_signature=settings.caller_from_signature)


def _pipelines(settings: Settings, client: SFNClient) -> StepFunctionsPipelines | None:
    if not (settings.dataset_pipeline_arn or settings.training_pipeline_arn):
        return None
    return StepFunctionsPipelines(
        client,
        dataset_pipeline_arn=settings.dataset_pipeline_arn,
        training_pipeline_arn=settings.training_pipeline_arn,
        copy_pipeline_arn=settings.copy_pipeline_arn,
    )


def _hosting(settings: Settings, stepfunctions: SFNClient) -> LambdaModelHosting | None:
    if not (settings.hosting_pipeline_arn and settings.detect_function_name):
        return None
    # One attempt: a retried invoke would run the model twice; callers retry what is retryable.
    # The read timeout outlasts the detection function's own (a cold start loads the model).
    invoke = aws.client("lambda", settings, read_timeout=70, retries={"mode": "standard", "max_attempts": 1})
    return LambdaModelHosting(
        stepfunctions,
        invoke,
        hosting_pipeline_arn=settings.hosting_pipeline_arn,
        detect_function_name=settings.detect_function_name,
        capacity_kind=settings.inference_capacity,
    )
