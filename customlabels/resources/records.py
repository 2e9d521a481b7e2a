"""Typed records of the service's resources, as stored in the metadata documents.

A :class:`Project` document also holds the project's datasets, policies and tags: everything
DescribeProjects and the policy and tag operations need is one read, and the rules that span
them (one TRAIN and one TEST dataset, at most 5 policies, at most 50 tags) are checked and
written atomically with one conditional write. Models (:class:`ProjectVersion`) are documents of
their own, since a project can have many and each changes on its own (training, start, stop).

Timestamps are epoch milliseconds, the unit of the ARN suffix; ARNs are derived, never stored.
Nested result structures of a model (``OutputConfig``, ``TrainingDataResult``,
``EvaluationResult``...) are kept in their wire shape, as the training pipeline reports them.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields
from typing import Any

from customlabels.resources import arns
from customlabels.resources.status import (
    DatasetStatus,
    DatasetStatusMessageCode,
    ProjectStatus,
    ProjectVersionStatus,
)

SCHEMA_VERSION = 1
CUSTOM_LABELS = "CUSTOM_LABELS"
CONTENT_MODERATION = "CONTENT_MODERATION"
FEATURES = (CUSTOM_LABELS, CONTENT_MODERATION)  # the model's CustomizationFeature, most used first


@dataclass
class DatasetStats:
    """Entry counts of a dataset, kept current by the dataset pipeline."""

    labeled_entries: int = 0
    total_entries: int = 0
    total_labels: int = 0
    error_entries: int = 0


@dataclass
class Dataset:
    """A project's TRAIN or TEST dataset.

    The entries themselves are an immutable JSON Lines object per revision in the data bucket
    (:mod:`customlabels.datasets.entry_store`); ``entries_key`` names the current one (``None``:
    no entries yet). The dataset pipeline writes a new revision and then switches
    ``entries_key``, ``stats`` and ``status`` in one conditional write of the project
    document, so a failed operation leaves the previous entries in place. ``operation_id``
    names the update or distribution in progress (or the last one; ``None`` until the first):
    the pipeline records its result only while the dataset still runs that operation.
    """

    region: str
    account: str
    project_name: str
    dataset_type: str
    created_ms: int
    status: DatasetStatus
    status_message: str
    status_message_code: DatasetStatusMessageCode | None
    last_updated_ms: int
    stats: DatasetStats = field(default_factory=DatasetStats)
    source: dict[str, Any] | None = None
    tags: dict[str, str] = field(default_factory=dict)
    entries_key: str | None = None
    operation_id: str | None = None

    @property
    def arn(self) -> str:
        return arns.dataset_arn(
            self.region, self.account, self.project_name, self.dataset_type, self.created_ms
        )

    @classmethod
    def from_document(cls, doc: dict[str, Any]) -> Dataset:
        values = _known(cls, doc)
        values["status"] = DatasetStatus(values["status"])
        code = values.get("status_message_code")
        values["status_message_code"] = DatasetStatusMessageCode(code) if code else None
        values["stats"] = DatasetStats(**_known(DatasetStats, values.get("stats") or {}))
        return cls(**values)


@dataclass
class ProjectPolicy:
    """A project policy; only its latest revision is kept (guide L14296)."""

    name: str
    revision_id: str
    document: str
    created_ms: int
    updated_ms: int


@dataclass
class Project:
    """A project with its datasets (by type), policies (by name) and tags."""

    region: str
    account: str
    name: str
    created_ms: int
    status: ProjectStatus
    feature: str = CUSTOM_LABELS
    auto_update: str | None = None
    tags: dict[str, str] = field(default_factory=dict)
    policies: dict[str, ProjectPolicy] = field(default_factory=dict)
    datasets: dict[str, Dataset] = field(default_factory=dict)

    @property
    def arn(self) -> str:
        return arns.project_arn(self.region, self.account, self.name, self.created_ms)

    def to_document(self) -> dict[str, Any]:
        return {"schema": SCHEMA_VERSION, **asdict(self)}

    @classmethod
    def from_document(cls, doc: dict[str, Any]) -> Project:
        values = _known(cls, doc)
        values["status"] = ProjectStatus(values["status"])
        values["policies"] = {
            name: ProjectPolicy(**_known(ProjectPolicy, item))
            for name, item in values.get("policies", {}).items()
        }
        values["datasets"] = {
            kind: Dataset.from_document(item) for kind, item in values.get("datasets", {}).items()
        }
        return cls(**values)


@dataclass
class ProjectVersion:
    """A model (project version): its training request, status and results."""

    region: str
    account: str
    project_name: str
    name: str
    created_ms: int
    status: ProjectVersionStatus
    status_message: str
    feature: str = CUSTOM_LABELS
    output_config: dict[str, Any] | None = None
    training_data: dict[str, Any] | None = None
    testing_data: dict[str, Any] | None = None
    kms_key_id: str | None = None
    version_description: str | None = None
    feature_config: dict[str, Any] | None = None
    source_project_version_arn: str | None = None
    tags: dict[str, str] = field(default_factory=dict)
    # set by training, copying and hosting
    training_end_ms: int | None = None
    billable_training_time_in_seconds: int | None = None
    training_data_result: dict[str, Any] | None = None
    testing_data_result: dict[str, Any] | None = None
    evaluation_result: dict[str, Any] | None = None
    manifest_summary: dict[str, Any] | None = None
    base_model_version: str | None = None
    min_inference_units: int | None = None
    max_inference_units: int | None = None
    # where the model's own files live in the data bucket; deleted with the model
    artifacts_prefix: str | None = None
    # set by model hosting (customlabels.hosting): the Start/Stop operation in progress (or the
    # last one), and the artifact version verified when the model started, which is what serves
    hosting_operation_id: str | None = None
    serving_etag: str | None = None

    @property
    def arn(self) -> str:
        return arns.version_arn(self.region, self.account, self.project_name, self.name, self.created_ms)

    def to_document(self) -> dict[str, Any]:
        return {"schema": SCHEMA_VERSION, **asdict(self)}

    @classmethod
    def from_document(cls, doc: dict[str, Any]) -> ProjectVersion:
        values = _known(cls, doc)
        values["status"] = ProjectVersionStatus(values["status"])
        return cls(**values)


def _known(cls: type, doc: dict[str, Any]) -> dict[str, Any]:
    """The members of ``doc`` that ``cls`` declares (documents may carry newer fields)."""
    names = {item.name for item in fields(cls)}
    return {key: value for key, value in doc.items() if key in names}
