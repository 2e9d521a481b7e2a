"""PutProjectPolicy, ListProjectPolicies, DeleteProjectPolicy (guide L14239-15671).

A project holds at most 5 named policies (L14292, L16390), each kept only at its latest revision
(L14296). Revision ids give optimistic concurrency: creating omits one, updating or deleting
with one that is not current fails with InvalidPolicyRevisionIdException. All of this is one
conditional write of the project document, so concurrent calls can neither exceed the limit
nor both update from the same revision.
"""

from __future__ import annotations

import json
import uuid
from typing import Any

from customlabels.api.context import ApiContext, seconds
from customlabels.api.errors import (
    InvalidParameterException,
    InvalidPolicyRevisionIdException,
    LimitExceededException,
    MalformedPolicyDocumentException,
    ResourceAlreadyExistsException,
    ResourceNotFoundException,
)
from customlabels.resources.records import CUSTOM_LABELS, Project, ProjectPolicy

MAX_POLICIES_PER_PROJECT = 5  # guide L16390
DEFAULT_PAGE_SIZE = 5  # model docs of ListProjectPolicies MaxResults
ALLOWED_ACTION = "rekognition:copyprojectversion"  # the only action a project policy may name (L14269)
_REQUIRED_STATEMENT_KEYS = ("Effect", "Principal", "Action", "Resource")  # L14269
_FORBIDDEN_STATEMENT_KEYS = ("NotAction", "NotResource", "NotPrincipal")  # L14269
_STATEMENT_KEYS = {"Sid", "Condition", *_REQUIRED_STATEMENT_KEYS}
_POLICY_KEYS = {"Version", "Id", "Statement"}
_POLICY_VERSIONS = {"2012-10-17", "2008-10-17"}


def put_project_policy(ctx: ApiContext, request: dict[str, Any]) -> dict[str, Any]:
    """Attach a new policy (no revision id) or replace the current revision of one."""
    project = ctx.project(request["ProjectArn"])
    if project.feature != CUSTOM_LABELS:
        raise InvalidParameterException("Project policies apply only to CUSTOM_LABELS projects")
    document = request["PolicyDocument"]
    check_policy_document(document)
    name = request["PolicyName"]
    given_revision = request.get("PolicyRevisionId")
    new_revision = uuid.uuid4().hex
    now = ctx.clock()

    def put(current: Project) -> None:
        existing = current.policies.get(name)
        if existing is None:
            if given_revision:
                raise InvalidPolicyRevisionIdException(
                    f"The project has no policy named {name}, so revision {given_revision} does not exist; "
                    "omit PolicyRevisionId to create the policy"
                )
            if len(current.policies) >= MAX_POLICIES_PER_PROJECT:
                raise LimitExceededException(
                    f"A project can have at most {MAX_POLICIES_PER_PROJECT} project policies; "
                    f"{project.arn} has {len(current.policies)}"
                )
            current.policies[name] = ProjectPolicy(name, new_revision, document, now, now)
            return
        if not given_revision:
            raise ResourceAlreadyExistsException(
                f"The project already has a policy named {name}; pass its PolicyRevisionId to update it"
            )
        _check_revision(existing, given_revision)
        existing.revision_id, existing.document, existing.updated_ms = new_revision, document, now

    ctx.repository.update_project(project, put)
    return {"PolicyRevisionId": new_revision}


def list_project_policies(ctx: ApiContext, request: dict[str, Any]) -> dict[str, Any]:
    """The project's policies in name order, paginated (L15097-15371)."""
    project = ctx.project(request["ProjectArn"])
    limit = request.get("MaxResults", DEFAULT_PAGE_SIZE)
    scope = f"ListProjectPolicies|{project.arn}"
    position = ctx.page_position(scope, request.get("NextToken"))
    after = str(position.get("after", "")) if position else ""
    names = [name for name in sorted(project.policies) if name > after]
    page = names[:limit]
    resume = {"after": page[-1]} if len(names) > limit else None
    return {
        "ProjectPolicies": [_policy_description(project, project.policies[name]) for name in page],
        "NextToken": ctx.next_token(scope, resume),
    }


def delete_project_policy(ctx: ApiContext, request: dict[str, Any]) -> dict[str, Any]:
    """Remove a policy, optionally only if it is still at the given revision (L15382)."""
    project = ctx.project(request["ProjectArn"])
    name = request["PolicyName"]
    given_revision = request.get("PolicyRevisionId")

    def delete(current: Project) -> None:
        existing = current.policies.get(name)
        if existing is None:
            raise ResourceNotFoundException(f"The project {project.arn} has no policy named {name}")
        if given_revision:
            _check_revision(existing, given_revision)
        del current.policies[name]

    ctx.repository.update_project(project, delete)
    return {}


