"""Statuses of projects, datasets and models, and the one place that changes them.

The enums carry the service's values (botocore's ``ProjectStatus``, ``DatasetStatus``,
``DatasetStatusMessageCode``, ``ProjectVersionStatus``; a unit test keeps them equal to the
model). Every status change goes through :func:`change_project_status`,
:func:`change_dataset_status` or :func:`change_version_status`, which refuse a transition the
guide's state machine does not have and set the matching ``StatusMessage``:

- model: ``TRAINING_IN_PROGRESS`` -> ``TRAINING_COMPLETED`` | ``TRAINING_FAILED``;
  ``TRAINING_COMPLETED`` | ``STOPPED`` -> ``STARTING`` -> ``RUNNING``; ``RUNNING`` ->
  ``STOPPING`` -> ``STOPPED``; failures while starting, running or stopping -> ``FAILED``
  (guide L8011-8660); copies ``COPYING_IN_PROGRESS`` -> ``COPYING_COMPLETED`` |
  ``COPYING_FAILED`` (L14773-14785); ``DELETING`` only from a model that is neither running nor
  training (L13199);
- dataset: ``CREATE_IN_PROGRESS`` -> ``CREATE_COMPLETE`` | ``CREATE_FAILED``; updates
  ``UPDATE_IN_PROGRESS`` -> ``UPDATE_COMPLETE`` | ``UPDATE_FAILED``; ``DELETE_IN_PROGRESS`` not
  while creating or updating (model docs of DeleteDataset);
- project: ``CREATING`` -> ``CREATED`` -> ``DELETING`` (L10072).
"""

from __future__ import annotations

from enum import StrEnum
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from customlabels.resources.records import Dataset, Project, ProjectVersion


class ProjectStatus(StrEnum):
    CREATING = "CREATING"
    CREATED = "CREATED"
    DELETING = "DELETING"


class DatasetStatus(StrEnum):
    CREATE_IN_PROGRESS = "CREATE_IN_PROGRESS"
    CREATE_COMPLETE = "CREATE_COMPLETE"
    CREATE_FAILED = "CREATE_FAILED"
    UPDATE_IN_PROGRESS = "UPDATE_IN_PROGRESS"
    UPDATE_COMPLETE = "UPDATE_COMPLETE"
    UPDATE_FAILED = "UPDATE_FAILED"
    DELETE_IN_PROGRESS = "DELETE_IN_PROGRESS"


class DatasetStatusMessageCode(StrEnum):
    SUCCESS = "SUCCESS"
    SERVICE_ERROR = "SERVICE_ERROR"
    CLIENT_ERROR = "CLIENT_ERROR"


class ProjectVersionStatus(StrEnum):
    TRAINING_IN_PROGRESS = "TRAINING_IN_PROGRESS"
    TRAINING_COMPLETED = "TRAINING_COMPLETED"
    TRAINING_FAILED = "TRAINING_FAILED"
    STARTING = "STARTING"
    RUNNING = "RUNNING"
    FAILED = "FAILED"
    STOPPING = "STOPPING"
    STOPPED = "STOPPED"
    DELETING = "DELETING"
    COPYING_IN_PROGRESS = "COPYING_IN_PROGRESS"
    COPYING_COMPLETED = "COPYING_COMPLETED"
    COPYING_FAILED = "COPYING_FAILED"
    DEPRECATED = "DEPRECATED"
    EXPIRED = "EXPIRED"


P, D, V = ProjectStatus, DatasetStatus, ProjectVersionStatus

PROJECT_TRANSITIONS: dict[ProjectStatus, frozenset[ProjectStatus]] = {
    P.CREATING: frozenset({P.CREATED}),
    P.CREATED: frozenset({P.DELETING}),
    # back to CREATED only when a deletion is refused after the fact (a model appeared meanwhile)
    P.DELETING: frozenset({P.CREATED}),
}

DATASET_TRANSITIONS: dict[DatasetStatus, frozenset[DatasetStatus]] = {
    D.CREATE_IN_PROGRESS: frozenset({D.CREATE_COMPLETE, D.CREATE_FAILED}),
    D.CREATE_COMPLETE: frozenset({D.UPDATE_IN_PROGRESS, D.DELETE_IN_PROGRESS}),
    D.CREATE_FAILED: frozenset({D.DELETE_IN_PROGRESS}),
    D.UPDATE_IN_PROGRESS: frozenset({D.UPDATE_COMPLETE, D.UPDATE_FAILED}),
    D.UPDATE_COMPLETE: frozenset({D.UPDATE_IN_PROGRESS, D.DELETE_IN_PROGRESS}),
    D.UPDATE_FAILED: frozenset({D.UPDATE_IN_PROGRESS, D.DELETE_IN_PROGRESS}),
    D.DELETE_IN_PROGRESS: frozenset(),
}

# A model that can serve (trained or copied, not running) may be started or deleted.
_IDLE_MODEL = frozenset({V.STARTING, V.DELETING, V.DEPRECATED, V.EXPIRED})

# Models with files that serve: trained or copied, whatever became of their hosting since. Only
# these can be copied (CopyProjectVersion) or started.
TRAINED_MODEL: frozenset[ProjectVersionStatus] = frozenset(
    {V.TRAINING_COMPLETED, V.COPYING_COMPLETED, V.STARTING, V.RUNNING, V.STOPPING, V.STOPPED, V.FAILED}
)

