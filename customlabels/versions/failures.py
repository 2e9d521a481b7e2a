"""How a failed training is told apart and reported: the caller's error or ours.

The guide reports a failed training on the model: ``Status`` ``TRAINING_FAILED`` and a
``StatusMessage``. Terminal manifest file and content errors are the caller's, and their
``StatusMessage`` is the guide's message (L5166, L5192); anything else is a service error with
"Amazon Rekognition experienced a service issue." (L5164, L5170).

The steps raise :class:`TrainingClientError` for the caller's errors. Step Functions catches it
from a Lambda step as ``{"Error": "TrainingClientError", "Cause": <JSON with errorMessage>}`` and
``RecordFailure`` turns it back into a :class:`Failure` with :func:`classify`. A Batch job only
reports an exit code, so the training job also writes its outcome (with the message) next to the
model, which ``RecordFailure`` reads when the caught error is not one of ours
(:mod:`customlabels.versions.job_outcome`).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from customlabels.manifests import ManifestError
from customlabels.resources.status import SERVICE_ISSUE

_CODE_PREFIX = re.compile(r"^(ERROR_[A-Z0-9_]+): (.*)$", re.DOTALL)


class TrainingClientError(Exception):
    """Training stopped because of the caller's input (the guide's terminal errors).

    ``str(error)`` is ``"<code>: <message>"`` (just the message when the guide has no code for
    it, L5730), so the execution history shows the code; ``message`` is the ``StatusMessage``.
    """

    def __init__(self, message: str, code: str | None = None) -> None:
        self.message = message
        self.code = code
        super().__init__(f"{code}: {message}" if code else message)


class VersionSuperseded(Exception):
    """The model is no longer training (it was deleted, or the training already ended)."""


@contextmanager
def client_errors() -> Iterator[None]:
    """Re-raise the manifest package's terminal errors as :class:`TrainingClientError`."""
    try:
        yield
    except ManifestError as error:
        raise TrainingClientError(error.message, error.code) from error


@dataclass(frozen=True)
class Failure:
    """What RecordFailure writes on the model: the message, and whose fault it was."""

    message: str
    client_error: bool

    @classmethod
    def service(cls) -> Failure:
        return cls(SERVICE_ISSUE, client_error=False)


def classify(error: str | None, cause: str | None) -> Failure:
    """The failure for an error Step Functions caught (``$.Failure.Error`` and ``.Cause``)."""
    if error == TrainingClientError.__name__:
        message = _error_message(cause)
        matched = _CODE_PREFIX.match(message)
        text = matched.group(2) if matched else message
        return Failure(text, client_error=True) if text else Failure.service()
    return Failure.service()


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
