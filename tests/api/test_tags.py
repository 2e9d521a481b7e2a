"""TagResource, UntagResource, ListTagsForResource on projects, models and datasets (L13566-13850)."""

from __future__ import annotations

from typing import Any

import pytest
from botocore.exceptions import ClientError

from customlabels.resources.status import DatasetStatus, ProjectVersionStatus

from .conftest import Seeder


def test_tag_overwrite_untag_and_list_a_project(rekognition: Any, project_arn: str) -> None:
    rekognition.tag_resource(ResourceArn=project_arn, Tags={"Dept": "Engineering", "Role": "Developer"})
    rekognition.tag_resource(ResourceArn=project_arn, Tags={"Name": "Ana Silva Carolina", "Role": "Lead"})
    assert rekognition.list_tags_for_resource(ResourceArn=project_arn)["Tags"] == {
        "Dept": "Engineering",
        "Name": "Ana Silva Carolina",
        "Role": "Lead",
    }
    rekognition.untag_resource(ResourceArn=project_arn, TagKeys=["Role", "NotThere"])
    assert rekognition.list_tags_for_resource(ResourceArn=project_arn)["Tags"] == {
        "Dept": "Engineering",
        "Name": "Ana Silva Carolina",
    }


def test_models_and_datasets_carry_their_own_tags(rekognition: Any, project_arn: str, seed: Seeder) -> None:
    version = seed.version(project_arn, "v1", ProjectVersionStatus.TRAINING_COMPLETED, tags={"stage": "dev"})
    dataset = seed.dataset(project_arn, "TRAIN", DatasetStatus.CREATE_COMPLETE)
    rekognition.tag_resource(ResourceArn=version.arn, Tags={"Cost center": "42"})
    rekognition.tag_resource(ResourceArn=dataset.arn, Tags={"source": "gt"})
    assert rekognition.list_tags_for_resource(ResourceArn=version.arn)["Tags"] == {
        "stage": "dev",
        "Cost center": "42",
    }
    assert rekognition.list_tags_for_resource(ResourceArn=dataset.arn)["Tags"] == {"source": "gt"}
    assert rekognition.list_tags_for_resource(ResourceArn=project_arn)["Tags"] == {}
    rekognition.untag_resource(ResourceArn=version.arn, TagKeys=["stage"])
    assert rekognition.list_tags_for_resource(ResourceArn=version.arn)["Tags"] == {"Cost center": "42"}


def test_at_most_fifty_tags(rekognition: Any, project_arn: str) -> None:
    rekognition.tag_resource(ResourceArn=project_arn, Tags={f"k{i}": "v" for i in range(50)})
    rekognition.tag_resource(ResourceArn=project_arn, Tags={"k0": "overwriting is fine"})
    with pytest.raises(rekognition.exceptions.ServiceQuotaExceededException, match="at most 50 tags"):
        rekognition.tag_resource(ResourceArn=project_arn, Tags={"k50": "v"})
    assert len(rekognition.list_tags_for_resource(ResourceArn=project_arn)["Tags"]) == 50


@pytest.mark.parametrize(
    "tags",
    [{"aws:createdBy": "me"}, {"": "v"}, {"k" * 129: "v"}, {"k": "v" * 257}, {"k": "no;semicolons"}],
)
def test_tag_shapes_come_from_the_model(rekognition: Any, project_arn: str, tags: dict[str, str]) -> None:
    with pytest.raises(ClientError) as caught:
        rekognition.tag_resource(ResourceArn=project_arn, Tags=tags)
    assert caught.value.response["Error"]["Code"] == "ValidationException"


def test_resources_that_do_not_exist(rekognition: Any, project_arn: str) -> None:
    prefix = project_arn.rsplit("/", 1)[0]
    for arn in (
        f"{prefix}/1",
        f"{prefix}/version/nope/1",
        f"{prefix}/dataset/test/1",
        "arn:aws:rekognition:us-east-1:123456789012:collection/faces",
    ):
        with pytest.raises(rekognition.exceptions.ResourceNotFoundException):
            rekognition.list_tags_for_resource(ResourceArn=arn)
        with pytest.raises(rekognition.exceptions.ResourceNotFoundException):
            rekognition.tag_resource(ResourceArn=arn, Tags={"a": "b"})
    with pytest.raises(
        rekognition.exceptions.InvalidParameterException, match="Custom Labels project, model or dataset"
    ):
        rekognition.untag_resource(ResourceArn="this-is-not-an-arn-at-all", TagKeys=["a"])
