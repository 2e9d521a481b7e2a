"""What a training validates: the training and test JSON Lines, from datasets or from manifests.

CreateProjectVersion trains on the project's datasets, or, for a project without datasets, on
the manifests of ``TrainingData`` and ``TestingData`` (botocore's CreateProjectVersion docs, guide
L4740-4744). The test set is split from the training set, 20 % of it (L4680-4683, L5871), when
the project has no test dataset or the request says ``TestingData.AutoCreate``.

Manifests get the guide's terminal file checks (L5728-5780: name, access, size, emptiness);
datasets were checked when they were created, but an empty one is still "The manifest file is
empty." (L5742): training needs lines. The entries are read as stored: dataset entries carry
``cl-*`` keys, which validation strips (L5713).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol

from customlabels.datasets.entry_store import EntryStore
from customlabels.manifests import ManifestFileError, Purpose
from customlabels.manifests.codes import ErrorCode
from customlabels.resources.records import Project, ProjectVersion


class ManifestReader(Protocol):
    """Reads a manifest's JSON Lines with the guide's file checks (raises ManifestFileError)."""

    def read(self, location: dict[str, str], *, purpose: Purpose = Purpose.DATASET) -> list[str]: ...


@dataclass(frozen=True)
class TrainingInputs:
    """The lines to validate, and the ``Input`` members of the data results."""

    training_lines: list[str]
    testing_lines: list[str] | None  # None: the test set is split from the training lines
    training_input: dict[str, Any]  # TrainingDataResult.Input
    testing_input: dict[str, Any]  # TestingDataResult.Input

    @property
    def auto_split(self) -> bool:
        return self.testing_lines is None


def manifest_location(data: dict[str, Any] | None) -> dict[str, str] | None:
    """The ``S3Object`` of the one Ground Truth manifest of ``TrainingData``/``TestingData``."""
    assets = (data or {}).get("Assets") or []
    if not assets:
        return None
    location: dict[str, str] = assets[0]["GroundTruthManifest"]["S3Object"]
    return location


def splits_test_set(project: Project, version: ProjectVersion) -> bool:
    """Whether the test set is split from training (no test dataset, or TestingData.AutoCreate)."""
    if version.training_data is not None:
        return bool((version.testing_data or {}).get("AutoCreate"))
    return "TEST" not in project.datasets


class InputReader:
    """Reads a model's training and test lines from the data bucket or the request's manifests."""

    def __init__(self, entries: EntryStore, manifests: ManifestReader) -> None:
        self._entries = entries
        self._manifests = manifests

    def read(self, project: Project, version: ProjectVersion) -> TrainingInputs:
        """The lines of ``version``'s training and test data.

        Raises:
            ManifestFileError: a manifest is missing, unreadable, too large or empty.
            ValueError: the project lost its training dataset (the API refuses that while training).
        """
        auto_split = splits_test_set(project, version)
        if version.training_data is not None:
            training = self._manifest(version.training_data)
            testing = None if auto_split else self._manifest(version.testing_data)
            return TrainingInputs(
                training, testing, dict(version.training_data), dict(version.testing_data or {})
            )
        train_dataset = project.datasets.get("TRAIN")
        if train_dataset is None:
            raise ValueError(f"the project {project.arn} has no training dataset")
        training = self._dataset_lines(train_dataset.entries_key)
        testing = None if auto_split else self._dataset_lines(project.datasets["TEST"].entries_key)
        return TrainingInputs(training, testing, {}, {"AutoCreate": auto_split})

    def _manifest(self, data: dict[str, Any] | None) -> list[str]:
        location = manifest_location(data)
        if location is None:
            raise ManifestFileError(
                ErrorCode.ERROR_MANIFEST_INACCESSIBLE_OR_UNSUPPORTED_FORMAT, context="no manifest asset given"
            )
        return self._manifests.read(location, purpose=Purpose.TRAINING)

    def _dataset_lines(self, entries_key: str | None) -> list[str]:
        lines = self._entries.lines(entries_key)
        if not lines:
            raise ManifestFileError(ErrorCode.ERROR_EMPTY_MANIFEST, context="the dataset has no entries")
        return lines
