"""CreateProject, DescribeProjects, DeleteProject through boto3's rekognition client."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import datetime
from typing import Any

import pytest
from botocore.exceptions import ClientError

from customlabels.resources import arns
from customlabels.resources.status import DatasetStatus, ProjectVersionStatus

from .conftest import ApiUnderTest, Seeder


def describe_one(rekognition: Any, name: str, **filters: Any) -> dict[str, Any]:
    found = rekognition.describe_projects(ProjectNames=[name], **filters)["ProjectDescriptions"]
    assert len(found) == 1, found
    result: dict[str, Any] = found[0]
    return result


def test_a_created_project_is_described_field_by_field(
    rekognition: Any, unique: Callable[[str], str]
) -> None:
    name = unique("rooms")
    before = time.time()
    arn = rekognition.create_project(ProjectName=name)["ProjectArn"]
    ref = arns.parse_project_arn(arn)
    assert ref is not None and ref.project == name
    assert arn == f"arn:aws:rekognition:{ref.region}:{ref.account}:project/{name}/{ref.created_ms}"
    assert before - 5 <= ref.created_ms / 1000 <= time.time() + 5

    described = describe_one(rekognition, name)
    assert set(described) == {"ProjectArn", "CreationTimestamp", "Status", "Datasets", "Feature"}
    assert described["ProjectArn"] == arn
    assert isinstance(described["CreationTimestamp"], datetime)
    assert described["CreationTimestamp"].timestamp() == pytest.approx(ref.created_ms / 1000, abs=0.001)
    assert described["Status"] == "CREATED"
    assert described["Datasets"] == []
    assert described["Feature"] == "CUSTOM_LABELS"  # the default (model docs)
    rekognition.delete_project(ProjectArn=arn)


def test_project_names_are_unique(rekognition: Any, project_arn: str) -> None:
    with pytest.raises(rekognition.exceptions.ResourceInUseException, match="already exists"):
        rekognition.create_project(ProjectName=project_arn.split("/")[1])


def test_content_moderation_projects_need_auto_update_and_are_filtered(
    rekognition: Any, unique: Callable[[str], str]
) -> None:
    name = unique("adapter")
    with pytest.raises(rekognition.exceptions.InvalidParameterException, match="AutoUpdate is required"):
        rekognition.create_project(ProjectName=name, Feature="CONTENT_MODERATION")
    with pytest.raises(rekognition.exceptions.InvalidParameterException, match="only to CONTENT_MODERATION"):
        rekognition.create_project(ProjectName=name, AutoUpdate="ENABLED")
    arn = rekognition.create_project(ProjectName=name, Feature="CONTENT_MODERATION", AutoUpdate="ENABLED")[
        "ProjectArn"
    ]
    # DescribeProjects shows CUSTOM_LABELS projects unless Features says otherwise (model docs).
    assert rekognition.describe_projects(ProjectNames=[name])["ProjectDescriptions"] == []
    described = describe_one(rekognition, name, Features=["CONTENT_MODERATION", "CUSTOM_LABELS"])
    assert (described["ProjectArn"], described["Feature"], described["AutoUpdate"]) == (
        arn,
        "CONTENT_MODERATION",
        "ENABLED",
    )
    rekognition.delete_project(ProjectArn=arn)


def test_tags_given_at_creation(rekognition: Any, unique: Callable[[str], str]) -> None:
    tags = {"key1": "value1", "key2": "value2"}  # guide L1850
    arn = rekognition.create_project(ProjectName=unique("tagged"), Tags=tags)["ProjectArn"]
    assert rekognition.list_tags_for_resource(ResourceArn=arn)["Tags"] == tags
    rekognition.delete_project(ProjectArn=arn)
    with pytest.raises(rekognition.exceptions.InvalidParameterException, match="at most 50 tags"):
        rekognition.create_project(ProjectName=unique("tagged"), Tags={f"k{i}": "v" for i in range(51)})


def test_unknown_project_names_are_simply_absent(rekognition: Any, project_arn: str) -> None:
    name = project_arn.split("/")[1]
    found = rekognition.describe_projects(ProjectNames=[name, "no-such-project-anywhere"])[
        "ProjectDescriptions"
    ]
    assert [item["ProjectArn"] for item in found] == [project_arn]
    assert (
        rekognition.describe_projects(ProjectNames=["no-such-project-anywhere"])["ProjectDescriptions"] == []
    )


def test_pages_of_named_projects_newest_first(rekognition: Any, unique: Callable[[str], str]) -> None:
    created = [rekognition.create_project(ProjectName=unique("page"))["ProjectArn"] for _ in range(5)]
    names = [arn.split("/")[1] for arn in created]
    pages = []
    request: dict[str, Any] = {"ProjectNames": names, "MaxResults": 2}
    while True:
        reply = rekognition.describe_projects(**request)
        pages.append([item["ProjectArn"] for item in reply["ProjectDescriptions"]])
        if "NextToken" not in reply:  # the last page leaves NextToken out (guide L12274)
            break
        request["NextToken"] = reply["NextToken"]
    assert pages == [created[4:2:-1], created[2:0:-1], created[0:1]]
    for arn in created:
        rekognition.delete_project(ProjectArn=arn)


def test_the_paginator_walks_every_project_once_newest_first(
    rekognition: Any, unique: Callable[[str], str]
) -> None:
    created = [rekognition.create_project(ProjectName=unique("walk"))["ProjectArn"] for _ in range(4)]
    listed = [
        item["ProjectArn"]
        for page in rekognition.get_paginator("describe_projects").paginate(PaginationConfig={"PageSize": 3})
        for item in page["ProjectDescriptions"]
    ]
    assert len(listed) == len(set(listed))
    positions = [listed.index(arn) for arn in created]
    assert positions == sorted(positions, reverse=True)  # newest first
    for arn in created:
        rekognition.delete_project(ProjectArn=arn)


def test_a_forged_or_foreign_next_token_is_refused(rekognition: Any, unique: Callable[[str], str]) -> None:
    created = [rekognition.create_project(ProjectName=unique("token"))["ProjectArn"] for _ in range(2)]
    names = [arn.split("/")[1] for arn in created]
    token = rekognition.describe_projects(ProjectNames=names, MaxResults=1)["NextToken"]
    forged = token[:-4] + ("AAAA" if not token.endswith("AAAA") else "BBBB")
    for bad in (forged, "not-a-token", token.replace(".", "", 1)):
        with pytest.raises(rekognition.exceptions.InvalidPaginationTokenException):
            rekognition.describe_projects(ProjectNames=names, MaxResults=1, NextToken=bad)
    with pytest.raises(rekognition.exceptions.InvalidPaginationTokenException):
        rekognition.describe_projects(
            ProjectNames=names[:1], MaxResults=1, NextToken=token
        )  # another listing
    assert rekognition.describe_projects(ProjectNames=names, NextToken="")[
        "ProjectDescriptions"
    ]  # "" = first page
    for arn in created:
        rekognition.delete_project(ProjectArn=arn)


def test_delete_reports_deleting_and_the_project_disappears(
    rekognition: Any, unique: Callable[[str], str]
) -> None:
    name = unique("gone")
    arn = rekognition.create_project(ProjectName=name, Tags={"a": "b"})["ProjectArn"]
    rekognition.put_project_policy(ProjectArn=arn, PolicyName="p", PolicyDocument=POLICY)
    assert rekognition.delete_project(ProjectArn=arn)["Status"] == "DELETING"  # guide L10072
    assert rekognition.describe_projects(ProjectNames=[name])["ProjectDescriptions"] == []
    with pytest.raises(rekognition.exceptions.ResourceNotFoundException):
        rekognition.delete_project(ProjectArn=arn)
    again = rekognition.create_project(ProjectName=name)["ProjectArn"]
    assert again != arn
    # policies and tags went with the old project (model docs of DeleteProject)
    assert rekognition.list_project_policies(ProjectArn=again)["ProjectPolicies"] == []
    assert rekognition.list_tags_for_resource(ResourceArn=again)["Tags"] == {}
    with pytest.raises(rekognition.exceptions.ResourceNotFoundException):
        rekognition.list_tags_for_resource(ResourceArn=arn)  # the old ARN names the old project
    rekognition.delete_project(ProjectArn=again)


def test_models_and_datasets_must_be_deleted_first(rekognition: Any, project_arn: str, seed: Seeder) -> None:
    # guide L10000, L10070: "delete all models and datasets in the project" first
    version = seed.version(project_arn, "v1", ProjectVersionStatus.TRAINING_COMPLETED)
    with pytest.raises(rekognition.exceptions.ResourceInUseException, match="still has models"):
        rekognition.delete_project(ProjectArn=project_arn)
    rekognition.delete_project_version(ProjectVersionArn=version.arn)
    dataset = seed.dataset(project_arn, "TRAIN", DatasetStatus.CREATE_COMPLETE)
    with pytest.raises(rekognition.exceptions.ResourceInUseException, match="TRAIN dataset"):
        rekognition.delete_project(ProjectArn=project_arn)
    seed.remove_dataset(dataset)
    assert describe_one(rekognition, project_arn.split("/")[1])["Status"] == "CREATED"


def test_unknown_and_foreign_project_arns_are_not_found(rekognition: Any, project_arn: str) -> None:
    ref = arns.parse_project_arn(project_arn)
    assert ref is not None
    for arn in (
        arns.project_arn(
            ref.region, ref.account, ref.project, ref.created_ms + 1
        ),  # an older/newer incarnation
        arns.project_arn("eu-north-1", ref.account, ref.project, ref.created_ms),  # another region
        arns.project_arn(ref.region, "999999999999", ref.project, ref.created_ms),  # another account
    ):
        with pytest.raises(rekognition.exceptions.ResourceNotFoundException):
            rekognition.delete_project(ProjectArn=arn)


def test_request_ids_come_back(rekognition: Any, api_under_test: ApiUnderTest) -> None:
    reply = rekognition.describe_projects(MaxResults=1)
    assert reply["ResponseMetadata"]["RequestId"]
    with pytest.raises(ClientError) as caught:
        rekognition.delete_project(ProjectArn="arn:aws:rekognition:us-east-1:123456789012:project/nope/1")
    assert caught.value.response["ResponseMetadata"]["RequestId"]


POLICY = (
    '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111111111111:root"},'
    '"Action":"rekognition:CopyProjectVersion","Resource":"*"}]}'
)
