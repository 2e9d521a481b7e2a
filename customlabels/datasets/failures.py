"""How a failed dataset operation is told apart and reported: client error or service error.

The service reports a failed create or update on the dataset: ``Status`` ``CREATE_FAILED`` or
``UPDATE_FAILED``, ``StatusMessage`` and ``StatusMessageCode`` (``CLIENT_ERROR``: "check the
input parameters to the dataset API call that failed"; ``SERVICE_ERROR``: "try the API call
again later", botocore's ``DatasetDescription``). Terminal manifest errors are the caller's, and
their ``StatusMessage`` is the guide's message for the code (L4475-4588); anything else is ours,
with the guide's service-issue message (L5164).

The pipeline's steps raise :class:`DatasetClientError` for the caller's errors; Step Functions
catches every error into ``{"Error": <exception type>, "Cause": <JSON with errorMessage>}`` and
the ``RecordFailure`` step turns that back into a :class:`Failure` with :func:`classify`. The
guide's code travels in the message (``"<CODE>: <message>"``), so that the execution's history
shows it too.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from customlabels.manifests import DatasetRequestError, ManifestError
from customlabels.resources.status import SERVICE_ISSUE, DatasetStatusMessageCode

_CODE_PREFIX = re.compile(r"^(ERROR_[A-Z0-9_]+): (.*)$", re.DOTALL)


class DatasetClientError(Exception):
    """The operation failed because of the caller's input (``CLIENT_ERROR``).

    ``str(error)`` is ``"<code>: <message>"`` (or just the message when the guide has no code
    for it); ``message`` is what ``StatusMessage`` shows.
    """

    def __init__(self, message: str, code: str | None = None) -> None:
        self.message = message
        self.code = code
        super().__init__(f"{code}: {message}" if code else message)


class DatasetSuperseded(Exception):
    """The dataset no longer runs this operation (deleted, or another operation took over)."""


@contextmanager
def client_errors() -> Iterator[None]:
    """Re-raise the manifest package's terminal and request errors as :class:`DatasetClientError`."""
    try:
        yield
    except ManifestError as error:
        raise DatasetClientError(error.message, error.code) from error
    except DatasetRequestError as error:
        raise DatasetClientError(error.message) from error


@dataclass(frozen=True)
class Failure:
    """What RecordFailure writes on the dataset."""

    message: str
    code: DatasetStatusMessageCode


def classify(error: str | None, cause: str | None) -> Failure:
    """The status message and code for a caught error (``$.Failure.Error`` and ``.Cause``)."""
    if error == DatasetClientError.__name__:
        message = _error_message(cause)
        matched = _CODE_PREFIX.match(message)
        return Failure(
            matched.group(2) if matched else message or SERVICE_ISSUE, DatasetStatusMessageCode.CLIENT_ERROR
        )
    return Failure(SERVICE_ISSUE, DatasetStatusMessageCode.SERVICE_ERROR)


def _error_message(cause: str | None) -> str:
    """A Lambda error's ``errorMessage`` from the Cause JSON (the Cause itself if it is not JSON)."""
    if not cause:
        return ""
    try:
        document = json.loads(cause)
    except ValueError:
        return cause
    if isinstance(document, dict):
        return str(document.get("errorMessage", ""))
    return cause
