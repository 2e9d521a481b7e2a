"""Who signed a request: API Gateway's verified identity, else LocalStack's access-key convention."""

from __future__ import annotations

from typing import Any

import pytest

from customlabels.api.caller import UNKNOWN_CALLER, Caller, caller_of

ROLE_SESSION = "arn:aws:sts::222222222222:assumed-role/Admin/alice"
SIGNATURE = (
    "AWS4-HMAC-SHA256 Credential={key}/20261126/us-east-1/execute-api/aws4_request, "
    "SignedHeaders=host;x-amz-date, Signature=0123abcd"
)
LOCALSTACK_IDENTITY = {"accountId": None, "userArn": None, "caller": None, "accessKey": None}


def event(identity: dict[str, Any] | None = None, headers: dict[str, Any] | None = None) -> dict[str, Any]:
    return {"requestContext": {"identity": identity or {}}, "headers": headers}


def signed(key: str, header: str = "Authorization") -> dict[str, Any]:
    return event(LOCALSTACK_IDENTITY, {header: SIGNATURE.format(key=key)})


@pytest.mark.parametrize("trust", [True, False])
def test_identity_from_api_gateway_iam_auth_wins(trust: bool) -> None:
    identity = {
        "accountId": "222222222222",
        "userArn": ROLE_SESSION,
        "caller": "AROA:alice",
        "accessKey": "ASIA",
    }
    got = caller_of(
        event(identity, {"Authorization": SIGNATURE.format(key="333333333333")}), trust_signature=trust
    )
    assert got == Caller("222222222222", ROLE_SESSION)


def test_identity_without_user_arn() -> None:
    assert caller_of(event({"accountId": "222222222222"}), trust_signature=False) == Caller(
        "222222222222", None
    )


def test_identity_account_taken_from_user_arn_when_account_missing() -> None:
    got = caller_of(event({"userArn": ROLE_SESSION}), trust_signature=False)
    assert got == Caller("222222222222", ROLE_SESSION)


def test_twelve_digit_access_key_is_the_account_when_trusted() -> None:
    assert caller_of(signed("444455556666"), trust_signature=True) == Caller(
        "444455556666", "arn:aws:iam::444455556666:root"
    )


@pytest.mark.parametrize("header", ["authorization", "AUTHORIZATION", "AuThOrIzAtIoN"])
def test_authorization_header_name_is_case_insensitive(header: str) -> None:
    assert caller_of(signed("444455556666", header), trust_signature=True).account == "444455556666"


def test_signature_ignored_unless_trusted() -> None:
    """On AWS the header is unverified input: it must never name the caller."""
    assert caller_of(signed("444455556666"), trust_signature=False) == UNKNOWN_CALLER


@pytest.mark.parametrize(
    "key", ["test", "AKIAIOSFODNN7EXAMPLE", "12345678901", "1234567890123", "１２３４５６７８９０１２"]
)
def test_other_access_keys_name_no_account(key: str) -> None:
    assert caller_of(signed(key), trust_signature=True) == UNKNOWN_CALLER


@pytest.mark.parametrize(
    "authorization",
    [
        "",
        "Bearer 444455556666",
        "AWS4-HMAC-SHA256 Credential=444455556666",
        "AWS4-HMAC-SHA256 Credential=444455556666/20261126/us-east-1/execute-api",
        "AWS4-HMAC-SHA256 SignedHeaders=host, Credential=444455556666/20261126/us-east-1/x/aws4_request",
        "AWS AKIAIOSFODNN7EXAMPLE:signature",
        None,
        42,
    ],
)
def test_malformed_authorization_is_unknown(authorization: Any) -> None:
    got = caller_of(event(LOCALSTACK_IDENTITY, {"Authorization": authorization}), trust_signature=True)
    assert got == UNKNOWN_CALLER


@pytest.mark.parametrize(
    "proxy_event",
    [
        {},
        {"requestContext": None, "headers": None},
        {"requestContext": {"identity": None}},
        event(LOCALSTACK_IDENTITY),
        event(LOCALSTACK_IDENTITY, {"Host": "example.com"}),
        event({"accountId": "not-an-account"}),
    ],
)
def test_missing_identity_and_header_is_unknown(proxy_event: dict[str, Any]) -> None:
    assert caller_of(proxy_event, trust_signature=True) == UNKNOWN_CALLER
