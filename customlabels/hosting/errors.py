"""The hosting steps' own exceptions, named for the state machine that catches them by name."""

from __future__ import annotations


class HostingError(Exception):
    """A failure whose message the model's StatusMessage shows as it is.

    The state machine hands the message to RecordFailure; any other error is shown as the
    service-issue message.
    """

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class HostingSuperseded(Exception):
    """The model no longer runs this operation (a newer Start/Stop took over, or it was deleted)."""
