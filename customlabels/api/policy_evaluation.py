"""Evaluate a source project's policies for one CopyProjectVersion call (IAM resource-policy rules).

The guide makes a project policy required for cross-account copies and optional within one
account, where it can still restrict access (e.g. deny a particular IAM role). So: an explicit
Deny always wins; a same-account (or unknown) caller is otherwise allowed, because its identity
policies are what API Gateway's IAM auth enforces; a cross-account caller needs a matching Allow.
Documents are expected to have passed check_policy_document; shapes it rejects never match.
"""

from __future__ import annotations

import enum
import functools
import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from customlabels.api.caller import Caller

COPY_ACTION = "rekognition:CopyProjectVersion"
_ACCOUNT = re.compile(r"[0-9]{12}")
_ROOT = re.compile(r"arn:([^:]+):iam::([0-9]{12}):root")
_IAM_ROLE = re.compile(r"arn:([^:]+):iam::([0-9]{12}):role/(?:.*/)?([^/]+)")
_ASSUMED_ROLE = re.compile(r"arn:([^:]+):sts::([0-9]{12}):assumed-role/([^/]+)/[^/]+")


class CopyDecision(enum.Enum):
    ALLOWED = "ALLOWED"
    DENIED = "DENIED"  # an explicit Deny matched
    NOT_ALLOWED = "NOT_ALLOWED"  # cross-account caller and no Allow matched


@dataclass(frozen=True)
class Verdict:
    decision: CopyDecision
    statement: str | None  # the statement that decided, e.g. 'policy "deny-admin" statement 1'


def evaluate_copy(
    policies: Mapping[str, str], *, caller: Caller, source_version_arn: str, owner_account: str
) -> Verdict:
    """Decide whether `caller` may copy `source_version_arn`, owned by `owner_account`.

    Args:
        policies: policy name -> JSON document, each already accepted by check_policy_document.

    Raises:
        json.JSONDecodeError: a document is not JSON (PutProjectPolicy never stores one).
    """
    allowed_by: str | None = None
    for name in sorted(policies):
        for index, statement in enumerate(_statements(policies[name]), start=1):
            effect = str(statement.get("Effect", "")).lower()
            if effect not in ("allow", "deny") or not _matches(
                statement, caller, source_version_arn, deny=effect == "deny"
            ):
                continue
            label = f'policy "{name}" statement {index}'
            if effect == "deny":
                return Verdict(CopyDecision.DENIED, label)
            allowed_by = allowed_by or label
    if caller.account is None or caller.account == owner_account:
        return Verdict(CopyDecision.ALLOWED, None)
    if allowed_by is not None:
        return Verdict(CopyDecision.ALLOWED, allowed_by)
    return Verdict(CopyDecision.NOT_ALLOWED, None)


def _statements(document: str) -> list[dict[str, Any]]:
    policy = json.loads(document)
    statements = policy.get("Statement") if isinstance(policy, dict) else None
    if isinstance(statements, dict):
        statements = [statements]
    return [s for s in statements if isinstance(s, dict)] if isinstance(statements, list) else []


def _matches(statement: dict[str, Any], caller: Caller, resource: str, *, deny: bool) -> bool:
    return (
        any(
            _wildcard(action, ignore_case=True).fullmatch(COPY_ACTION)
            for action in _strings(statement.get("Action"))
        )
        and any(_wildcard(pattern).fullmatch(resource) for pattern in _strings(statement.get("Resource")))
        and _principal_matches(statement.get("Principal"), caller)
        and _condition_holds(statement.get("Condition"), caller, deny=deny)
    )


def _principal_matches(principal: Any, caller: Caller) -> bool:
    if principal == "*":
        return True
    if not isinstance(principal, dict):
        return False
    # Service, Federated and CanonicalUser principals never sign a Rekognition API call.
    return any(_aws_principal_matches(value, caller) for value in _strings(principal.get("AWS")))


