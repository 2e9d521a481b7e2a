"""Exceptions raised by the manifest core, and the two the storage edges raise into it.

Two families, because the service reports problems in two ways:

* :class:`ManifestError` and subclasses end an *asynchronous* operation (dataset creation or
  update, distribution, training). The caller records ``code``/``message`` on the resource:
  ``Status=*_FAILED``, ``StatusMessage=message``, ``StatusMessageCode=CLIENT_ERROR``.
* :class:`DatasetRequestError` subclasses reject a *synchronous* API request; ``api_error`` is
  the botocore error name (``InvalidParameterException``, ``LimitExceededException``) that the
  API layer puts in ``__type``.

The edges that read S3 or local files raise :class:`ObjectNotFoundError` or
:class:`ObjectAccessDeniedError`, so that the pure code can map them to the guide's codes
without knowing about boto3.
"""

from __future__ import annotations

from typing import ClassVar

from .codes import ErrorCode, ErrorDetail, detail


class ManifestError(Exception):
    """A terminal manifest problem with the guide's error code and message."""

    status_message_code: ClassVar[str] = "CLIENT_ERROR"

    def __init__(self, code: ErrorCode, *args: object, context: str = "") -> None:
        self.detail: ErrorDetail = detail(code, *args)
        self.context = context
        super().__init__(self.message if not context else f"{self.message} ({context})")

    @property
    def code(self) -> str:
        return self.detail.code

    @property
    def message(self) -> str:
        """The guide's message: what ``StatusMessage`` shows."""
        return self.detail.message


class ManifestFileError(ManifestError):
    """A terminal file error: the whole dataset operation or training fails (guide L4475, L5174).

    ``context`` carries our own detail for logs (e.g. the size found); the status message is
    the guide's message only, as the service shows it.
    """


class ManifestContentError(ManifestError):
    """A terminal content error raised outside a summary, e.g. an impossible automatic split."""


class DatasetRequestError(Exception):
    """A synchronous request error; ``api_error`` is the botocore error shape name."""

    api_error: ClassVar[str] = "InvalidParameterException"

    def __init__(self, message: str) -> None:
        self.message = message
        super().__init__(message)


class InvalidParameterError(DatasetRequestError):
    """``InvalidParameterException``: an input violates a constraint."""

    api_error = "InvalidParameterException"


class LimitExceededError(DatasetRequestError):
    """``LimitExceededException``: the request would pass one of the guide's quotas."""

    api_error = "LimitExceededException"


class ObjectNotFoundError(Exception):
    """Raised by a storage edge when the bucket or key does not exist."""


class ObjectAccessDeniedError(Exception):
    """Raised by a storage edge when the service may not read the object or bucket."""
