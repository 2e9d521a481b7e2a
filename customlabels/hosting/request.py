"""The hosting state machine's input: which model, which operation, and which run of it.

StartProjectVersion and StopProjectVersion each give the model a new ``hosting_operation_id``
and start one execution with ``{"Operation", "ProjectVersionArn", "OperationId"}``. Every step
acts only while the model still carries that id: a Stop that arrives while the model is
STARTING takes the model over, and the Start's remaining steps end as superseded instead of
marking it RUNNING. Steps add their results to the state (``$.Model``, ``$.Capacity``) and a
caught failure as ``$.Failure`` (``{"Error", "Cause"}``, as Step Functions catches it).
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from typing import Any

START = "StartProjectVersion"
STOP = "StopProjectVersion"
OPERATIONS = (START, STOP)


@dataclass(frozen=True)
class HostingRequest:
    """One Start or Stop of one model."""

    operation: str
    version_arn: str
    operation_id: str

    @classmethod
    def from_event(cls, event: dict[str, Any]) -> HostingRequest:
        """Read the execution input from a step's event.

        Raises:
            ValueError: the event is not a hosting request.
        """
        operation = event.get("Operation")
        if operation not in OPERATIONS:
            raise ValueError(f"Operation must be one of {', '.join(OPERATIONS)}, got {operation!r}")
        return cls(operation, str(event["ProjectVersionArn"]), str(event["OperationId"]))

    def to_event(self) -> dict[str, Any]:
        return {
            "Operation": self.operation,
            "ProjectVersionArn": self.version_arn,
            "OperationId": self.operation_id,
        }

    def execution_name(self) -> str:
        """A Step Functions execution name (at most 80 of ``[A-Za-z0-9_-]``), unique per operation."""
        digest = hashlib.sha256(self.version_arn.encode()).hexdigest()[:16]
        return f"{self.operation[:5].lower()}-{digest}-{self.operation_id}"


def new_operation_id(now_ms: int) -> str:
    """An id for a new Start or Stop: sortable by time, unique (random suffix)."""
    return f"{now_ms:013d}-{secrets.token_hex(4)}"
