"""Errors that DetectCustomLabels returns to its caller, named as botocore's rekognition model names them.

Each class carries the wire ``code`` (the botocore error shape name), the HTTP status and a message
that says what was wrong and what is allowed. They live here so that inference does not depend on
the API package; ``customlabels/api/errors.py`` can map them one to one by ``code``.

:class:`ModelArtifactError` is different: it means our own model files are broken, which is never
the caller's fault, so the API must answer it with ``InternalServerError`` and a generic message.
"""

from __future__ import annotations

from typing import ClassVar


class InferenceError(Exception):
    """A DetectCustomLabels error that the caller caused and may see."""

    code: ClassVar[str] = "InternalServerError"
    status: ClassVar[int] = 400

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class InvalidImageFormatException(InferenceError):
    """The image is not a PNG or JPEG, or it cannot be decoded."""

    code = "InvalidImageFormatException"


class ImageTooLargeException(InferenceError):
    """The image has too many bytes for its source, or more than 4096 pixels on a side."""

    code = "ImageTooLargeException"


class InvalidParameterException(InferenceError):
    """A request value or the image's shape breaks a constraint (too small, aspect ratio, ranges)."""

    code = "InvalidParameterException"


class InvalidS3ObjectException(InferenceError):
    """The S3 object named in ``Image.S3Object`` cannot be read."""

    code = "InvalidS3ObjectException"


class ResourceNotReadyException(InferenceError):
    """The model version is not ``RUNNING``; raised by the caller that knows the model's status."""

    code = "ResourceNotReadyException"


class ResourceNotFoundException(InferenceError):
    """The model version named by ``ProjectVersionArn`` does not exist."""

    code = "ResourceNotFoundException"


class ModelArtifactError(Exception):
    """``model.json`` or ``model.onnx`` breaks the artifact contract: an internal error, not the caller's."""
