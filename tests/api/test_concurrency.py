"""Concurrent writers on one project lose nothing: every change is one conditional S3 write."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from functools import partial
from typing import Any

from botocore.exceptions import ClientError

WRITERS = 20
POLICY = json.dumps(
    {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"AWS": "arn:aws:iam::111111111111:root"},
                "Action": "rekognition:CopyProjectVersion",
                "Resource": "*",
            }
        ],
    }
)


def run_concurrently(calls: list[Callable[[], Any]]) -> list[str]:
    """Run every call at once; each outcome is "ok" or the error code it raised."""

    def outcome(call: Callable[[], Any]) -> str:
        try:
            call()
        except ClientError as error:
            return str(error.response["Error"]["Code"])
        return "ok"

    with ThreadPoolExecutor(max_workers=len(calls)) as pool:
        return list(pool.map(outcome, calls))


def test_twenty_concurrent_tag_resource_calls_all_land(rekognition: Any, project_arn: str) -> None:
    calls: list[Callable[[], Any]] = [
        partial(rekognition.tag_resource, ResourceArn=project_arn, Tags={f"writer-{index}": str(index)})
        for index in range(WRITERS)
    ]
    assert run_concurrently(calls) == ["ok"] * WRITERS
    tags = rekognition.list_tags_for_resource(ResourceArn=project_arn)["Tags"]
    assert tags == {f"writer-{index}": str(index) for index in range(WRITERS)}


def test_twenty_concurrent_new_policies_respect_the_limit_of_five(rekognition: Any, project_arn: str) -> None:
    calls: list[Callable[[], Any]] = [
        partial(
            rekognition.put_project_policy,
            ProjectArn=project_arn,
            PolicyName=f"p{index:02d}",
            PolicyDocument=POLICY,
        )
        for index in range(WRITERS)
    ]
    outcomes = Counter(run_concurrently(calls))
    assert outcomes == {"ok": 5, "LimitExceededException": WRITERS - 5}
    assert len(rekognition.list_project_policies(ProjectArn=project_arn)["ProjectPolicies"]) == 5


def test_twenty_concurrent_updates_from_one_revision_let_exactly_one_win(
    rekognition: Any, project_arn: str
) -> None:
    put = partial(rekognition.put_project_policy, ProjectArn=project_arn, PolicyName="shared")
    revision = put(PolicyDocument=POLICY)["PolicyRevisionId"]
    documents = [POLICY.replace("111111111111", f"{index:012d}") for index in range(WRITERS)]
    calls: list[Callable[[], Any]] = [
        partial(put, PolicyDocument=document, PolicyRevisionId=revision) for document in documents
    ]
    outcomes = run_concurrently(calls)
    assert Counter(outcomes) == {"ok": 1, "InvalidPolicyRevisionIdException": WRITERS - 1}
    (policy,) = rekognition.list_project_policies(ProjectArn=project_arn)["ProjectPolicies"]
    assert policy["PolicyDocument"] == documents[outcomes.index("ok")]
    assert policy["PolicyRevisionId"] != revision


def test_tags_and_policies_written_together_all_land(rekognition: Any, project_arn: str) -> None:
    calls: list[Callable[[], Any]] = [
        *(
            partial(rekognition.tag_resource, ResourceArn=project_arn, Tags={f"t{index}": "v"})
            for index in range(10)
        ),
        *(
            partial(
                rekognition.put_project_policy,
                ProjectArn=project_arn,
                PolicyName=f"p{index}",
                PolicyDocument=POLICY,
            )
            for index in range(5)
        ),
        *(
            partial(rekognition.untag_resource, ResourceArn=project_arn, TagKeys=[f"absent{index}"])
            for index in range(5)
        ),
    ]
    assert run_concurrently(calls) == ["ok"] * WRITERS
    assert set(rekognition.list_tags_for_resource(ResourceArn=project_arn)["Tags"]) == {
        f"t{i}" for i in range(10)
    }
    assert len(rekognition.list_project_policies(ProjectArn=project_arn)["ProjectPolicies"]) == 5


def test_concurrent_creates_of_one_name_make_one_project(
    rekognition: Any, unique: Callable[[str], str]
) -> None:
    name = unique("race")
    calls: list[Callable[[], Any]] = [
        partial(rekognition.create_project, ProjectName=name) for _ in range(10)
    ]
    assert Counter(run_concurrently(calls)) == {"ok": 1, "ResourceInUseException": 9}
    (project,) = rekognition.describe_projects(ProjectNames=[name])["ProjectDescriptions"]
    listed = [
        item["ProjectArn"]
        for page in rekognition.get_paginator("describe_projects").paginate()
        for item in page["ProjectDescriptions"]
        if item["ProjectArn"].split("/")[1] == name
    ]
    assert listed == [project["ProjectArn"]]  # no stray index entries from the losers
    rekognition.delete_project(ProjectArn=project["ProjectArn"])
