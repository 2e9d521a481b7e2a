"""``customlabels projects`` and ``customlabels tags`` against canned API answers."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from customlabels.cli.output import CliError
from customlabels.cli.projects import project_name, projects_table
from tests.unit.cli.conftest import Api

PROJECT = "arn:aws:rekognition:us-east-1:123456789012:project/shapes/1700000000000"
OTHER = "arn:aws:rekognition:us-east-1:123456789012:project/rooms/1690000000000"
CREATED = datetime(2026, 11, 26, 9, 30, tzinfo=UTC)
DATASET = "arn:aws:rekognition:us-east-1:123456789012:project/shapes/dataset/train/1700000000100"
SHAPES = {
    "ProjectArn": PROJECT,
    "CreationTimestamp": CREATED,
    "Status": "CREATED",
    "Feature": "CUSTOM_LABELS",
    "Datasets": [
        {
            "DatasetArn": DATASET,
            "DatasetType": "TRAIN",
            "CreationTimestamp": CREATED,
            "Status": "CREATE_COMPLETE",
            "StatusMessage": "The dataset was successfully created from the manifest file.",
            "StatusMessageCode": "SUCCESS",
        }
    ],
}
ROOMS = {"ProjectArn": OTHER, "CreationTimestamp": CREATED, "Status": "CREATED", "Feature": "CUSTOM_LABELS"}


def test_create_passes_the_feature_auto_update_and_tags(api: Api) -> None:
    api.rekognition.add_response(
        "create_project",
        {"ProjectArn": PROJECT},
        {
            "ProjectName": "shapes",
            "Tags": {"team": "vision"},
            "Feature": "CONTENT_MODERATION",
            "AutoUpdate": "ENABLED",
        },
    )
    argv = ["projects", "create", "--name", "shapes", "--tag", "team=vision"]
    ran = api.run(*argv, "--feature", "content_moderation", "--auto-update", "enabled")
    assert (ran.code, ran.out) == (0, PROJECT + "\n")
    api.rekognition.add_client_error(
        "create_project",
        "ResourceInUseException",
        "A project named shapes already exists",
        http_status_code=400,
    )
    ran = api.run("projects", "create", "--name", "shapes")
    assert (ran.code, ran.err) == (1, "ResourceInUseException: A project named shapes already exists\n")


def test_list_follows_next_tokens_and_filters(api: Api) -> None:
    filters = {"ProjectNames": ["shapes", "rooms"], "Features": ["CUSTOM_LABELS"]}
    api.rekognition.add_response(
        "describe_projects", {"ProjectDescriptions": [SHAPES], "NextToken": "page-2"}, filters
    )
    api.rekognition.add_response(
        "describe_projects", {"ProjectDescriptions": [ROOMS]}, {**filters, "NextToken": "page-2"}
    )
    ran = api.run("projects", "list", "--name", "shapes", "--name", "rooms", "--feature", "custom_labels")
    assert ran.out.splitlines() == [
        "NAME    FEATURE        STATUS   CREATED                    DATASETS  ARN",
        f"shapes  CUSTOM_LABELS  CREATED  2026-11-26T09:30:00+00:00  train     {PROJECT}",
        f"rooms   CUSTOM_LABELS  CREATED  2026-11-26T09:30:00+00:00  -         {OTHER}",
    ]
    api.rekognition.add_response("describe_projects", {"ProjectDescriptions": [ROOMS]}, {})
    listed = json.loads(api.run("--json", "projects", "list").out)
    assert listed == [{**ROOMS, "CreationTimestamp": "2026-11-26T09:30:00+00:00"}]
    assert projects_table([]) == "NAME  FEATURE  STATUS  CREATED  DATASETS  ARN"


def test_describe_shows_the_project_and_its_datasets(api: Api) -> None:
    by_name = {"ProjectNames": ["shapes"], "Features": ["CUSTOM_LABELS", "CONTENT_MODERATION"]}
    api.rekognition.add_response("describe_projects", {"ProjectDescriptions": [SHAPES]}, by_name)
    ran = api.run("projects", "describe", "--project-arn", PROJECT)
    assert ran.out.split("\n\n") == [
        "\n".join(
            [
                "Name        shapes",
                f"ProjectArn  {PROJECT}",
                "Feature     CUSTOM_LABELS",
                "Status      CREATED",
                "Created     2026-11-26T09:30:00+00:00",
                "AutoUpdate  -",
            ]
        ),
        "\n".join(
            [
                "DATASET  STATUS           MESSAGE                                                       ARN",
                "TRAIN    CREATE_COMPLETE  The dataset was successfully created from the manifest file.  "
                + DATASET,
                "",
            ]
        ),
    ]
    api.rekognition.add_response("describe_projects", {"ProjectDescriptions": []}, by_name)
    ran = api.run("projects", "describe", "--name", "shapes")
    assert ran.err == "ResourceNotFoundException: there is no project shapes\n"


def test_delete_prints_the_status(api: Api) -> None:
    api.rekognition.add_response("delete_project", {"Status": "DELETING"}, {"ProjectArn": PROJECT})
    assert api.run("projects", "delete", "--project-arn", PROJECT).out == "DELETING\n"


def test_policies_are_put_from_a_file_listed_and_deleted_by_revision(api: Api, tmp_path: Path) -> None:
    document = json.dumps({"Version": "2012-10-17", "Statement": []})
    Path("policy.json").write_text(document)
    api.rekognition.add_response(
        "put_project_policy",
        {"PolicyRevisionId": "rev-2"},
        {
            "ProjectArn": PROJECT,
            "PolicyName": "share",
            "PolicyDocument": document,
            "PolicyRevisionId": "rev-1",
        },
    )
    put = ["projects", "policies", "put", "--project-arn", PROJECT, "--policy-name", "share"]
    assert api.run(*put, "--policy-file", "policy.json", "--revision-id", "rev-1").out == "rev-2\n"
    missing = api.run(*put, "--policy-file", "nowhere.json")
    assert missing.code == 1 and missing.err.startswith("FileNotFoundError: ")

    policy = {
        "ProjectArn": PROJECT,
        "PolicyName": "share",
        "PolicyRevisionId": "rev-2",
        "PolicyDocument": document,
        "CreationTimestamp": CREATED,
        "LastUpdatedTimestamp": datetime(2026, 11, 27, tzinfo=UTC),
    }
    api.rekognition.add_response(
        "list_project_policies", {"ProjectPolicies": [policy]}, {"ProjectArn": PROJECT}
    )
    ran = api.run("projects", "policies", "list", "--project-arn", PROJECT, "--documents")
    assert ran.out.splitlines() == [
        "POLICY  REVISION  CREATED                    UPDATED",
        "share   rev-2     2026-11-26T09:30:00+00:00  2026-11-27T00:00:00+00:00",
        "",
        "share:",
        document,
    ]
    api.rekognition.add_response(
        "delete_project_policy",
        {},
        {"ProjectArn": PROJECT, "PolicyName": "share", "PolicyRevisionId": "rev-2"},
    )
    deleted = ["projects", "policies", "delete", "--project-arn", PROJECT, "--policy-name", "share"]
    assert api.run(*deleted, "--revision-id", "rev-2").out == "deleted share\n"


def test_tags_are_listed_added_and_removed(api: Api) -> None:
    api.rekognition.add_response(
        "list_tags_for_resource", {"Tags": {"team": "vision", "env": "test"}}, {"ResourceArn": PROJECT}
    )
    assert api.run("tags", "list", "--resource-arn", PROJECT).out.splitlines() == [
        "KEY   VALUE",
        "env   test",
        "team  vision",
    ]
    api.rekognition.add_response(
        "tag_resource", {}, {"ResourceArn": PROJECT, "Tags": {"team": "ml", "note": ""}}
    )
    ran = api.run("--json", "tags", "tag", "--resource-arn", PROJECT, "--tag", "team=ml", "--tag", "note=")
    assert json.loads(ran.out) == {"ResourceArn": PROJECT, "Tagged": {"team": "ml", "note": ""}}
    api.rekognition.add_response("untag_resource", {}, {"ResourceArn": PROJECT, "TagKeys": ["team", "note"]})
    assert api.run("tags", "untag", "--resource-arn", PROJECT, "--key", "team", "--key", "note").out == (
        "removed team, note\n"
    )
    bad = api.run("tags", "tag", "--resource-arn", PROJECT, "--tag", "=x")
    assert (bad.code, bad.err) == (1, "InvalidTag: tags are KEY=VALUE, got '=x'\n")


def test_project_names_come_from_project_arns() -> None:
    assert project_name(PROJECT) == "shapes"
    for bad in (
        "shapes",
        "arn:aws:rekognition:us-east-1:123456789012:model/x/1",
        "arn:aws:rekognition:x:project//1",
    ):
        with pytest.raises(CliError, match="expected a project ARN") as caught:
            project_name(bad)
        assert caught.value.name == "InvalidArn"
