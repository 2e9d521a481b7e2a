"""Project policies decide CopyProjectVersion with IAM resource-policy rules (guide L14239-14282)."""

from __future__ import annotations

import json
from typing import Any

import pytest

from customlabels.api.caller import UNKNOWN_CALLER, Caller
from customlabels.api.policies import check_policy_document
from customlabels.api.policy_evaluation import CopyDecision, Verdict, evaluate_copy

OWNER = "123456789012"
OTHER = "222222222222"
SOURCE = f"arn:aws:rekognition:us-east-1:{OWNER}:project/my_project/version/test_1/1627045542080"
ALL_VERSIONS = f"arn:aws:rekognition:us-east-1:{OWNER}:project/my_project/version/*"  # guide's wildcard form
ADMIN_SESSION = Caller(OTHER, f"arn:aws:sts::{OTHER}:assumed-role/Admin/alice")
OTHER_ROOT = Caller(OTHER, f"arn:aws:iam::{OTHER}:root")
OWNER_SESSION = Caller(OWNER, f"arn:aws:sts::{OWNER}:assumed-role/Admin/bob")
# The guide's example policy, verbatim (its role and project share account 111111111111).
GUIDE_POLICY = (
    '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111111111111:'
    'role/Admin"},"Action":"rekognition:CopyProjectVersion","Resource":"arn:aws:rekognition:us-east-1:'
    '111111111111:project/my_project/version/test_1/1627045542080"}]}'
)
GUIDE_SOURCE = "arn:aws:rekognition:us-east-1:111111111111:project/my_project/version/test_1/1627045542080"

ALLOWED, DENIED, NOT_ALLOWED = CopyDecision.ALLOWED, CopyDecision.DENIED, CopyDecision.NOT_ALLOWED


def raw(*statements: dict[str, Any]) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


def policy(*statements: dict[str, Any]) -> str:
    """A document PutProjectPolicy would store: every test policy but the action wildcards goes through it."""
    check_policy_document(document := raw(*statements))
    return document


def stmt(effect: str = "Allow", **changes: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "Effect": effect,
        "Principal": {"AWS": OTHER},
        "Action": "rekognition:CopyProjectVersion",
        "Resource": SOURCE,
        **changes,
    }
    return base


def decide(*documents: str, caller: Caller = ADMIN_SESSION, source: str = SOURCE) -> CopyDecision:
    named = {f"p{index}": document for index, document in enumerate(documents)}
    return evaluate_copy(named, caller=caller, source_version_arn=source, owner_account=OWNER).decision


# --- the guide's example --------------------------------------------------------------------------


def test_guide_policy_allows_the_admin_role_cross_account() -> None:
    admin = Caller("111111111111", "arn:aws:sts::111111111111:assumed-role/Admin/session")
    verdict = evaluate_copy(
        {"guide": GUIDE_POLICY}, caller=admin, source_version_arn=GUIDE_SOURCE, owner_account=OWNER
    )
    assert verdict == Verdict(ALLOWED, 'policy "guide" statement 1')


@pytest.mark.parametrize(
    "caller",
    [
        Caller("111111111111", "arn:aws:sts::111111111111:assumed-role/Reader/session"),
        Caller("111111111111", "arn:aws:iam::111111111111:user/Admin"),
        Caller("333333333333", "arn:aws:sts::333333333333:assumed-role/Admin/session"),
    ],
)
def test_guide_policy_allows_no_one_else(caller: Caller) -> None:
    assert decide(GUIDE_POLICY, caller=caller, source=GUIDE_SOURCE) is NOT_ALLOWED


def test_guide_policy_within_its_own_account() -> None:
    caller = Caller("111111111111", "arn:aws:iam::111111111111:user/anyone")
    verdict = evaluate_copy(
        {"guide": GUIDE_POLICY}, caller=caller, source_version_arn=GUIDE_SOURCE, owner_account="111111111111"
    )
    assert verdict == Verdict(ALLOWED, None)


# --- decision ---------------------------------------------------------------------------------------


