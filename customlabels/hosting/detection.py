"""DetectCustomLabels as the detection function serves it: the API's request JSON in, its response out.

The function is reached two ways with the same payload: the API forwards DetectCustomLabels to
it (``customlabels.api.hosting``), and client apps call ``lambda.invoke`` directly
(``docs/detect-lambda.md``). The payload is the JSON 1.1 request body exactly as boto3 sends it
to the API (``ProjectVersionArn``, ``Image`` with base64 ``Bytes`` or ``S3Object``,
``MinConfidence``, ``MaxResults``), and it is validated against the same botocore input shape.

The answer is ``{"CustomLabels": [...]}`` or, for every error the service defines, the API's
error body ``{"__type": "<ErrorName>", "message": "..."}`` as the function's normal result (no
``FunctionError``): these are answers, not failures of the function, and a caller tells them
apart by the ``__type`` key. Our own faults (a broken model file, a bug) are answered as
``InternalServerError`` with a generic message and logged, so internals never reach the caller.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path
from typing import Any

from customlabels import aws
from customlabels.api import model
from customlabels.api.errors import (
    GENERIC_INTERNAL_MESSAGE,
    ApiError,
    InternalServerError,
    SerializationException,
)
from customlabels.api.validation import validate
from customlabels.hosting.models import ModelLookup, ServingModels, s3_fetch
from customlabels.inference.cache import ModelCache
from customlabels.inference.detect import S3ObjectRef, detect_custom_labels, detect_custom_labels_s3
from customlabels.inference.errors import InferenceError, InvalidParameterException
from customlabels.resources.repository import Repository
from customlabels.settings import Settings
from customlabels.store import MetadataStore

logger = logging.getLogger(__name__)

OPERATION = "DetectCustomLabels"


def error_document(code: str, message: str) -> dict[str, str]:
    """An error as the function answers it: the JSON 1.1 error body."""
    return {"__type": code, "message": message}


def image_source(image: dict[str, Any]) -> S3ObjectRef | bytes:
    """The image's bytes, or the S3 object that holds it.

    Raises:
        InvalidParameterException: not exactly one of ``Bytes`` and ``S3Object``, or an
            ``S3Object`` without ``Bucket`` and ``Name``.
    """
    if ("Bytes" in image) == ("S3Object" in image):
        raise InvalidParameterException("Image must have exactly one of Bytes or S3Object")
    if "Bytes" in image:
        return bytes(image["Bytes"])
    s3_object = image["S3Object"]
    if not (s3_object.get("Bucket") and s3_object.get("Name")):
        raise InvalidParameterException("Image.S3Object needs both Bucket and Name")
    return S3ObjectRef(s3_object["Bucket"], s3_object["Name"], s3_object.get("Version"))


class Detection:
    """Answers DetectCustomLabels payloads with a deployment's running models.

    Args:
        lookup: finds the model and refuses one that is not RUNNING.
        models: loads the model's predictor (cached in /tmp and in memory).
        get_object: reads an ``Image.S3Object`` (S3 ``GetObject`` with the caller's version).
    """

    def __init__(
        self, lookup: ModelLookup, models: ServingModels, get_object: Callable[[S3ObjectRef], bytes]
    ) -> None:
        self._lookup = lookup
        self._models = models
        self._get_object = get_object

    @classmethod
    def from_settings(cls, settings: Settings, *, s3: Any = None) -> Detection:
        """Detection over ``settings.data_bucket`` (an S3 client is created unless given)."""
        s3 = s3 or aws.client("s3", settings)
        repository = Repository(MetadataStore(s3, settings.data_bucket))
        lookup = ModelLookup(
            repository, region=settings.region, account=settings.account_id, ttl_s=settings.model_status_ttl_s
        )
        cache = ModelCache(s3_fetch(s3), Path(settings.model_cache_dir))
        return cls(lookup, ServingModels(cache, settings.data_bucket), s3_get_object(s3))

    def detect(self, request: dict[str, Any]) -> dict[str, Any]:
        """Answer a validated request (``Image.Bytes`` already decoded).

        Raises:
            InferenceError subclasses: the service's errors for this request.
        """
        source = image_source(request["Image"])
        version = self._lookup.running(request["ProjectVersionArn"])
        predictor = self._models.predictor(version)
        min_confidence, max_results = request.get("MinConfidence"), request.get("MaxResults")
        if isinstance(source, S3ObjectRef):
            return detect_custom_labels_s3(predictor, self._get_object, source, min_confidence, max_results)
        return detect_custom_labels(predictor, source, min_confidence, max_results)

    def answer(self, payload: Any) -> dict[str, Any]:
        """The function's reply to an invocation payload: the response or an error document."""
        try:
            if not isinstance(payload, dict):
                raise SerializationException(
                    f"The payload must be a JSON object, got {type(payload).__name__}"
                )
            request = validate(model.operation(OPERATION).input_shape, payload)
            return self.detect(request)
        except (InferenceError, ApiError) as error:
            code = error.code
            logger.info("DetectCustomLabels failed: %s: %s", code, error.message)
            return error_document(code, error.message)
        except Exception:
            logger.exception("DetectCustomLabels failed unexpectedly")
            return error_document(InternalServerError.code, GENERIC_INTERNAL_MESSAGE)


def s3_get_object(s3: Any) -> Callable[[S3ObjectRef], bytes]:
    """Reads ``Image.S3Object`` with ``s3`` (the object's version when the request names one)."""

    def get_object(ref: S3ObjectRef) -> bytes:
        arguments = {"Bucket": ref.bucket, "Key": ref.name}
        if ref.version:
            arguments["VersionId"] = ref.version
        body: bytes = s3.get_object(**arguments)["Body"].read()
        return body

    return get_object
