"""Training-time validation: terminal content errors, the manifest summary, validation manifests.

:func:`validate_for_training` is what the training pipeline calls once the manifest *files*
passed :mod:`.manifest_file`. It validates every line, chooses the use case, splits the
training set when asked to (``TestingData.AutoCreate``), applies the guide's terminal content
rules (L5782-6081) and returns a :class:`TrainingValidation` that renders the three result
files (L5616-5622): ``manifest_summary.json`` and the training and testing validation manifests.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from . import quotas
from .codes import ErrorCode, ErrorDetail, detail
from .distribute import split_for_test
from .exceptions import ManifestFileError, ObjectAccessDeniedError, ObjectNotFoundError
from .image_header import ImageInspector
from .model import ManifestEntry
from .rules import LineStatus
from .validation import LineResult, ManifestValidation, gc_paused, renumbered, validate_manifest

SUMMARY_FILE = "manifest_summary.json"  # guide L5620-5622
TRAINING_VALIDATION_FILE = "training_manifest_with_validation.json"
TESTING_VALIDATION_FILE = "testing_manifest_with_validation.json"


class UseCase(StrEnum):
    """``statistics.*.use_case`` in the manifest summary (guide L5281)."""

    IMAGE_LEVEL_LABELS = "IMAGE_LEVEL_LABELS"
    OBJECT_LOCALIZATION = "OBJECT_LOCALIZATION"
    NOT_DETERMINED = "NOT_DETERMINED"


def usable_labels(entry: ManifestEntry, use_case: UseCase) -> set[str]:
    """The labels ``entry`` contributes to a model of ``use_case`` (guide L6016: other
    formats are filtered out)."""
    if use_case is UseCase.IMAGE_LEVEL_LABELS:
        return {label.class_name for label in entry.image_labels if label.usable}
    if use_case is UseCase.OBJECT_LOCALIZATION:
        return {box.label for attribute in entry.box_attributes for box in attribute.usable_boxes}
    return set()


def all_labels(entry: ManifestEntry) -> set[str]:
    """Labels of both formats that ``entry`` can train with."""
    return usable_labels(entry, UseCase.IMAGE_LEVEL_LABELS) | usable_labels(
        entry, UseCase.OBJECT_LOCALIZATION
    )


def choose_use_case(entries: Sequence[ManifestEntry]) -> UseCase:
    """The model type from the valid lines' formats (guide L6016).

    The guide does not say how a mixed manifest is decided; the format of most lines wins,
    and a tie goes to image-level labels.
    """
    image_level = sum(1 for entry in entries if usable_labels(entry, UseCase.IMAGE_LEVEL_LABELS))
    boxes = sum(1 for entry in entries if usable_labels(entry, UseCase.OBJECT_LOCALIZATION))
    if not image_level and not boxes:
        return UseCase.NOT_DETERMINED
    return UseCase.OBJECT_LOCALIZATION if boxes > image_level else UseCase.IMAGE_LEVEL_LABELS


@dataclass(slots=True)
class TrainingValidation:
    """The outcome of training validation and the three result files it renders."""

    training: ManifestValidation
    testing: ManifestValidation
    use_case: UseCase = UseCase.NOT_DETERMINED
    training_errors: list[ErrorDetail] = field(default_factory=list)
    testing_errors: list[ErrorDetail] = field(default_factory=list)
    errors: list[ErrorDetail] = field(default_factory=list)

    @property
    def failed(self) -> bool:
        """Any terminal content error stops training (guide L5196)."""
        return bool(self.training_errors or self.testing_errors or self.errors)

    @property
    def status_message(self) -> str | None:
        """``StatusMessage`` for ``TRAINING_FAILED``: the first error's message (L5166)."""
        for error in (*self.training_errors, *self.testing_errors, *self.errors):
            return error.message
        return None

    def add_error(self, error: ErrorDetail, dataset: str | None = None) -> None:
        """Record a content error found outside validation (bucket owner, copy failure).

        ``dataset`` is ``"training"``, ``"testing"`` or None for errors spanning both.
        """
        target = {"training": self.training_errors, "testing": self.testing_errors, None: self.errors}[
            dataset
        ]
        if error not in target:
            target.append(error)

    def training_entries(self) -> list[ManifestEntry]:
        """The entries training uses: valid lines with labels of the chosen use case."""
        return _usable(self.training, self.use_case)

    def testing_entries(self) -> list[ManifestEntry]:
        return _usable(self.testing, self.use_case)

    def summary(self) -> dict[str, Any]:
        """``manifest_summary.json`` in the guide's schema (L5277-5339)."""
        return {
            "statistics": {
                "training": self._statistics(self.training, self.training_errors),
                "testing": self._statistics(self.testing, self.testing_errors),
            },
            "errors": [error.to_json() for error in self.errors],
        }

    def summary_json(self) -> str:
        return json.dumps(self.summary(), indent=4)

    def training_manifest(self) -> str:
        """``training_manifest_with_validation.json``: one JSON Line per image, with errors."""
        with gc_paused():
            return _join(self.training)

    def testing_manifest(self) -> str:
        """``testing_manifest_with_validation.json``."""
        with gc_paused():
            return _join(self.testing)

    def _statistics(self, validation: ManifestValidation, errors: list[ErrorDetail]) -> dict[str, Any]:
        return {
            "use_case": self.use_case.value,
            "total_json_lines": validation.total_json_lines,
            "valid_json_lines": validation.valid_json_lines,
            "invalid_json_lines": validation.invalid_json_lines,
            "ignored_json_lines": validation.ignored_json_lines,
            "error_json_line_indices": validation.error_json_line_indices,
            "errors": [error.to_json() for error in errors],
        }