def test_same_account_needs_no_policy() -> None:
    assert decide(caller=OWNER_SESSION) is ALLOWED


def test_unknown_caller_is_allowed_unless_denied() -> None:
    assert decide(caller=UNKNOWN_CALLER) is ALLOWED
    assert decide(policy(stmt("Deny", Principal={"AWS": OWNER})), caller=UNKNOWN_CALLER) is ALLOWED


def test_cross_account_needs_an_allow() -> None:
    assert decide() is NOT_ALLOWED
    assert decide(policy(stmt(Principal={"AWS": "333333333333"}))) is NOT_ALLOWED
    assert decide(policy(stmt())) is ALLOWED


def test_same_account_role_can_be_denied() -> None:
    """Guide: within one account a policy can restrict access, e.g. deny a particular IAM role."""
    deny_admin = policy(stmt("Deny", Principal={"AWS": f"arn:aws:iam::{OWNER}:role/Admin"}))
    assert decide(deny_admin, caller=OWNER_SESSION) is DENIED
    assert decide(deny_admin, caller=Caller(OWNER, f"arn:aws:iam::{OWNER}:user/carol")) is ALLOWED


def test_deny_beats_allow_and_names_the_statement() -> None:
    allow = policy(stmt())
    deny = policy(stmt("Allow", Resource="arn:aws:rekognition:*:*:project/other/*"), stmt("Deny"))
    verdict = evaluate_copy(
        {"a-allow": allow, "deny-admin": deny},
        caller=ADMIN_SESSION,
        source_version_arn=SOURCE,
        owner_account=OWNER,
    )
    assert verdict == Verdict(DENIED, 'policy "deny-admin" statement 2')


def test_allow_names_the_statement_and_not_allowed_names_none() -> None:
    verdict = evaluate_copy(
        {"share": policy(stmt())}, caller=ADMIN_SESSION, source_version_arn=SOURCE, owner_account=OWNER
    )
    assert verdict == Verdict(ALLOWED, 'policy "share" statement 1')
    assert evaluate_copy({}, caller=ADMIN_SESSION, source_version_arn=SOURCE, owner_account=OWNER) == Verdict(
        NOT_ALLOWED, None
    )


@pytest.mark.parametrize(("allow", "deny"), [("Allow", "Deny"), ("ALLOW", "DENY"), ("allow", "deny")])
def test_effect_is_case_insensitive(allow: str, deny: str) -> None:
    assert decide(policy(stmt(allow))) is ALLOWED
    assert decide(policy(stmt(allow)), policy(stmt(deny))) is DENIED


def test_statement_may_be_a_single_object() -> None:
    document = json.dumps({"Version": "2012-10-17", "Statement": stmt()})
    check_policy_document(document)
    assert decide(document) is ALLOWED


# --- action and resource ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "action",
    ["REKOGNITION:copyprojectversion", ["rekognition:CopyProjectVersion", "rekognition:copyProjectVersion"]],
)
def test_action_is_case_insensitive(action: Any) -> None:
    assert decide(policy(stmt(Action=action))) is ALLOWED


@pytest.mark.parametrize(
    ("action", "expected"),
    [
        ("rekognition:*", ALLOWED),
        ("*", ALLOWED),
        ("Rekognition:Copy*", ALLOWED),
        ("rekognition:CopyProjectVersio?", ALLOWED),
        ("rekognition:DetectLabels", NOT_ALLOWED),
        (["rekognition:DetectLabels", "rekognition:Copy*"], ALLOWED),
        ("rekognition:Copy", NOT_ALLOWED),
    ],
)
def test_action_wildcards_match_although_validation_rejects_them(action: Any, expected: CopyDecision) -> None:
    assert decide(raw(stmt(Action=action))) is expected


