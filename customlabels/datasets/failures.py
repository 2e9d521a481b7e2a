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

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from customlabels.manifests import DatasetRequestError
from customlabels.resources.failures import ClientError, client_error_message, manifest_errors_as
from customlabels.resources.status import SERVICE_ISSUE, DatasetStatusMessageCode


class DatasetClientError(ClientError):
    """The dataset operation failed because of the caller's input (``CLIENT_ERROR``).

    ``message`` is what ``StatusMessage`` shows; ``str(error)`` carries the guide's code too.
    """


class DatasetSuperseded(Exception):
    """The dataset no longer runs this operation (deleted, or another operation took over)."""


@contextmanager
def client_errors() -> Iterator[None]:
    """Re-raise the manifest package's terminal and request errors as :class:`DatasetClientError`."""
    try:
        with manifest_errors_as(DatasetClientError):
            yield
    except DatasetRequestError as error:
        raise DatasetClientError(error.message) from error


@dataclass(frozen=True)
class Failure:
    """What RecordFailure writes on the dataset."""

    message: str
    code: DatasetStatusMessageCode


def classify(error: str | None, cause: str | None) -> Failure:
    """The status message and code for a caught error (``$.Failure.Error`` and ``.Cause``)."""
    message = client_error_message(error, cause, DatasetClientError)
    if message is None:
        return Failure(SERVICE_ISSUE, DatasetStatusMessageCode.SERVICE_ERROR)
    return Failure(message or SERVICE_ISSUE, DatasetStatusMessageCode.CLIENT_ERROR)
