"""The dataset pipeline's execution input: one contract for the API that starts executions and the
steps that read them.

Every execution carries the API operation that started it (the state machine branches on it),
the dataset it works on and, for updates and distributions, the id of the operation, which the
dataset record holds while the operation runs (see
:class:`~customlabels.resources.records.Dataset`); a dataset is created once, so a creation
needs no id (its records have ``operation_id`` None). Per operation:

=========================  ================================================================
``CreateDataset``          ``DatasetSource`` as requested, plus ``ManifestS3`` (the manifest's
                           ``{Bucket, Name, Version?}``) when built from a manifest
``UpdateDatasetEntries``   ``ChangesKey``: the change set the API staged (it can be 5 MB, far
                           beyond a Step Functions input)
``DistributeDatasetEntries``  ``TestDatasetArn``; ``DatasetArn`` is the training dataset
=========================  ================================================================
"""

from __future__ import annotations

import json
import re
import secrets
from dataclasses import dataclass, field
from typing import Any

CREATE = "CreateDataset"
UPDATE = "UpdateDatasetEntries"
DISTRIBUTE = "DistributeDatasetEntries"
OPERATIONS = (CREATE, UPDATE, DISTRIBUTE)


@dataclass(frozen=True)
class PipelineInput:
    """What one execution of the dataset pipeline is asked to do."""

    operation: str
    dataset_arn: str
    operation_id: str | None
    dataset_source: dict[str, Any] = field(default_factory=dict)
    changes_key: str | None = None
    test_dataset_arn: str | None = None

    def __post_init__(self) -> None:
        if self.operation not in OPERATIONS:
            raise ValueError(f"Operation must be one of {', '.join(OPERATIONS)}, got {self.operation!r}")

    @property
    def revision_id(self) -> str:
        """The name of the revision this operation writes (see ``EntryStore.revision_key``)."""
        return self.operation_id or "created"

    @property
    def dataset_arns(self) -> list[str]:
        """Every dataset the operation changes (both for a distribution)."""
        return [self.dataset_arn] + ([self.test_dataset_arn] if self.test_dataset_arn else [])

    @property
    def manifest(self) -> dict[str, str] | None:
        """The manifest's ``S3Object`` (``Bucket``, ``Name``, optional ``Version``), if any."""
        manifest = (self.dataset_source.get("GroundTruthManifest") or {}).get("S3Object")
        return dict(manifest) if manifest else None

    @property
    def copied_dataset_arn(self) -> str | None:
        return self.dataset_source.get("DatasetArn")

    def to_event(self) -> dict[str, Any]:
        event: dict[str, Any] = {"Operation": self.operation, "DatasetArn": self.dataset_arn}
        if self.operation_id:
            event["OperationId"] = self.operation_id
        if self.operation == CREATE:
            event["DatasetSource"] = self.dataset_source
            if self.manifest:
                event["ManifestS3"] = self.manifest
        if self.changes_key:
            event["ChangesKey"] = self.changes_key
        if self.test_dataset_arn:
            event["TestDatasetArn"] = self.test_dataset_arn
        return event

    def to_json(self) -> str:
        return json.dumps(self.to_event())

    @classmethod
    def from_event(cls, event: dict[str, Any]) -> PipelineInput:
        """Read an execution input (extra members, such as step results, are ignored).

        Raises:
            KeyError, ValueError: the event is not a dataset pipeline input.
        """
        return cls(
            operation=event["Operation"],
            dataset_arn=event["DatasetArn"],
            operation_id=event.get("OperationId"),
            dataset_source=event.get("DatasetSource") or {},
            changes_key=event.get("ChangesKey"),
            test_dataset_arn=event.get("TestDatasetArn"),
        )

    def execution_name(self) -> str:
        """A Step Functions execution name unique to this operation (names must be unique)."""
        return execution_name(f"{self.dataset_arn}/{self.revision_id}")


def execution_name(resource_arn: str) -> str:
    """A valid, unique Step Functions execution name (<= 80 of ``[A-Za-z0-9_-]``) for a resource."""
    path = resource_arn.split(":", 5)[-1]
    name = re.sub(r"[^A-Za-z0-9_-]", "-", path)
    return name if len(name) <= 80 else name[:40] + name[-40:]


def new_operation_id(now_ms: int) -> str:
    """An id for a new dataset operation: sortable by start time, unique (random suffix)."""
    return f"{now_ms:013d}-{secrets.token_hex(4)}"