def validate_for_training(
    training_lines: Sequence[str],
    testing_lines: Sequence[str] | None = None,
    *,
    images: ImageInspector | None = None,
    auto_split: bool = False,
    max_lines: int = quotas.MAX_MANIFEST_LINES,
) -> TrainingValidation:
    """Validate the training and testing manifests as CreateProjectVersion does.

    Args:
        training_lines, testing_lines: the JSON Lines of each manifest; ``testing_lines`` is
            None when the test set is split from training (``auto_split=True``).
        images: image header checks (``ERROR_INVALID_IMAGE``); None skips them.
        auto_split: split 20 % of the valid training lines into the test set (L5871).
        max_lines: the line quota per manifest (L16334).
    """
    if testing_lines is None and not auto_split:
        raise ValueError("testing_lines is required unless auto_split=True")
    with gc_paused():
        return _validate_for_training(training_lines, testing_lines, images, max_lines)


def _validate_for_training(
    training_lines: Sequence[str],
    testing_lines: Sequence[str] | None,
    images: ImageInspector | None,
    max_lines: int,
) -> TrainingValidation:
    training = validate_manifest(training_lines, images=images, max_lines=max_lines)
    outcome = TrainingValidation(training, ManifestValidation())
    outcome.training_errors.extend(_file_level_errors(training, images))
    if not any(e.code == ErrorCode.ERROR_TOO_MANY_INVALID_ROWS_IN_MANIFEST for e in outcome.training_errors):
        outcome.use_case = choose_use_case(training.valid_entries())

    if testing_lines is None:
        _auto_split(outcome)
    else:
        outcome.testing = validate_manifest(testing_lines, images=images, max_lines=max_lines)
        outcome.testing_errors.extend(_file_level_errors(outcome.testing, images))
    if outcome.use_case is not UseCase.NOT_DETERMINED:
        _label_errors(outcome)
    elif not outcome.training_errors:
        outcome.training_errors.append(detail(ErrorCode.ERROR_MANIFEST_TOO_FEW_LABELS))
    return outcome


def write_validation_results(
    outcome: TrainingValidation, write: Callable[[str, bytes], None], prefix: str = ""
) -> dict[str, str]:
    """Write the three result files through ``write(key, body)``; returns name → key.

    Raises:
        ManifestFileError: ``ERROR_CANNOT_WRITE_OUTPUT_S3_BUCKET`` ("Unable to write to output
            S3 bucket.", L5772) when the edge reports the output location missing or forbidden.
    """
    files = {
        SUMMARY_FILE: outcome.summary_json(),
        TRAINING_VALIDATION_FILE: outcome.training_manifest(),
        TESTING_VALIDATION_FILE: outcome.testing_manifest(),
    }
    keys = {}
    for name, body in files.items():
        key = prefix + name
        try:
            write(key, body.encode("utf-8"))
        except (ObjectAccessDeniedError, ObjectNotFoundError) as error:
            raise ManifestFileError(
                ErrorCode.ERROR_CANNOT_WRITE_OUTPUT_S3_BUCKET, context=f"cannot write {key}"
            ) from error
        keys[name] = key
    return keys


def bucket_owner_error(manifest_bucket_owner: str, images_bucket_owner: str) -> ErrorDetail | None:
    """``ERROR_INVALID_IMAGES_S3_BUCKET_OWNER`` when the owners differ (guide L5839-5853)."""
    if manifest_bucket_owner != images_bucket_owner:
        return detail(ErrorCode.ERROR_INVALID_IMAGES_S3_BUCKET_OWNER)
    return None


