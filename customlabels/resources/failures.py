"""What the dataset, training and copy pipelines share in telling the caller's errors from ours.

A step raises a :class:`ClientError` subclass (``DatasetClientError``, ``TrainingClientError``,
``CopyClientError``)
for the caller's input; its ``str()`` is ``"<code>: <message>"`` (just the message when the
guide has no code for it), so the execution's history shows the guide's code. Step Functions
catches every error from a Lambda step as ``{"Error": <exception type>, "Cause": <JSON with
errorMessage>}``, and each pipeline's ``RecordFailure`` reads it back with
:func:`client_error_message`: the ``StatusMessage`` for its own client error, or ``None`` for
anything else (a service error, reported with the guide's service-issue message, L5164).

Each pipeline keeps its own error types and ``Failure`` record
(:mod:`customlabels.datasets.failures`, :mod:`customlabels.versions.failures`,
:mod:`customlabels.versions.copying`); only the wire format lives here.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from contextlib import contextmanager

from customlabels.manifests import ManifestError

_CODE_PREFIX = re.compile(r"^(ERROR_[A-Z0-9_]+): (.*)$", re.DOTALL)


class ClientError(Exception):
    """A pipeline step failed because of the caller's input (``CLIENT_ERROR``).

    ``str(error)`` is ``"<code>: <message>"`` (or just the message when the guide has no code
    for it); ``message`` is what ``StatusMessage`` shows.
    """

    def __init__(self, message: str, code: str | None = None) -> None:
        self.message = message
        self.code = code
        super().__init__(f"{code}: {message}" if code else message)


@contextmanager
def manifest_errors_as(client_error: type[ClientError]) -> Iterator[None]:
    """Re-raise the manifest package's terminal errors (:class:`ManifestError`) as ``client_error``.

    Args:
        client_error: the pipeline's :class:`ClientError` subclass; its name is the ``Error``
            that Step Functions catches and :func:`client_error_message` looks for.
    """
    try:
        yield
    except ManifestError as error:
        raise client_error(error.message, error.code) from error


def client_error_message(error: str | None, cause: str | None, client_error: type[ClientError]) -> str | None:
    """The ``StatusMessage`` of a caught ``client_error`` (``$.Failure.Error`` and ``.Cause``).

    Returns:
        The error's message without its ``"<code>: "`` prefix (``""`` when the Cause holds no
        message), or ``None`` when the caught error is not ``client_error`` (a service error).
    """
    if error != client_error.__name__:
        return None
    message = error_message(cause)
    matched = _CODE_PREFIX.match(message)
    return matched.group(2) if matched else message


def error_message(cause: str | None) -> str:
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
