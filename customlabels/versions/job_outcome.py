"""What the training job reports back: ``TrainModel`` → ``FinalizeVersion`` / ``RecordFailure``.

The job writes one JSON document next to the model (``job/outcome.json``, see
:mod:`customlabels.versions.layout`) whether it succeeds or stops on the caller's error: a Batch
job that Step Functions runs with ``.sync`` returns only the job's description, not its output,
so the document is how its results (and the guide's message for a failed training) reach the
recording steps. The Lambda path writes the same document, so both targets finish alike.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass(frozen=True)
class JobOutcome:
    """The training job's report for one model.

    Attributes:
        succeeded: the model was trained, exported and evaluated.
        message, code: for a training stopped by the caller's data, the guide's message and code.
        f1: the test F1 (``EvaluationResult.F1Score``).
        evaluation_summary: ``S3Object`` of the summary file under OutputConfig (L7410-7421).
        testing_snapshot: ``S3Object`` of the evaluation manifest snapshot (``TestingDataResult``).
        billable_seconds: the training's duration (``BillableTrainingTimeInSeconds``).
        details: task, labels, image counts, durations and device, for logs and the execution history.
    """

    project_version_arn: str
    succeeded: bool
    message: str | None = None
    code: str | None = None
    f1: float | None = None
    evaluation_summary: dict[str, str] | None = None
    testing_snapshot: dict[str, str] | None = None
    billable_seconds: int | None = None
    details: dict[str, Any] = field(default_factory=dict)

    def to_json(self) -> bytes:
        return json.dumps(asdict(self), indent=2, sort_keys=True).encode("utf-8")

    @classmethod
    def from_json(cls, data: bytes) -> JobOutcome:
        document = json.loads(data)
        names = set(cls.__dataclass_fields__)
        return cls(**{key: value for key, value in document.items() if key in names})

    def to_event(self) -> dict[str, Any]:
        """A short summary for the execution's history (Step Functions caps a state at 256 KB)."""
        return {
            "Succeeded": self.succeeded,
            "F1Score": self.f1,
            "BillableTrainingTimeInSeconds": self.billable_seconds,
            "StatusMessage": self.message,
        }
