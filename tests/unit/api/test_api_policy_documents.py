"""The guide's project-policy rules (L14269-14282), table-driven."""

from __future__ import annotations

import json
from typing import Any

import pytest

from customlabels.api.errors import MalformedPolicyDocumentException
from customlabels.api.policies import check_policy_document

VERSION_ARN = "arn:aws:rekognition:us-east-1:111111111111:project/my_project/version/test_1/1627045542080"


def statement(**changes: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "Effect": "Allow",
        "Principal": {"AWS": "arn:aws:iam::111111111111:role/Admin"},
        "Action": "rekognition:CopyProjectVersion",
        "Resource": VERSION_ARN,
    }
    base.update(changes)
    return {key: value for key, value in base.items() if value is not None}


def policy(*statements: dict[str, Any], **top: Any) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements), **top})


VALID = [
    policy(statement()),  # the guide's example, L14248-14264
    policy(statement(Effect="DENY", Sid="NoCopies")),  # L14279 writes ALLOW/DENY
    policy(
        statement(
            Action=["rekognition:copyprojectversion"],
            Resource=["arn:aws:rekognition:*:*:project/p/version/*"],
        )
    ),
    policy(statement(Principal="*", Condition={"StringEquals": {"aws:PrincipalAccount": "111111111111"}})),
    json.dumps({"Statement": statement()}),
]


@pytest.mark.parametrize("document", VALID)
def test_valid_policies(document: str) -> None:
    check_policy_document(document)


INVALID = [
    ("{not json", "not valid JSON"),
    ("[]", "must be a JSON object"),
    (policy(), "at least one statement"),
    (json.dumps({"Version": "2012-10-17"}), "at least one statement"),
    (policy(statement(), Version="2020-01-01"), "Version must be one of"),
    (policy(statement(), Extra=1), "unsupported element(s) Extra"),
    (policy(statement(Effect=None)), "missing Effect"),
    (policy(statement(Principal=None)), "missing Principal"),
    (policy(statement(Action=None)), "missing Action"),
    (policy(statement(Resource=None)), "missing Resource"),
    (policy(statement(Effect="Maybe")), "Effect must be Allow or Deny"),
    (policy(statement(Action="rekognition:DetectCustomLabels")), "only action"),
    (policy(statement(Action=["rekognition:CopyProjectVersion", "s3:GetObject"])), "only action"),
    (policy(statement(Action="rekognition:*")), "only action"),
    (policy(statement(NotAction="rekognition:DeleteProject")), "NotAction"),
    (policy(statement(NotResource="*")), "NotResource"),
    (policy(statement(NotPrincipal={"AWS": "x"})), "NotPrincipal"),
    (policy(statement(Principal="someone")), "Principal must be"),
    (policy(statement(Resource=[])), "Resource must be a string or a list of strings"),
    (policy("just a string"), "must be a JSON object"),  # type: ignore[arg-type]
]


@pytest.mark.parametrize(("document", "fragment"), INVALID)
def test_invalid_policies_are_malformed(document: str, fragment: str) -> None:
    with pytest.raises(MalformedPolicyDocumentException) as caught:
        check_policy_document(document)
    assert fragment in caught.value.message
