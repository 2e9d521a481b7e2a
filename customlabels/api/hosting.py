""":class:`~customlabels.api.backends.ModelHosting` on the hosting state machine and the detection function.

- Start and Stop start one execution of the hosting state machine each
  (:mod:`customlabels.hosting.request`), which moves the model on to RUNNING/STOPPED or FAILED.
- DetectCustomLabels is forwarded to the detection function with ``lambda.invoke``: the same JSON
  the caller sent, answered with the same JSON a direct invoke gets (``docs/detect-lambda.md``).

Why forward rather than run the model inside the API function: the inference units are capacity
of the detection function (provisioned concurrency of the model's alias on AWS), so requests
through the API use exactly the capacity StartProjectVersion reserved; the API function stays
small (no onnxruntime session and no model in its memory, quick cold starts for the control
plane); and detection has one implementation. The price is one invoke, a few milliseconds warm.

A synchronous invoke carries at most 6 MB of payload. ``Image.Bytes`` may be 4 MB (guide L8858),
5.6 MB in base64, so a valid request always fits; larger bytes are refused here, before the
invoke, with the ImageTooLargeException the function would have answered.
"""

from __future__ import annotations

import base64
import json
import logging
from typing import Any

from botocore.exceptions import ClientError

from customlabels.api.errors import (
    GENERIC_INTERNAL_MESSAGE,
    MODELLED_ERRORS,
    ApiError,
    ImageTooLargeException,
    InternalServerError,
    ProvisionedThroughputExceededException,
    ResourceNotReadyException,
    SerializationException,
    ValidationException,
)
from customlabels.hosting.capacity import detection_qualifier
from customlabels.hosting.request import START, STOP, HostingRequest
from customlabels.resources.records import ProjectVersion

logger = logging.getLogger(__name__)

_WIRE_ERRORS: dict[str, type[ApiError]] = {
    **MODELLED_ERRORS,
    ValidationException.code: ValidationException,
    SerializationException.code: SerializationException,
}


class LambdaModelHosting:
    """Starts and stops models through the hosting state machine; detects through the detection function.

    Args:
        stepfunctions: boto3 ``stepfunctions`` client.
        lambda_client: boto3 ``lambda`` client (its read timeout must outlast the function's).
        hosting_pipeline_arn: the hosting state machine.
        detect_function_name: the detection function.
        capacity_kind: ``Settings.inference_capacity``; with provisioned concurrency each model is
            invoked through its own alias.
    """

    def __init__(
        self,
        stepfunctions: Any,
        lambda_client: Any,
        *,
        hosting_pipeline_arn: str,
        detect_function_name: str,
        capacity_kind: str,
    ) -> None:
        self._stepfunctions = stepfunctions
        self._lambda = lambda_client
        self._pipeline = hosting_pipeline_arn
        self._function = detect_function_name
        self._capacity_kind = capacity_kind

    def start(self, version: ProjectVersion, min_units: int, max_units: int | None) -> None:
        """Start the execution that brings ``version`` (already STARTING, with its units) to RUNNING."""
        self._start_execution(START, version)

    def stop(self, version: ProjectVersion) -> None:
        """Start the execution that brings ``version`` (already STOPPING) to STOPPED."""
        self._start_execution(STOP, version)

    def detect(
        self,
        version: ProjectVersion,
        image: dict[str, Any],
        min_confidence: float | None,
        max_results: int | None,
    ) -> list[dict[str, Any]]:
        """The labels the detection function finds; its error answers are raised as API errors."""
        payload: dict[str, Any] = {"ProjectVersionArn": version.arn, "Image": _wire_image(image)}
        if min_confidence is not None:
            payload["MinConfidence"] = min_confidence
        if max_results is not None:
            payload["MaxResults"] = max_results
        answer = self._invoke(version, payload)
        if "__type" in answer:
            error_type = _WIRE_ERRORS.get(str(answer["__type"]))
            if error_type is None:
                logger.error("the detection function answered an unknown error: %s", answer)
                raise InternalServerError(GENERIC_INTERNAL_MESSAGE)
            raise error_type(str(answer.get("message", "")))
        labels: list[dict[str, Any]] = answer["CustomLabels"]
        return labels

    def _start_execution(self, operation: str, version: ProjectVersion) -> None:
        if not version.hosting_operation_id:
            raise ValueError(f"the model {version.arn} has no hosting operation to hand over")
        request = HostingRequest(operation, version.arn, version.hosting_operation_id)
        execution = {"name": request.execution_name(), "input": json.dumps(request.to_event())}
        self._stepfunctions.start_execution(stateMachineArn=self._pipeline, **execution)

    def _invoke(self, version: ProjectVersion, payload: dict[str, Any]) -> dict[str, Any]:
        arguments: dict[str, Any] = {"FunctionName": self._function, "Payload": json.dumps(payload).encode()}
        qualifier = detection_qualifier(self._capacity_kind, version.arn)
        if qualifier:
            arguments["Qualifier"] = qualifier
        try:
            reply = self._lambda.invoke(**arguments)
        except ClientError as error:
            code = error.response.get("Error", {}).get("Code")
            if code == "TooManyRequestsException":  # guide L7813: more TPS than the units serve
                raise ProvisionedThroughputExceededException(
                    "The model's inference units are all busy; retry, or start the model with more "
                    "(MinInferenceUnits) or with MaxInferenceUnits for auto scaling"
                ) from error
            if code == "ResourceNotFoundException":  # the model's alias is gone: it is stopping
                raise ResourceNotReadyException(f"The model {version.arn} is not running") from error
            raise
        body = reply["Payload"].read()
        if reply.get("FunctionError"):
            logger.error("the detection function failed: %s", body[:2000])
            raise InternalServerError(GENERIC_INTERNAL_MESSAGE)
        answer: dict[str, Any] = json.loads(body)
        return answer


def _wire_image(image: dict[str, Any]) -> dict[str, Any]:
    """``Image`` as JSON again: validation decoded ``Bytes``, the payload carries base64."""
    if "Bytes" not in image:
        return image
    # Imported on first use: Pillow is not needed by the rest of the control plane.
    from customlabels.inference.errors import InferenceError
    from customlabels.inference.images import ImageSource, check_byte_size

    data: bytes = image["Bytes"]
    try:
        check_byte_size(len(data), ImageSource.BYTES)
    except InferenceError as error:
        raise ImageTooLargeException(error.message) from error
    return {**image, "Bytes": base64.b64encode(data).decode("ascii")}
