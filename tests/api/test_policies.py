"""PutProjectPolicy, ListProjectPolicies, DeleteProjectPolicy (guide L14239-15671)."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from datetime import datetime
from typing import Any

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

from customlabels.resources.status import ProjectVersionStatus
from tests.api.conftest import REGION, ApiUnderTest, Seeder


def document(resource: str = "*", effect: str = "Allow") -> str:
    # The guide's example (L14248-14264); the samples send json.dumps of the file (L14386).
    return json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Effect": effect,
                    "Principal": {"AWS": "arn:aws:iam::111111111111:role/Admin"},
                    "Action": "rekognition:CopyProjectVersion",
                    "Resource": resource,
                }
            ],
        }
    )


def test_put_list_update_delete(rekognition: Any, project_arn: str) -> None:
    first = rekognition.put_project_policy(
        ProjectArn=project_arn, PolicyName="copy-to-prod", PolicyDocument=document()
    )
    revision = first["PolicyRevisionId"]
    assert re.fullmatch(r"[0-9a-f]{32}", revision)

    listed = rekognition.list_project_policies(ProjectArn=project_arn)
    assert "NextToken" not in listed
    (policy,) = listed["ProjectPolicies"]
    assert set(policy) == {
        "ProjectArn",
        "PolicyName",
        "PolicyRevisionId",
        "PolicyDocument",
        "CreationTimestamp",
        "LastUpdatedTimestamp",
    }
    assert (
        policy["ProjectArn"],
        policy["PolicyName"],
        policy["PolicyRevisionId"],
        policy["PolicyDocument"],
    ) == (project_arn, "copy-to-prod", revision, document())
    assert isinstance(policy["CreationTimestamp"], datetime)
    assert policy["CreationTimestamp"] == policy["LastUpdatedTimestamp"]

    # update: pass the current revision (L14294-14296); a new revision replaces it
    updated = rekognition.put_project_policy(
        ProjectArn=project_arn,
        PolicyName="copy-to-prod",
        PolicyDocument=document(effect="Deny"),
        PolicyRevisionId=revision,
    )
    new_revision = updated["PolicyRevisionId"]
    assert new_revision != revision
    (policy,) = rekognition.list_project_policies(ProjectArn=project_arn)["ProjectPolicies"]
    assert policy["PolicyRevisionId"] == new_revision
    assert json.loads(policy["PolicyDocument"])["Statement"][0]["Effect"] == "Deny"
    assert policy["LastUpdatedTimestamp"] >= policy["CreationTimestamp"]

    with pytest.raises(rekognition.exceptions.InvalidPolicyRevisionIdException):
        rekognition.put_project_policy(
            ProjectArn=project_arn,
            PolicyName="copy-to-prod",
            PolicyDocument=document(),
            PolicyRevisionId=revision,
        )
    with pytest.raises(rekognition.exceptions.InvalidPolicyRevisionIdException):
        rekognition.delete_project_policy(
            ProjectArn=project_arn, PolicyName="copy-to-prod", PolicyRevisionId=revision
        )
    assert rekognition.delete_project_policy(
        ProjectArn=project_arn, PolicyName="copy-to-prod", PolicyRevisionId=new_revision.upper()
    )["ResponseMetadata"]
    assert rekognition.list_project_policies(ProjectArn=project_arn)["ProjectPolicies"] == []
    with pytest.raises(
        rekognition.exceptions.ResourceNotFoundException, match="no policy named copy-to-prod"
    ):
        rekognition.delete_project_policy(ProjectArn=project_arn, PolicyName="copy-to-prod")


def test_creating_and_updating_need_the_right_revision_argument(rekognition: Any, project_arn: str) -> None:
    rekognition.put_project_policy(ProjectArn=project_arn, PolicyName="p", PolicyDocument=document())
    with pytest.raises(
        rekognition.exceptions.ResourceAlreadyExistsException, match="pass its PolicyRevisionId"
    ):
        rekognition.put_project_policy(ProjectArn=project_arn, PolicyName="p", PolicyDocument=document())
    with pytest.raises(
        rekognition.exceptions.InvalidPolicyRevisionIdException, match="omit PolicyRevisionId"
    ):
        rekognition.put_project_policy(
            ProjectArn=project_arn, PolicyName="other", PolicyDocument=document(), PolicyRevisionId="0123abcd"
        )
    assert rekognition.delete_project_policy(
        ProjectArn=project_arn, PolicyName="p"
    )  # no revision: unconditional


def test_at_most_five_policies_per_project(rekognition: Any, project_arn: str) -> None:
    for index in range(5):  # guide L14292, L16390
        rekognition.put_project_policy(
            ProjectArn=project_arn, PolicyName=f"p{index}", PolicyDocument=document()
        )
    with pytest.raises(rekognition.exceptions.LimitExceededException, match="at most 5 project policies"):
        rekognition.put_project_policy(ProjectArn=project_arn, PolicyName="p5", PolicyDocument=document())


def test_policies_are_listed_by_name_in_pages(rekognition: Any, project_arn: str) -> None:
    names = ["e", "a", "d", "b", "c"]
    for name in names:
        rekognition.put_project_policy(ProjectArn=project_arn, PolicyName=name, PolicyDocument=document())
    pages = [
        [policy["PolicyName"] for policy in page["ProjectPolicies"]]
        for page in rekognition.get_paginator("list_project_policies").paginate(
            ProjectArn=project_arn, PaginationConfig={"PageSize": 2}
        )
    ]
    assert pages == [["a", "b"], ["c", "d"], ["e"]]
    # the samples pass NextToken="" on the first call (L15169)
    assert (
        len(rekognition.list_project_policies(ProjectArn=project_arn, NextToken="")["ProjectPolicies"]) == 5
    )
    with pytest.raises(rekognition.exceptions.InvalidPaginationTokenException):
        rekognition.list_project_policies(
            ProjectArn=project_arn, NextToken="v1.eyJhZnRlciI6ImIifQ.AAAAAAAAAAAAAAAAAAAAAA"
        )


@pytest.mark.parametrize(
    ("bad", "fragment"),
    [
        ("{", "not valid JSON"),
        (
            json.dumps(
                {
                    "Statement": [
                        {
                            "Effect": "Allow",
                            "Principal": "*",
                            "Action": "rekognition:DetectCustomLabels",
                            "Resource": "*",
                        }
                    ]
                }
            ),
            "only action",
        ),
        (
            json.dumps(
                {
                    "Statement": [
                        {
                            "Effect": "Allow",
                            "NotPrincipal": {"AWS": "x"},
                            "Action": "rekognition:CopyProjectVersion",
                            "Resource": "*",
                        }
                    ]
                }
            ),
            "NotPrincipal",
        ),
        (
            json.dumps(
                {
                    "Statement": [
                        {"Effect": "Allow", "Principal": "*", "Action": "rekognition:CopyProjectVersion"}
                    ]
                }
            ),
            "missing Resource",
        ),
    ],
)
def test_malformed_documents(rekognition: Any, project_arn: str, bad: str, fragment: str) -> None:
    with pytest.raises(rekognition.exceptions.MalformedPolicyDocumentException, match=fragment):
        rekognition.put_project_policy(ProjectArn=project_arn, PolicyName="p", PolicyDocument=bad)


def test_unknown_projects_and_content_moderation_projects(
    rekognition: Any, project_arn: str, unique: Callable[[str], str]
) -> None:
    missing = project_arn.rsplit("/", 1)[0] + "/1"
    with pytest.raises(rekognition.exceptions.ResourceNotFoundException):
        rekognition.put_project_policy(ProjectArn=missing, PolicyName="p", PolicyDocument=document())
    with pytest.raises(rekognition.exceptions.ResourceNotFoundException):
        rekognition.list_project_policies(ProjectArn=missing)
    adapter = rekognition.create_project(
        ProjectName=unique("adapter"), Feature="CONTENT_MODERATION", AutoUpdate="DISABLED"
    )["ProjectArn"]
    with pytest.raises(rekognition.exceptions.InvalidParameterException, match="CUSTOM_LABELS"):
        rekognition.put_project_policy(ProjectArn=adapter, PolicyName="p", PolicyDocument=document())
    rekognition.delete_project(ProjectArn=adapter)


def test_a_caller_from_another_account_copies_only_what_a_policy_allows(
    rekognition: Any, project_arn: str, seed: Seeder, api_under_test: ApiUnderTest
) -> None:
    """Signed with account 111111111111's credentials (LocalStack takes a 12-digit access key id for
    the account): no policy refuses it (L14211-14213); the guide's policy for that account lets it."""
    source = seed.version(project_arn, "v1", ProjectVersionStatus.TRAINING_COMPLETED)
    other_account = boto3.client(
        "rekognition",
        endpoint_url=api_under_test.endpoint_url,
        region_name=REGION,
        config=Config(retries={"mode": "standard", "max_attempts": 1}),
        aws_access_key_id="111111111111",
        aws_secret_access_key="test",
    )
    request = {
        "SourceProjectArn": project_arn,
        "SourceProjectVersionArn": source.arn,
        "DestinationProjectArn": project_arn,
        "VersionName": "copied",
        "OutputConfig": {"S3Bucket": "my-bucket", "S3KeyPrefix": "copies/"},
    }
    with pytest.raises(other_account.exceptions.AccessDeniedException, match="needs a project policy"):
        other_account.copy_project_version(**request)
    rekognition.put_project_policy(
        ProjectArn=project_arn,
        PolicyName="share-with-111111111111",
        PolicyDocument=json.dumps(
            {
                "Version": "2012-10-17",
                "Statement": [
                    {
                        "Effect": "Allow",
                        "Principal": {"AWS": "arn:aws:iam::111111111111:root"},
                        "Action": "rekognition:CopyProjectVersion",
                        "Resource": source.arn,
                    }
                ],
            }
        ),
    )
    try:
        copied = other_account.copy_project_version(**request)["ProjectVersionArn"]
    except ClientError as error:  # the in-process API has no copy pipeline: past the policy all the same
        assert api_under_test.in_process and error.response["Error"]["Code"] == "NotImplemented"
    else:
        assert copied.startswith(f"{project_arn.rsplit('/', 1)[0]}/version/copied/")