def images_copy_error(copied: int, total: int) -> ErrorDetail | None:
    """``ERROR_FAILED_IMAGES_S3_COPY`` when none of a dataset's images could be copied (L6064)."""
    if total > 0 and copied == 0:
        return detail(ErrorCode.ERROR_FAILED_IMAGES_S3_COPY)
    return None


def _file_level_errors(validation: ManifestValidation, images: ImageInspector | None) -> list[ErrorDetail]:
    found = []
    if validation.rows_exceeded:
        found.append(detail(ErrorCode.ERROR_MANIFEST_ROWS_EXCEEDS_MAXIMUM))
    if validation.invalid_fraction() > quotas.MAX_INVALID_LINE_FRACTION:
        found.append(detail(ErrorCode.ERROR_TOO_MANY_INVALID_ROWS_IN_MANIFEST))  # guide L5411
    buckets = validation.buckets()
    if len(buckets) > 1:
        found.append(detail(ErrorCode.ERROR_IMAGES_IN_MULTIPLE_S3_BUCKETS))  # guide L5811
    if images is not None and buckets & images.buckets_without_access():
        found.append(detail(ErrorCode.ERROR_INVALID_PERMISSIONS_IMAGES_S3_BUCKET))  # guide L5823
    return found


def _auto_split(outcome: TrainingValidation) -> None:
    """Move 20 % of the valid training lines to a test set; invalid lines stay in training."""
    use_case = outcome.use_case
    valid = [r for r in outcome.training.results if r.status is LineStatus.VALID and r.entry is not None]
    split = split_for_test(valid, key=_result_source_ref, labels=lambda r: _result_labels(r, use_case))
    if use_case is not UseCase.NOT_DETERMINED and not any(_result_labels(r, use_case) for r in split.move):
        outcome.training_errors.append(detail(ErrorCode.ERROR_INSUFFICIENT_IMAGES_PER_LABEL_FOR_AUTOSPLIT))
        return
    moved = {id(result) for result in split.move}
    outcome.testing = renumbered(split.move)
    outcome.training = renumbered([r for r in outcome.training.results if id(r) not in moved])


def _label_errors(outcome: TrainingValidation) -> None:
    """Label counts per dataset (after any split, L5887) and the test/train overlap."""
    use_case = outcome.use_case
    minimum = (
        quotas.MIN_LABELS_CLASSIFICATION
        if use_case is UseCase.IMAGE_LEVEL_LABELS
        else quotas.MIN_LABELS_DETECTION
    )
    sides = []
    for validation, errors in (
        (outcome.training, outcome.training_errors),
        (outcome.testing, outcome.testing_errors),
    ):
        entries = validation.valid_entries()
        labels = set().union(*(all_labels(e) for e in entries)) if entries else set()
        usable = set().union(*(usable_labels(e, use_case) for e in entries)) if entries else set()
        sides.append((labels, usable))
        if len(labels) < minimum:
            errors.append(detail(ErrorCode.ERROR_MANIFEST_TOO_FEW_LABELS))  # guide L5879
        elif len(usable) < minimum:
            errors.append(detail(ErrorCode.ERROR_MANIFEST_TOO_FEW_USABLE_LABELS))  # guide L6008
        if len(labels) > quotas.MAX_LABELS_PER_MANIFEST:
            errors.append(detail(ErrorCode.ERROR_MANIFEST_TOO_MANY_LABELS))  # guide L5964
    (train_labels, train_usable), (test_labels, test_usable) = sides
    percent = quotas.MIN_LABEL_OVERLAP_PERCENT
    if _overlap(train_labels, test_labels) * 100 < percent:
        outcome.errors.append(detail(ErrorCode.ERROR_INSUFFICIENT_LABEL_OVERLAP, percent))
    elif _overlap(train_usable, test_usable) * 100 < percent:
        outcome.errors.append(detail(ErrorCode.ERROR_INSUFFICIENT_USABLE_LABEL_OVERLAP, percent))


def _overlap(training: set[str], testing: set[str]) -> float:
    """guide L3197: (labels shared by test and train) / (number of training labels)."""
    return len(training & testing) / len(training) if training else 1.0


def _usable(validation: ManifestValidation, use_case: UseCase) -> list[ManifestEntry]:
    return [entry for entry in validation.valid_entries() if usable_labels(entry, use_case)]


def _result_source_ref(result: LineResult) -> str:
    return result.entry.source_ref or "" if result.entry is not None else ""


def _result_labels(result: LineResult, use_case: UseCase) -> set[str]:
    return usable_labels(result.entry, use_case) if result.entry is not None else set()


def _join(validation: ManifestValidation) -> str:
    text = "\n".join(validation.lines())
    return text + "\n" if text else ""
