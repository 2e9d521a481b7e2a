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

from contextlib import AbstractContextManager
from dataclasses import dataclass

from customlabels.resources.failures import (
    ClientError,
    client_error_message,
    manifest_errors_as,
)
from customlabels.resources.status import SERVICE_ISSUE

__all__ = [
    "Failure",
    "TrainingClientError",
    "VersionSuperseded",
    "classify",
    "client_errors",
]


class TrainingClientError(ClientError):
    """Training stopped because of the caller's input (the guide's terminal errors).

    ``str(error)`` is ``"<code>: <message>"`` (just the message when the guide has no code for
    it, L5730), so the execution history shows the code; ``message`` is the ``StatusMessage``.
    """


class VersionSuperseded(Exception):
    """The model is no longer training (it was deleted, or the training already ended)."""


def client_errors() -> AbstractContextManager[None]:
    """Re-raise the manifest package's terminal errors as :class:`TrainingClientError`."""
    return manifest_errors_as(TrainingClientError)


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
    message = client_error_message(error, cause, TrainingClientError)
    return Failure(message, client_error=True) if message else Failure.service()