def _aws_principal_matches(value: str, caller: Caller) -> bool:
    if value == "*":
        return True
    if caller.account is None:
        return False
    if _ACCOUNT.fullmatch(value):
        return value == caller.account
    if root := _ROOT.fullmatch(value):
        return root.group(2) == caller.account
    if caller.arn is None:
        return False
    if value == caller.arn:
        return True
    role, session = _IAM_ROLE.fullmatch(value), _ASSUMED_ROLE.fullmatch(caller.arn)
    # A role principal covers its sessions; the session ARN drops the role's path.
    return role is not None and session is not None and role.groups() == session.groups()


def _principal_arn(caller: Caller) -> str | None:
    """aws:PrincipalArn: a session maps to its role (without the path, which the session ARN lacks)."""
    session = _ASSUMED_ROLE.fullmatch(caller.arn or "")
    if session is None:
        return caller.arn
    partition, account, role = session.groups()
    return f"arn:{partition}:iam::{account}:role/{role}"


def _condition_holds(condition: Any, caller: Caller, *, deny: bool) -> bool:
    """All operators and keys must hold. An operator or key we cannot evaluate is taken as holding
    for a Deny and not holding for an Allow, so that not understanding a condition never grants
    access. A supported key without a value (unknown caller) follows IAM: positive operators fail,
    negated and ...IfExists ones hold."""
    if condition is None:
        return True
    if not isinstance(condition, dict):
        return deny
    context = {"aws:principalarn": _principal_arn(caller), "aws:principalaccount": caller.account}
    for operator, tests in condition.items():
        base = operator[: -len("IfExists")] if operator.endswith("IfExists") else operator
        compare = _OPERATORS.get(base)
        if compare is None or not isinstance(tests, dict):
            if deny:
                continue
            return False
        negated = "Not" in base
        for key, values in tests.items():
            if str(key).lower() not in context:
                held = deny  # a key we do not know, e.g. aws:SourceIp: as for an unknown operator
            elif (actual := context[str(key).lower()]) is None:
                held = negated or base != operator
            else:
                hit = any(compare(str(expected), actual) for expected in _values(values))
                held = hit != negated
            if not held:
                return False
    return True


def _arn_like(pattern: str, arn: str) -> bool:
    """ArnLike/ArnEquals: each of the six colon-separated parts matches on its own."""
    wanted, actual = pattern.split(":", 5), arn.split(":", 5)
    return len(wanted) == len(actual) == 6 and all(
        _wildcard(part).fullmatch(value) for part, value in zip(wanted, actual, strict=True)
    )


def _string_like(pattern: str, value: str) -> bool:
    return _wildcard(pattern).fullmatch(value) is not None


_OPERATORS: dict[str, Callable[[str, str], bool]] = {
    "StringEquals": str.__eq__,
    "StringNotEquals": str.__eq__,
    "StringEqualsIgnoreCase": lambda expected, actual: expected.casefold() == actual.casefold(),
    "StringNotEqualsIgnoreCase": lambda expected, actual: expected.casefold() == actual.casefold(),
    "StringLike": _string_like,
    "StringNotLike": _string_like,
    "ArnEquals": _arn_like,
    "ArnLike": _arn_like,
    "ArnNotEquals": _arn_like,
    "ArnNotLike": _arn_like,
}  # negated operators share the positive comparison; _condition_holds negates the result


@functools.lru_cache(maxsize=256)
def _wildcard(pattern: str, *, ignore_case: bool = False) -> re.Pattern[str]:
    """IAM wildcards: only * and ? are special (fnmatch would also treat [ ] as a set)."""
    body = "".join(".*" if c == "*" else "." if c == "?" else re.escape(c) for c in pattern)
    return re.compile(body, re.DOTALL | (re.IGNORECASE if ignore_case else 0))


def _strings(value: Any) -> list[str]:
    items = value if isinstance(value, list) else [value]
    return [item for item in items if isinstance(item, str)]


def _values(value: Any) -> list[Any]:
    items = value if isinstance(value, list) else [value]
    return [str(item).lower() if isinstance(item, bool) else item for item in items if item is not None]