def check_policy_document(text: str) -> None:
    """Check a project policy document against the guide's rules (L14269-14282).

    Raises:
        MalformedPolicyDocumentException: not JSON, not a policy, or breaking a rule: each
            statement needs Effect (Allow or Deny, any case), Principal, Action and Resource;
            the only action is rekognition:CopyProjectVersion; NotAction, NotResource and
            NotPrincipal are not allowed.
    """
    try:
        policy = json.loads(text)
    except json.JSONDecodeError as error:
        raise MalformedPolicyDocumentException(f"The policy document is not valid JSON: {error}") from None
    if not isinstance(policy, dict):
        raise MalformedPolicyDocumentException("The policy document must be a JSON object")
    _only_keys(policy, _POLICY_KEYS, "the policy")
    if "Version" in policy and policy["Version"] not in _POLICY_VERSIONS:
        raise MalformedPolicyDocumentException(f"Version must be one of {sorted(_POLICY_VERSIONS)}")
    statements = policy.get("Statement")
    if isinstance(statements, dict):
        statements = [statements]
    if not isinstance(statements, list) or not statements:
        raise MalformedPolicyDocumentException("The policy needs a Statement with at least one statement")
    for index, statement in enumerate(statements, start=1):
        _check_statement(statement, f"statement {index}")


def _check_statement(statement: Any, where: str) -> None:
    if not isinstance(statement, dict):
        raise MalformedPolicyDocumentException(f"{where} must be a JSON object")
    forbidden = [key for key in _FORBIDDEN_STATEMENT_KEYS if key in statement]
    if forbidden:
        raise MalformedPolicyDocumentException(
            f"{where} uses {', '.join(forbidden)}, which project policies forbid"
        )
    _only_keys(statement, _STATEMENT_KEYS, where)
    missing = [key for key in _REQUIRED_STATEMENT_KEYS if key not in statement]
    if missing:
        raise MalformedPolicyDocumentException(f"{where} is missing {', '.join(missing)}")
    if not isinstance(statement["Effect"], str) or statement["Effect"].lower() not in ("allow", "deny"):
        raise MalformedPolicyDocumentException(f"{where}: Effect must be Allow or Deny")
    actions = _strings(statement["Action"], f"{where}: Action")
    if any(action.lower() != ALLOWED_ACTION for action in actions):
        raise MalformedPolicyDocumentException(
            f"{where}: the only action a project policy can name is rekognition:CopyProjectVersion"
        )
    _strings(statement["Resource"], f"{where}: Resource")
    principal = statement["Principal"]
    if principal != "*" and not (isinstance(principal, dict) and principal):
        raise MalformedPolicyDocumentException(
            f'{where}: Principal must be "*" or a map such as {{"AWS": ...}}'
        )


def _strings(value: Any, where: str) -> list[str]:
    items = value if isinstance(value, list) else [value]
    if not items or not all(isinstance(item, str) and item for item in items):
        raise MalformedPolicyDocumentException(f"{where} must be a string or a list of strings")
    return items


def _only_keys(value: dict[str, Any], allowed: set[str], where: str) -> None:
    unknown = sorted(set(value) - allowed)
    if unknown:
        raise MalformedPolicyDocumentException(
            f"{where} has unsupported element(s) {', '.join(unknown)}; allowed: {', '.join(sorted(allowed))}"
        )


def _check_revision(policy: ProjectPolicy, given: str) -> None:
    if given.lower() != policy.revision_id:
        raise InvalidPolicyRevisionIdException(
            f"{given} is not the current revision of policy {policy.name}; "
            "get the current PolicyRevisionId from ListProjectPolicies"
        )


def _policy_description(project: Project, policy: ProjectPolicy) -> dict[str, Any]:
    return {
        "ProjectArn": project.arn,
        "PolicyName": policy.name,
        "PolicyRevisionId": policy.revision_id,
        "PolicyDocument": policy.document,
        "CreationTimestamp": seconds(policy.created_ms),
        "LastUpdatedTimestamp": seconds(policy.updated_ms),
    }


OPERATIONS = {
    "PutProjectPolicy": put_project_policy,
    "ListProjectPolicies": list_project_policies,
    "DeleteProjectPolicy": delete_project_policy,
}
