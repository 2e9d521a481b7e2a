"""The errors the API sends, mirroring the service's wire codes.

One base class carries the wire code (``__type``), the HTTP status and the message. Every error
structure of the botocore model has exactly one subclass here, named like the shape, so that
``client.exceptions.<Name>`` catches what we raise; the HTTP status is derived from the model:
errors it marks as ``fault`` (InternalServerError, ThrottlingException) are 500s, the rest 400s,
which is what the Rekognition API reference lists for them. The model is checked against this
module at import time, so a botocore upgrade that adds or renames an error fails loudly.

Four errors are not in the model because the service's request framework sends them before an
operation runs; botocore surfaces them as ``ClientError`` with that code:

- ``ValidationException``: a request that violates the model's constraints ("1 validation error
  detected: ..."), as the real service answers, e.g. for DescribeProjects MaxResults > 100.
- ``SerializationException``: a body that is not a JSON object.
- ``UnknownOperationException``: an ``X-Amz-Target`` that names no operation customlabels serves.
- ``NotImplemented`` (501, not retried by botocore): a modelled operation whose back end
  (dataset pipeline, training, model hosting) this deployment does not have.
"""

from __future__ import annotations

from typing import ClassVar

from customlabels.api import model


class ApiError(Exception):
    """An error response: ``{"__type": code, "message": message}`` with ``status``."""

    code: ClassVar[str] = "ApiError"
    status: ClassVar[int] = 400

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __init_subclass__(cls, **kwargs: object) -> None:
        super().__init_subclass__(**kwargs)
        if "code" not in cls.__dict__:
            cls.code = cls.__name__


class ModelledError(ApiError):
    """An error declared by the botocore model; its status comes from the model."""

    def __init_subclass__(cls, **kwargs: object) -> None:
        super().__init_subclass__(**kwargs)
        if cls.__name__ not in model.error_shapes():
            raise TypeError(f"{cls.__name__} is not an error of the rekognition model")
        traits = model.error_traits(cls.__name__)
        declared = traits.get("error", {}).get("httpStatusCode")
        cls.status = int(declared) if declared else (500 if traits.get("fault") else 400)


# Errors of the botocore model, alphabetical.
class AccessDeniedException(ModelledError):
    """You are not authorized to perform the action."""


class ConflictException(ModelledError):
    """A conflicting operation is in progress."""


class HumanLoopQuotaExceededException(ModelledError):
    """Too many in-progress human reviews (not used by Custom Labels)."""


class IdempotentParameterMismatchException(ModelledError):
    """A ClientRequestToken was reused with different parameters."""


class ImageTooLargeException(ModelledError):
    """The input image is larger than the allowed size."""


class InternalServerError(ModelledError):
    """The service experienced an issue; the caller may retry."""


class InvalidImageFormatException(ModelledError):
    """The image is not a PNG or JPEG."""


class InvalidManifestException(ModelledError):
    """The manifest is not valid (not used by Custom Labels)."""


class InvalidPaginationTokenException(ModelledError):
    """The pagination token is not one this service issued for this request."""


class InvalidParameterException(ModelledError):
    """An input parameter violated a constraint beyond the model's shape checks."""


class InvalidPolicyRevisionIdException(ModelledError):
    """The policy revision id is not the current revision."""


class InvalidS3ObjectException(ModelledError):
    """An S3 object cannot be read."""


class LimitExceededException(ModelledError):
    """A service limit was exceeded (e.g. 5 project policies per project)."""


class MalformedPolicyDocumentException(ModelledError):
    """The project policy document is not valid JSON or not a valid policy."""


class ProvisionedThroughputExceededException(ModelledError):
    """The model's inference units cannot serve more requests per second."""


class ResourceAlreadyExistsException(ModelledError):
    """A resource with the given identity already exists."""


class ResourceInUseException(ModelledError):
    """The resource is in a state that does not allow the operation."""


class ResourceNotFoundException(ModelledError):
    """The resource does not exist."""


class ResourceNotReadyException(ModelledError):
    """The resource is not ready, e.g. a model that is not running."""


class ServiceQuotaExceededException(ModelledError):
    """A resource would exceed its size quota (e.g. 50 tags per resource)."""


class SessionNotFoundException(ModelledError):
    """A face liveness session was not found (not used by Custom Labels)."""


class ThrottlingException(ModelledError):
    """The service is temporarily unable to process the request; retry."""


class VideoTooLargeException(ModelledError):
    """The video is too large (not used by Custom Labels)."""


# Errors of the request framework, outside the model.
class ValidationException(ApiError):
    """The request does not satisfy the model's constraints."""


class SerializationException(ApiError):
    """The body could not be read as a JSON object."""


class UnknownOperationException(ApiError):
    """The X-Amz-Target names no operation served here."""


class NotAvailableError(ApiError):
    """The operation needs a back end this deployment does not have (wire code of S3's 501)."""

    code = "NotImplemented"
    status = 501


MODELLED_ERRORS: dict[str, type[ModelledError]] = {
    cls.__name__: cls for cls in ModelledError.__subclasses__()
}

_missing = sorted(set(model.error_shapes()) - set(MODELLED_ERRORS))
if _missing:
    raise ImportError(f"errors of the rekognition model without a class: {', '.join(_missing)}")

GENERIC_INTERNAL_MESSAGE = "Amazon Rekognition experienced a service issue. Try your call again."