@pytest.mark.parametrize(
    ("resource", "expected"),
    [
        (SOURCE, ALLOWED),
        (ALL_VERSIONS, ALLOWED),
        (f"arn:aws:rekognition:us-east-?:{OWNER}:project/my_project/version/*", ALLOWED),
        ("arn:aws:rekognition:*:*:project/*", ALLOWED),
        ("*", ALLOWED),
        ([f"arn:aws:rekognition:us-east-1:{OWNER}:project/other/version/*", ALL_VERSIONS], ALLOWED),
        (f"arn:aws:rekognition:us-east-1:{OWNER}:project/MY_PROJECT/version/*", NOT_ALLOWED),
        (f"arn:aws:rekognition:us-east-1:{OWNER}:project/my_project/version/test_?", NOT_ALLOWED),
        (f"arn:aws:rekognition:us-east-1:{OWNER}:project/my_[p]roject/version/*", NOT_ALLOWED),
        (f"arn:aws:rekognition:us-east-1:{OWNER}:project/my.project/version/*", NOT_ALLOWED),
    ],
)
def test_resource_uses_iam_wildcards_case_sensitively(resource: Any, expected: CopyDecision) -> None:
    assert decide(policy(stmt(Resource=resource))) is expected


def test_brackets_in_a_resource_are_literal() -> None:
    source = f"arn:aws:rekognition:us-east-1:{OWNER}:project/my_[p]roject/version/v/1"
    pattern = f"arn:aws:rekognition:us-east-1:{OWNER}:project/my_[p]roject/version/*"
    assert decide(policy(stmt(Resource=pattern)), source=source) is ALLOWED


# --- principal --------------------------------------------------------------------------------------


@pytest.mark.parametrize("principal", ["*", {"AWS": "*"}, {"AWS": ["*"]}, {"AWS": ["333333333333", "*"]}])
def test_everyone_principal_matches_unknown_callers_too(principal: Any) -> None:
    assert decide(policy(stmt(Principal=principal))) is ALLOWED
    assert decide(policy(stmt("Deny", Principal=principal)), caller=UNKNOWN_CALLER) is DENIED


@pytest.mark.parametrize(
    ("principal", "caller", "expected"),
    [
        (OTHER, ADMIN_SESSION, ALLOWED),
        (f"arn:aws:iam::{OTHER}:root", ADMIN_SESSION, ALLOWED),
        (f"arn:aws:iam::{OTHER}:root", OTHER_ROOT, ALLOWED),
        (["333333333333", OTHER], ADMIN_SESSION, ALLOWED),
        (OTHER, Caller(OTHER, None), ALLOWED),
        ("333333333333", ADMIN_SESSION, NOT_ALLOWED),
        ("arn:aws:iam::333333333333:root", ADMIN_SESSION, NOT_ALLOWED),
        (f"arn:aws:iam::{OTHER}:role/Admin", ADMIN_SESSION, ALLOWED),
        (f"arn:aws:iam::{OTHER}:role/team/ml/Admin", ADMIN_SESSION, ALLOWED),
        (f"arn:aws:iam::{OTHER}:role/Administrator", ADMIN_SESSION, NOT_ALLOWED),
        (f"arn:aws:iam::{OTHER}:role/admin", ADMIN_SESSION, NOT_ALLOWED),
        ("arn:aws:iam::333333333333:role/Admin", ADMIN_SESSION, NOT_ALLOWED),
        (f"arn:aws:iam::{OTHER}:user/Admin", ADMIN_SESSION, NOT_ALLOWED),
        (f"arn:aws:iam::{OTHER}:role/Admin", Caller(OTHER, f"arn:aws:iam::{OTHER}:role/Admin"), ALLOWED),
        (
            f"arn:aws:iam::{OTHER}:user/dev/carol",
            Caller(OTHER, f"arn:aws:iam::{OTHER}:user/dev/carol"),
            ALLOWED,
        ),
        (
            f"arn:aws:iam::{OTHER}:user/carol",
            Caller(OTHER, f"arn:aws:iam::{OTHER}:user/dev/carol"),
            NOT_ALLOWED,
        ),
        (f"arn:aws:iam::{OTHER}:user/carol", OTHER_ROOT, NOT_ALLOWED),
        (f"arn:aws:iam::{OTHER}:user/carol", Caller(OTHER, None), NOT_ALLOWED),
    ],
)
def test_aws_principals(principal: Any, caller: Caller, expected: CopyDecision) -> None:
    assert decide(policy(stmt(Principal={"AWS": principal})), caller=caller) is expected