VERSION_TRANSITIONS: dict[ProjectVersionStatus, frozenset[ProjectVersionStatus]] = {
    V.TRAINING_IN_PROGRESS: frozenset({V.TRAINING_COMPLETED, V.TRAINING_FAILED}),
    V.TRAINING_COMPLETED: _IDLE_MODEL,
    V.TRAINING_FAILED: frozenset({V.DELETING}),
    V.STARTING: frozenset({V.RUNNING, V.FAILED, V.STOPPING}),
    V.RUNNING: frozenset({V.STOPPING, V.FAILED}),
    V.FAILED: frozenset({V.STARTING, V.STOPPING, V.DELETING}),
    V.STOPPING: frozenset({V.STOPPED, V.FAILED}),
    V.STOPPED: _IDLE_MODEL,
    V.DELETING: frozenset(),
    V.COPYING_IN_PROGRESS: frozenset({V.COPYING_COMPLETED, V.COPYING_FAILED}),
    V.COPYING_COMPLETED: _IDLE_MODEL,
    V.COPYING_FAILED: frozenset({V.DELETING}),
    V.DEPRECATED: frozenset({V.DELETING}),
    V.EXPIRED: frozenset({V.DELETING}),
}

# StatusMessage set on entering a status when the caller gives none. The guide prints three
# (console project table, L5161-5164); the others are ours, in the same voice.
SERVICE_ISSUE = "Amazon Rekognition experienced a service issue."
VERSION_MESSAGES: dict[ProjectVersionStatus, str] = {
    V.TRAINING_IN_PROGRESS: "The model is being trained.",
    V.TRAINING_COMPLETED: "The model is ready to run.",  # guide L5161
    V.TRAINING_FAILED: SERVICE_ISSUE,  # guide L5164; manifest errors give their own (L5166)
    V.STARTING: "The model is starting.",
    V.RUNNING: "The model is running.",
    V.FAILED: "The model could not be started or stopped.",
    V.STOPPING: "The model is stopping.",
    V.STOPPED: "The model has stopped running.",  # guide L5163
    V.DELETING: "The model is being deleted.",
    V.COPYING_IN_PROGRESS: "The model is being copied.",
    V.COPYING_COMPLETED: "The model is ready to run.",
    V.COPYING_FAILED: "The model could not be copied.",
    V.DEPRECATED: "The model version is deprecated.",
    V.EXPIRED: "The model version has expired.",
}

DATASET_MESSAGES: dict[DatasetStatus, str] = {
    D.CREATE_IN_PROGRESS: "The dataset is being created.",
    D.CREATE_COMPLETE: "The dataset was successfully created.",
    D.CREATE_FAILED: "The dataset could not be created.",
    D.UPDATE_IN_PROGRESS: "The dataset is being updated.",
    D.UPDATE_COMPLETE: "The dataset was successfully updated.",
    D.UPDATE_FAILED: "The dataset could not be updated.",
    D.DELETE_IN_PROGRESS: "The dataset is being deleted.",
}

_FAILED_DATASET = frozenset({D.CREATE_FAILED, D.UPDATE_FAILED})


class TransitionError(ValueError):
    """A status change the state machine does not allow."""

    def __init__(self, kind: str, current: str, target: str, allowed: frozenset[str]) -> None:
        options = ", ".join(sorted(allowed)) or "none"
        super().__init__(f"a {kind} in status {current} cannot become {target} (allowed: {options})")
        self.current = current
        self.target = target


def can_change_version(current: ProjectVersionStatus, target: ProjectVersionStatus) -> bool:
    """Whether a model in ``current`` may move to ``target``."""
    return target in VERSION_TRANSITIONS[current]


def can_change_dataset(current: DatasetStatus, target: DatasetStatus) -> bool:
    """Whether a dataset in ``current`` may move to ``target``."""
    return target in DATASET_TRANSITIONS[current]


def change_project_status(project: Project, target: ProjectStatus) -> None:
    """Move ``project`` to ``target``.

    Raises:
        TransitionError: the project's status does not allow it.
    """
    if target not in PROJECT_TRANSITIONS[project.status]:
        raise TransitionError("project", project.status, target, PROJECT_TRANSITIONS[project.status])
    project.status = target


def change_dataset_status(
    dataset: Dataset,
    target: DatasetStatus,
    now_ms: int,
    *,
    message: str | None = None,
    code: DatasetStatusMessageCode | None = None,
) -> None:
    """Move ``dataset`` to ``target``, with its StatusMessage and StatusMessageCode.

    The code is always set, since the guide's samples read it unconditionally (L10438): failures
    default to ``CLIENT_ERROR`` (a problem with the caller's input; pass ``SERVICE_ERROR`` for our
    own faults), everything else to ``SUCCESS``.

    Raises:
        TransitionError: the dataset's status does not allow it.
    """
    if not can_change_dataset(dataset.status, target):
        raise TransitionError("dataset", dataset.status, target, DATASET_TRANSITIONS[dataset.status])
    dataset.status = target
    dataset.status_message = message or DATASET_MESSAGES[target]
    if target in _FAILED_DATASET:
        dataset.status_message_code = code or DatasetStatusMessageCode.CLIENT_ERROR
    else:
        dataset.status_message_code = code or DatasetStatusMessageCode.SUCCESS
    dataset.last_updated_ms = now_ms


def change_version_status(
    version: ProjectVersion, target: ProjectVersionStatus, *, message: str | None = None
) -> None:
    """Move ``version`` to ``target`` and set its StatusMessage.

    Raises:
        TransitionError: the model's status does not allow it.
    """
    if not can_change_version(version.status, target):
        raise TransitionError("model", version.status, target, VERSION_TRANSITIONS[version.status])
    version.status = target
    version.status_message = message or VERSION_MESSAGES[target]
