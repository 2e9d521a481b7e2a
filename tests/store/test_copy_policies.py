"""CopyProjectVersion decided by the source project's policies (guide L14239-14282), through the API
on LocalStack's S3 and Step Functions (the copy pipeline is a one-state machine here, so only the
API's decision is under test): who may copy, the concurrent-copy quota, and that a refused copy
leaves nothing."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest

from customlabels.api import Api
from customlabels.api.backends import Backends, StepFunctionsPipelines
from customlabels.api.caller import UNKNOWN_CALLER, Caller
from customlabels.resources.records import ProjectVersion
from customlabels.resources.repository import Repository
from customlabels.resources.status import ProjectVersionStatus
from tests.platform.support import ClientFactory

from .conftest import ACCOUNT, REGION, api_on

OTHER_ACCOUNT = "111111111111"
ADMIN = Caller(OTHER_ACCOUNT, f"arn:aws:iam::{OTHER_ACCOUNT}:role/Admin")
SAME_ACCOUNT_INTERN = Caller(ACCOUNT, f"arn:aws:sts::{ACCOUNT}:assumed-role/Intern/session-1")
SAME_ACCOUNT_ADMIN = Caller(ACCOUNT, f"arn:aws:sts::{ACCOUNT}:assumed-role/Admin/session-2")


class Copies:
    """The API with a copy pipeline on Step Functions, a source project with one trained model,
    and a destination project."""

    def __init__(self, api: Api, stepfunctions: Any, pipeline_arn: str, repository: Repository) -> None:
        self.api, self.repository = api, repository
        self.stepfunctions, self.pipeline_arn = stepfunctions, pipeline_arn
        self.source_project = self.call("CreateProject", ProjectName="development")[1]["ProjectArn"]
        self.destination = self.call("CreateProject", ProjectName="production")[1]["ProjectArn"]
        version = ProjectVersion(
            REGION,
            ACCOUNT,
            "development",
            "v1",
            1_700_000_000_000,
            ProjectVersionStatus.TRAINING_COMPLETED,
            "The model is ready to run.",
        )
        repository.create_version(version)
        self.source = version.arn

    def call(
        self, operation: str, caller: Caller = UNKNOWN_CALLER, **request: Any
    ) -> tuple[int, dict[str, Any]]:
        response = self.api.handle(f"RekognitionService.{operation}", json.dumps(request), caller)
        return response.status, json.loads(response.body)

    def attach(self, name: str, *statements: dict[str, Any]) -> None:
        document = json.dumps({"Version": "2012-10-17", "Statement": list(statements)})
        status, body = self.call(
            "PutProjectPolicy", ProjectArn=self.source_project, PolicyName=name, PolicyDocument=document
        )
        assert status == 200, body

    def copy(self, caller: Caller, name: str = "v1-copy") -> tuple[int, dict[str, Any]]:
        return self.call(
            "CopyProjectVersion",
            caller,
            SourceProjectArn=self.source_project,
            SourceProjectVersionArn=self.source,
            DestinationProjectArn=self.destination,
            VersionName=name,
            OutputConfig={"S3Bucket": "bucket", "S3KeyPrefix": "copies/"},
        )

    def copies_started(self) -> int:
        return len(self.stepfunctions.list_executions(stateMachineArn=self.pipeline_arn)["executions"])

    def copies_recorded(self) -> list[str]:
        return [version.name for version in self.repository.all_versions("production")]


@pytest.fixture
def copies(
    repository: Repository, localstack_client: ClientFactory, pass_state_machine: Callable[[], str]
) -> Copies:
    stepfunctions = localstack_client("stepfunctions")
    pipeline_arn = pass_state_machine()
    pipelines = StepFunctionsPipelines(
        stepfunctions, dataset_pipeline_arn=None, training_pipeline_arn=None, copy_pipeline_arn=pipeline_arn
    )
    return Copies(api_on(repository, Backends(pipelines=pipelines)), stepfunctions, pipeline_arn, repository)


def statement(effect: str, principal: Any, resource: str) -> dict[str, Any]:
    return {
        "Effect": effect,
        "Principal": principal,
        "Action": "rekognition:CopyProjectVersion",
        "Resource": resource,
    }


def test_within_the_account_no_policy_is_needed(copies: Copies) -> None:
    status, body = copies.copy(SAME_ACCOUNT_INTERN)
    assert status == 200, body
    assert copies.copies_recorded() == ["v1-copy"] and copies.copies_started() == 1
    status, body = copies.copy(UNKNOWN_CALLER, "v1-copy-2")  # signed by no one we can name: this account
    assert status == 200, body


def test_another_account_needs_a_policy_that_allows_it(copies: Copies) -> None:
    status, body = copies.copy(ADMIN)
    assert (status, body["__type"]) == (400, "AccessDeniedException")
    assert f"a caller from account {OTHER_ACCOUNT} needs a project policy" in body["message"]
    assert copies.copies_recorded() == [] and copies.copies_started() == 0

    # the guide's example (L14248-14264), for this deployment's model
    copies.attach("admin", statement("Allow", {"AWS": ADMIN.arn}, copies.source))
    status, body = copies.copy(ADMIN)
    assert status == 200, body
    assert copies.copies_recorded() == ["v1-copy"] and copies.copies_started() == 1

    someone_else = Caller(OTHER_ACCOUNT, f"arn:aws:iam::{OTHER_ACCOUNT}:user/someone")
    status, body = copies.copy(someone_else, "v1-copy-2")
    assert (status, body["__type"]) == (400, "AccessDeniedException")


def test_a_deny_refuses_even_within_the_account(copies: Copies) -> None:
    all_versions = f"{copies.source_project.rsplit('/', 1)[0]}/version/*"  # the guide's wildcard (L14282)
    copies.attach(
        "no-interns", statement("DENY", {"AWS": f"arn:aws:iam::{ACCOUNT}:role/Intern"}, all_versions)
    )
    status, body = copies.copy(SAME_ACCOUNT_INTERN)
    assert (status, body["__type"]) == (400, "AccessDeniedException")
    assert 'explicitly denied by policy "no-interns" statement 1' in body["message"]
    assert copies.copies_recorded() == [] and copies.copies_started() == 0
    status, body = copies.copy(SAME_ACCOUNT_ADMIN)
    assert status == 200, body

    copies.attach("frozen", statement("Deny", "*", all_versions))
    assert copies.copy(SAME_ACCOUNT_ADMIN, "v1-copy-2")[1]["__type"] == "AccessDeniedException"
    assert copies.copy(UNKNOWN_CALLER, "v1-copy-3")[1]["__type"] == "AccessDeniedException"
    assert copies.copies_recorded() == ["v1-copy"]


def test_at_most_five_copies_run_into_one_project(copies: Copies) -> None:
    for index in range(5):
        status, body = copies.copy(UNKNOWN_CALLER, f"copy-{index}")
        assert status == 200, body
    status, body = copies.copy(UNKNOWN_CALLER, "copy-5")  # the guide's quota (L16391)
    assert (status, body["__type"]) == (400, "LimitExceededException")
    assert "At most 5 copies can run at once in one project" in body["message"]
    assert copies.copies_started() == 5 and len(copies.copies_recorded()) == 5