@pytest.mark.parametrize(
    "principal",
    [
        {"Service": "rekognition.amazonaws.com"},
        {"Federated": "cognito-identity.amazonaws.com"},
        {"CanonicalUser": "79a59df900b949e55d96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be"},
        {"Service": "*"},
    ],
)
def test_other_principal_kinds_never_match(principal: dict[str, str]) -> None:
    assert decide(policy(stmt(Principal=principal))) is NOT_ALLOWED
    assert decide(policy(stmt("Deny", Principal=principal)), caller=OWNER_SESSION) is ALLOWED


@pytest.mark.parametrize(
    "principal", [OWNER, f"arn:aws:iam::{OWNER}:root", f"arn:aws:iam::{OWNER}:role/Admin"]
)
def test_unknown_caller_matches_only_everyone(principal: str) -> None:
    assert decide(policy(stmt("Deny", Principal={"AWS": principal})), caller=UNKNOWN_CALLER) is ALLOWED


# --- condition --------------------------------------------------------------------------------------

ROLE_ARN = f"arn:aws:iam::{OTHER}:role/Admin"  # aws:PrincipalArn of ADMIN_SESSION


def allow_if(condition: dict[str, Any], caller: Caller = ADMIN_SESSION) -> CopyDecision:
    return decide(policy(stmt(Principal="*", Condition=condition)), caller=caller)


@pytest.mark.parametrize(
    ("condition", "holds"),
    [
        ({"StringEquals": {"aws:PrincipalAccount": OTHER}}, True),
        ({"StringEquals": {"aws:PrincipalAccount": "333333333333"}}, False),
        ({"StringEquals": {"AWS:PRINCIPALACCOUNT": OTHER}}, True),
        ({"StringEquals": {"aws:PrincipalArn": ROLE_ARN}}, True),
        ({"StringEquals": {"aws:PrincipalArn": ADMIN_SESSION.arn}}, False),
        ({"StringEquals": {"aws:PrincipalArn": ROLE_ARN.lower()}}, False),
        ({"StringNotEquals": {"aws:PrincipalAccount": OTHER}}, False),
        ({"StringNotEquals": {"aws:PrincipalAccount": ["333333333333", "444444444444"]}}, True),
        ({"StringNotEquals": {"aws:PrincipalAccount": ["333333333333", OTHER]}}, False),
        ({"StringEqualsIgnoreCase": {"aws:PrincipalArn": ROLE_ARN.upper()}}, True),
        ({"StringEqualsIgnoreCase": {"aws:PrincipalArn": f"arn:aws:iam::{OTHER}:role/Other"}}, False),
        ({"StringLike": {"aws:PrincipalArn": f"arn:aws:iam::{OTHER}:role/Adm*"}}, True),
        ({"StringLike": {"aws:PrincipalArn": "arn:aws:iam::*:role/Admi?"}}, True),
        ({"StringLike": {"aws:PrincipalArn": "arn:aws:iam::*:role/admin"}}, False),
        ({"StringNotLike": {"aws:PrincipalArn": "*:role/Admin"}}, False),
        ({"StringNotLike": {"aws:PrincipalArn": ["*:role/Reader", "*:user/*"]}}, True),
        ({"ArnEquals": {"aws:PrincipalArn": ROLE_ARN}}, True),
        ({"ArnEquals": {"aws:PrincipalArn": "arn:aws:iam::*:role/*"}}, True),
        ({"ArnLike": {"aws:PrincipalArn": "arn:aws:iam::*:role/Ad*"}}, True),
        ({"ArnLike": {"aws:PrincipalArn": "arn:aws:iam::*"}}, False),  # too few parts
        ({"ArnLike": {"aws:PrincipalArn": "arn:aws:sts::*:*"}}, False),
        ({"ArnNotEquals": {"aws:PrincipalArn": ROLE_ARN}}, False),
        ({"ArnNotLike": {"aws:PrincipalArn": "arn:aws:iam::*:user/*"}}, True),
        ({"StringEqualsIfExists": {"aws:PrincipalAccount": OTHER}}, True),
        ({"StringEqualsIfExists": {"aws:PrincipalAccount": OWNER}}, False),
        ({"ArnLikeIfExists": {"aws:PrincipalArn": "arn:aws:iam::*:role/Reader"}}, False),
        # several values of a key: any; several keys and several operators: all
        ({"StringEquals": {"aws:PrincipalAccount": ["333333333333", OTHER]}}, True),
        ({"StringEquals": {"aws:PrincipalAccount": OTHER, "aws:PrincipalArn": ROLE_ARN}}, True),
        ({"StringEquals": {"aws:PrincipalAccount": OTHER, "aws:PrincipalArn": "x"}}, False),
        (
            {
                "StringEquals": {"aws:PrincipalAccount": OTHER},
                "ArnLike": {"aws:PrincipalArn": "arn:aws:iam::*:role/Admin"},
            },
            True,
        ),
        (
            {
                "StringEquals": {"aws:PrincipalAccount": OTHER},
                "ArnLike": {"aws:PrincipalArn": "arn:aws:iam::*:role/X"},
            },
            False,
        ),
    ],
)
def test_condition_operators(condition: dict[str, Any], holds: bool) -> None:
    assert allow_if(condition) is (ALLOWED if holds else NOT_ALLOWED)


