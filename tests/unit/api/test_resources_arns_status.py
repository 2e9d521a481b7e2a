"""ARNs and the status state machine."""

from __future__ import annotations

from enum import StrEnum

import pytest

from customlabels.api import model
from customlabels.api.validation import _compiled
from customlabels.resources import arns
from customlabels.resources.records import FEATURES, Dataset, Project, ProjectVersion
from customlabels.resources.status import (
    DATASET_MESSAGES,
    DATASET_TRANSITIONS,
    PROJECT_TRANSITIONS,
    VERSION_MESSAGES,
    VERSION_TRANSITIONS,
    DatasetStatus,
    DatasetStatusMessageCode,
    ProjectStatus,
    ProjectVersionStatus,
    TransitionError,
    change_dataset_status,
    change_project_status,
    change_version_status,
)

V = ProjectVersionStatus


# ARNs
def model_pattern(shape: str) -> str:
    return str(model.service_model().shape_for(shape).metadata["pattern"])


def test_built_arns_match_the_models_patterns() -> None:
    built = {
        "ProjectArn": arns.project_arn("eu-west-1", "123456789012", "my_project.v-1", 1627045542080),
        "ProjectVersionArn": arns.version_arn("eu-west-1", "123456789012", "p", "p.2020-03-30T09.28.17", 1),
        "DatasetArn": arns.dataset_arn("eu-west-1", "123456789012", "p", "TEST", 2),
    }
    for shape, arn in built.items():
        assert _compiled(model_pattern(shape)).fullmatch(arn), (shape, arn)


def test_arns_have_the_guides_form() -> None:
    # guide L10068, L7208, L16225
    assert arns.project_arn("us-east-1", "123456789010", "echo", 1234567890123) == (
        "arn:aws:rekognition:us-east-1:123456789010:project/echo/1234567890123"
    )
    assert arns.version_arn("us-east-1", "123456789012", "my_project", "test_1", 1627045542080) == (
        "arn:aws:rekognition:us-east-1:123456789012:project/my_project/version/test_1/1627045542080"
    )
    assert arns.dataset_arn("us-east-1", "123456789012", "p", "TRAIN", 5).endswith(
        ":project/p/dataset/train/5"
    )


def test_parsing_inverts_building() -> None:
    version = arns.version_arn("us-east-1", "123456789012", "p.x", "v-1", 17)
    assert arns.parse_version_arn(version) == arns.VersionRef("us-east-1", "123456789012", "p.x", "v-1", 17)
    dataset = arns.dataset_arn("us-east-1", "123456789012", "p", "TEST", 9)
    assert arns.parse_dataset_arn(dataset) == arns.DatasetRef("us-east-1", "123456789012", "p", "TEST", 9)
    project = arns.project_arn("us-east-1", "123456789012", "version", 3)
    assert arns.parse_project_arn(project) == arns.ProjectRef("us-east-1", "123456789012", "version", 3)


def test_parse_resource_arn_tells_the_kinds_apart() -> None:
    assert isinstance(arns.parse_resource_arn(arns.project_arn("r", "123456789012", "p", 1)), arns.ProjectRef)
    assert isinstance(
        arns.parse_resource_arn(arns.version_arn("r", "123456789012", "p", "v", 1)), arns.VersionRef
    )
    assert isinstance(
        arns.parse_resource_arn(arns.dataset_arn("r", "123456789012", "p", "TRAIN", 1)), arns.DatasetRef
    )


@pytest.mark.parametrize(
    "arn",
    [
        "arn:aws:rekognition:us-east-1:123456789012:project/p",
        "arn:aws:rekognition:us-east-1:12345:project/p/1",
        "arn:aws:rekognition:us-east-1:123456789012:collection/c",
        "arn:aws:rekognition:us-east-1:123456789012:project/p/dataset/validation/1",
        "arn:aws:s3:::bucket/key",
        "project/p/1",
    ],
)
def test_other_strings_are_not_our_arns(arn: str) -> None:
    assert arns.parse_resource_arn(arn) is None


def test_records_derive_their_arns() -> None:
    project = Project("us-east-1", "123456789012", "p", 5, ProjectStatus.CREATED)
    assert project.arn == arns.project_arn("us-east-1", "123456789012", "p", 5)
    version = ProjectVersion("us-east-1", "123456789012", "p", "v", 6, V.TRAINING_IN_PROGRESS, "")
    assert version.arn == arns.version_arn("us-east-1", "123456789012", "p", "v", 6)


def test_records_survive_their_documents() -> None:
    dataset = Dataset(
        "us-east-1",
        "123456789012",
        "p",
        "TRAIN",
        7,
        DatasetStatus.CREATE_COMPLETE,
        "ok",
        DatasetStatusMessageCode.SUCCESS,
        8,
    )
    project = Project(
        "us-east-1",
        "123456789012",
        "p",
        5,
        ProjectStatus.CREATED,
        tags={"a": "b"},
        datasets={"TRAIN": dataset},
    )
    assert Project.from_document(project.to_document()) == project
    version = ProjectVersion("us-east-1", "123456789012", "p", "v", 6, V.RUNNING, "", min_inference_units=2)
    assert ProjectVersion.from_document({**version.to_document(), "added_later": 1}) == version


