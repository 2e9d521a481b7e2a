"""Who signed a request: the account and IAM ARN behind an API Gateway proxy event.

CopyProjectVersion needs the caller to evaluate the source project's policies (guide: a policy
is required for cross-account copies and can restrict access within one account). On AWS,
API Gateway's IAM authorizer verifies the SigV4 signature and fills requestContext.identity.
LocalStack community neither verifies signatures nor fills the identity, and by its convention
an access key id of exactly 12 digits names the account; `trust_signature` lets those
deployments read that from the (unverified) Authorization header.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

_ACCOUNT = re.compile(r"[0-9]{12}")
_ARN_ACCOUNT = re.compile(r"arn:[^:]+:(?:iam|sts)::([0-9]{12}):.+")
# AWS4-HMAC-SHA256 Credential=AKID/20261126/us-east-1/execute-api/aws4_request, SignedHeaders=..., ...
_SIGV4_CREDENTIAL = re.compile(
    r"AWS4-HMAC-SHA256\s+Credential=([^/,\s]+)/[0-9]{8}/[^/,\s]+/[^/,\s]+/aws4_request(?:[,\s]|$)"
)


@dataclass(frozen=True)
class Caller:
    """The principal that signed a request, as far as the deployment can tell."""

    account: str | None  # 12-digit account id; None when unknown
    arn: str | None  # IAM ARN (user, role or sts assumed-role session); None when unknown


UNKNOWN_CALLER = Caller(None, None)


def caller_of(event: dict[str, Any], *, trust_signature: bool) -> Caller:
    """The caller of an API Gateway REST proxy event.

    Args:
        event: the proxy event; requestContext.identity holds what API Gateway's IAM auth verified.
        trust_signature: read the account from the SigV4 Authorization header when the identity
            has none. The header is not verified here, so anyone could claim any account with it:
            set this only where the deployment does not verify signatures anyway (LocalStack,
            the local dev server), never on AWS.

    Returns:
        The caller, or UNKNOWN_CALLER when the event does not say who it is.
    """
    context = event.get("requestContext")
    identity = context.get("identity") if isinstance(context, dict) else None
    if isinstance(identity, dict):
        account = _text(identity.get("accountId"))
        arn = _text(identity.get("userArn"))
        if account is None and arn is not None and (found := _ARN_ACCOUNT.fullmatch(arn)):
            account = found.group(1)
        if account is not None and _ACCOUNT.fullmatch(account):
            return Caller(account, arn)
    if trust_signature:
        return _caller_from_signature(event.get("headers"))
    return UNKNOWN_CALLER


def _caller_from_signature(headers: Any) -> Caller:
    """LocalStack's convention: a 12-digit access key id is the account id itself."""
    if not isinstance(headers, dict):
        return UNKNOWN_CALLER
    authorization = next(
        (value for name, value in headers.items() if str(name).lower() == "authorization"), None
    )
    if not isinstance(authorization, str):
        return UNKNOWN_CALLER
    found = _SIGV4_CREDENTIAL.match(authorization.strip())
    if found is None or not _ACCOUNT.fullmatch(found.group(1)):
        return UNKNOWN_CALLER  # e.g. LocalStack's default key "test" names no account
    account = found.group(1)
    return Caller(account, f"arn:aws:iam::{account}:root")


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None