@pytest.mark.parametrize(
    ("operator", "holds"),
    [
        ("StringEquals", False),
        ("StringLike", False),
        ("ArnEquals", False),
        ("ArnLike", False),
        ("StringEqualsIfExists", True),
        ("ArnLikeIfExists", True),
        ("StringNotEquals", True),
        ("StringNotLike", True),
        ("ArnNotLike", True),
        ("ArnNotEqualsIfExists", True),
    ],
)
def test_missing_key(operator: str, holds: bool) -> None:
    caller_without_arn = Caller(OTHER, None)
    condition = {operator: {"aws:PrincipalArn": "*"}}
    assert allow_if(condition, caller=caller_without_arn) is (ALLOWED if holds else NOT_ALLOWED)


def test_missing_account_key_for_an_unknown_caller() -> None:
    deny = stmt("Deny", Principal="*", Condition={"StringNotEquals": {"aws:PrincipalAccount": OWNER}})
    assert decide(policy(deny), caller=UNKNOWN_CALLER) is DENIED
    deny["Condition"] = {"StringEquals": {"aws:PrincipalAccount": OWNER}}
    assert decide(policy(deny), caller=UNKNOWN_CALLER) is ALLOWED


@pytest.mark.parametrize(
    "condition",
    [
        {"NumericEquals": {"aws:PrincipalAccount": OTHER}},
        {"ForAnyValue:StringEquals": {"aws:PrincipalAccount": OTHER}},
        {"IpAddress": {"aws:SourceIp": "203.0.113.0/24"}},
        {"StringEquals": {"aws:SourceVpc": "vpc-1"}},  # a key we cannot evaluate
        {"StringEquals": {"aws:PrincipalAccount": [OTHER, OWNER]}, "Bool": {"aws:SecureTransport": "true"}},
    ],
)
def test_unsupported_conditions_never_grant_and_always_deny(condition: dict[str, Any]) -> None:
    assert allow_if(condition) is NOT_ALLOWED
    assert decide(policy(stmt("Deny", Principal="*", Condition=condition)), caller=OWNER_SESSION) is DENIED


# --- every document here is one PutProjectPolicy would store --------------------------------------


def test_guide_policy_and_wildcard_form_pass_validation() -> None:
    """The rest pass through policy(), which validates each document it builds."""
    check_policy_document(GUIDE_POLICY)
    check_policy_document(raw(stmt(Resource=ALL_VERSIONS)))