# Statuses
@pytest.mark.parametrize(
    ("enum", "shape"),
    [
        (ProjectStatus, "ProjectStatus"),
        (DatasetStatus, "DatasetStatus"),
        (DatasetStatusMessageCode, "DatasetStatusMessageCode"),
        (ProjectVersionStatus, "ProjectVersionStatus"),
    ],
)
def test_enums_carry_the_models_values(enum: type[StrEnum], shape: str) -> None:
    assert [item.value for item in enum] == list(model.enum_values(shape))


def test_every_status_has_transitions_and_a_message() -> None:
    assert set(PROJECT_TRANSITIONS) == set(ProjectStatus)
    assert set(DATASET_TRANSITIONS) == set(DATASET_MESSAGES) == set(DatasetStatus)
    assert set(VERSION_TRANSITIONS) == set(VERSION_MESSAGES) == set(ProjectVersionStatus)


def test_the_guides_status_messages() -> None:
    # guide L5161-5164
    assert VERSION_MESSAGES[V.TRAINING_COMPLETED] == "The model is ready to run."
    assert VERSION_MESSAGES[V.STOPPED] == "The model has stopped running."
    assert VERSION_MESSAGES[V.TRAINING_FAILED] == "Amazon Rekognition experienced a service issue."


def version(status: ProjectVersionStatus) -> ProjectVersion:
    return ProjectVersion("us-east-1", "123456789012", "p", "v", 1, status, "")


@pytest.mark.parametrize(
    "path",
    [
        [
            V.TRAINING_IN_PROGRESS,
            V.TRAINING_COMPLETED,
            V.STARTING,
            V.RUNNING,
            V.STOPPING,
            V.STOPPED,
            V.DELETING,
        ],
        [V.TRAINING_IN_PROGRESS, V.TRAINING_FAILED, V.DELETING],
        [V.COPYING_IN_PROGRESS, V.COPYING_COMPLETED, V.STARTING, V.FAILED, V.STARTING, V.RUNNING],
        [V.STOPPED, V.STARTING, V.RUNNING, V.FAILED, V.DELETING],
    ],
)
def test_model_lifecycles_of_the_guide(path: list[ProjectVersionStatus]) -> None:
    model_version = version(path[0])
    for target in path[1:]:
        change_version_status(model_version, target)
        assert model_version.status == target
        assert model_version.status_message == VERSION_MESSAGES[target]


@pytest.mark.parametrize(
    ("current", "target"),
    [
        (V.RUNNING, V.DELETING),  # guide L13199: stop it first
        (V.TRAINING_IN_PROGRESS, V.DELETING),  # wait for training
        (V.TRAINING_FAILED, V.STARTING),
        (V.TRAINING_IN_PROGRESS, V.STARTING),
        (V.STOPPED, V.STOPPING),
        (V.DELETING, V.RUNNING),
    ],
)
def test_forbidden_model_transitions(current: ProjectVersionStatus, target: ProjectVersionStatus) -> None:
    model_version = version(current)
    with pytest.raises(TransitionError, match=f"in status {current} cannot become {target}"):
        change_version_status(model_version, target)
    assert model_version.status == current


def test_a_given_message_replaces_the_default() -> None:
    model_version = version(V.TRAINING_IN_PROGRESS)
    change_version_status(model_version, V.TRAINING_FAILED, message="The manifest file is empty.")
    assert model_version.status_message == "The manifest file is empty."


def test_dataset_status_codes() -> None:
    dataset = Dataset("r", "123456789012", "p", "TRAIN", 1, DatasetStatus.CREATE_IN_PROGRESS, "", None, 1)
    change_dataset_status(dataset, DatasetStatus.CREATE_COMPLETE, 2)
    assert (dataset.status_message_code, dataset.last_updated_ms) == (DatasetStatusMessageCode.SUCCESS, 2)
    change_dataset_status(dataset, DatasetStatus.UPDATE_IN_PROGRESS, 3)
    assert dataset.status_message_code == DatasetStatusMessageCode.SUCCESS  # always present (L10438)
    change_dataset_status(
        dataset, DatasetStatus.UPDATE_FAILED, 4, code=DatasetStatusMessageCode.SERVICE_ERROR
    )
    assert dataset.status_message == "The dataset could not be updated."
    assert dataset.status_message_code == DatasetStatusMessageCode.SERVICE_ERROR
    with pytest.raises(TransitionError):
        change_dataset_status(dataset, DatasetStatus.CREATE_COMPLETE, 5)


def test_datasets_cannot_be_deleted_while_in_progress() -> None:
    dataset = Dataset("r", "123456789012", "p", "TRAIN", 1, DatasetStatus.UPDATE_IN_PROGRESS, "", None, 1)
    with pytest.raises(TransitionError):
        change_dataset_status(dataset, DatasetStatus.DELETE_IN_PROGRESS, 2)


def test_project_status() -> None:
    project = Project("r", "123456789012", "p", 1, ProjectStatus.CREATING)
    change_project_status(project, ProjectStatus.CREATED)
    change_project_status(project, ProjectStatus.DELETING)
    with pytest.raises(TransitionError):
        change_project_status(project, ProjectStatus.CREATING)


def test_the_known_features_are_the_models() -> None:
    assert set(FEATURES) == set(model.enum_values("CustomizationFeature"))
