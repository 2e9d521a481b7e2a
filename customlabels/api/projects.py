"""CreateProject, DescribeProjects, DeleteProject."""

from __future__ import annotations

from typing import Any

from customlabels.api.context import ApiContext, seconds
from customlabels.api.errors import (
    InvalidPaginationTokenException,
    InvalidParameterException,
    ResourceInUseException,
)
from customlabels.api.tags import check_tag_count
from customlabels.resources.records import CONTENT_MODERATION, CUSTOM_LABELS, Dataset, Project
from customlabels.resources.status import ProjectStatus, change_project_status
from customlabels.store import DocumentExists

DEFAULT_PAGE_SIZE = 100  # model docs of DescribeProjects MaxResults


def create_project(ctx: ApiContext, request: dict[str, Any]) -> dict[str, Any]:
    """Create a project; the name is unique in the deployment.

    Creation is immediate, so the project is ``CREATED`` as soon as the call returns.
    """
    name = request["ProjectName"]
    feature = request.get("Feature", CUSTOM_LABELS)  # model docs: CUSTOM_LABELS by default
    auto_update = request.get("AutoUpdate")
    if feature == CUSTOM_LABELS and auto_update is not None:
        raise InvalidParameterException("AutoUpdate applies only to CONTENT_MODERATION projects (adapters)")
    if feature == CONTENT_MODERATION and auto_update is None:
        raise InvalidParameterException(
            "AutoUpdate is required for CONTENT_MODERATION projects: ENABLED or DISABLED"
        )
    tags = request.get("Tags", {})
    check_tag_count(len(tags), InvalidParameterException)
    project = Project(
        region=ctx.region,
        account=ctx.account,
        name=name,
        created_ms=ctx.clock(),
        status=ProjectStatus.CREATED,
        feature=feature,
        auto_update=auto_update,
        tags=dict(tags),
    )
    try:
        ctx.repository.create_project(project)
    except DocumentExists:
        raise ResourceInUseException(f"A project named {name} already exists") from None
    return {"ProjectArn": project.arn}


def describe_projects(ctx: ApiContext, request: dict[str, Any]) -> dict[str, Any]:
    """Describe projects, newest first, filtered by ProjectNames and Features (L10384)."""
    features = sorted(set(request.get("Features") or [CUSTOM_LABELS]))  # model docs: default
    names = request.get("ProjectNames")
    limit = request.get("MaxResults", DEFAULT_PAGE_SIZE)
    scope = f"DescribeProjects|{','.join(features)}|{','.join(names or [])}"
    position = ctx.page_position(scope, request.get("NextToken"))
    resume: dict[str, Any] | None
    if names:
        # Unknown names are simply absent: the samples poll this until a deleted project
        # disappears (guide L10157-10166).
        matching = [project for project in ctx.repository.get_projects(names) if project.feature in features]
        offset = _int_position(position, "offset")
        projects = matching[offset : offset + limit]
        resume = {"offset": offset + limit} if offset + limit < len(matching) else None
    else:
        after = position.get("after") if position else None
        page = ctx.repository.list_projects(features=features, after=after, limit=limit)
        projects = page.items
        resume = {"after": page.resume_after} if page.resume_after else None
    return {
        "ProjectDescriptions": [project_description(project) for project in projects],
        "NextToken": ctx.next_token(scope, resume),
    }


def delete_project(ctx: ApiContext, request: dict[str, Any]) -> dict[str, Any]:
    """Delete a project that has no datasets and no models left.

    The guide: "Before you delete a project, you must first delete all models and datasets in the
    project" (L10070; the console deletes them for you, the API does not, L10012). Deleting also
    removes the project's policies and tags, which live in its document. The status goes to
    ``DELETING`` (L10072) and the project is gone from DescribeProjects when the call returns.
    """
    project = ctx.project(request["ProjectArn"])
    if project.status != ProjectStatus.DELETING:  # already DELETING: an interrupted deletion
        _refuse_if_in_use(ctx, project)

        def mark_deleting(current: Project) -> None:
            _refuse_if_datasets(current)
            change_project_status(current, ProjectStatus.DELETING)

        project = ctx.repository.update_project(project, mark_deleting)
        if ctx.repository.has_versions(project.name):
            # A CreateProjectVersion raced with us; it re-checks the project too (see versions.py).
            ctx.repository.update_project(project, _undo_deleting)
            _refuse_if_in_use(ctx, project)
    ctx.repository.delete_project(project)
    return {"Status": ProjectStatus.DELETING}


def project_description(project: Project) -> dict[str, Any]:
    """A ``ProjectDescription``."""
    return {
        "ProjectArn": project.arn,
        "CreationTimestamp": seconds(project.created_ms),
        "Status": project.status,
        "Datasets": [
            dataset_metadata(project.datasets[kind]) for kind in sorted(project.datasets, reverse=True)
        ],
        "Feature": project.feature,
        "AutoUpdate": project.auto_update,
    }


def dataset_metadata(dataset: Dataset) -> dict[str, Any]:
    """A ``DatasetMetadata`` (L10433-10438)."""
    return {
        "CreationTimestamp": seconds(dataset.created_ms),
        "DatasetType": dataset.dataset_type,
        "DatasetArn": dataset.arn,
        "Status": dataset.status,
        "StatusMessage": dataset.status_message,
        "StatusMessageCode": dataset.status_message_code,
    }


def _refuse_if_in_use(ctx: ApiContext, project: Project) -> None:
    _refuse_if_datasets(project)
    if ctx.repository.has_versions(project.name):
        raise ResourceInUseException(
            f"The project {project.arn} still has models; delete them with DeleteProjectVersion "
            "before deleting the project"
        )


def _refuse_if_datasets(project: Project) -> None:
    if project.datasets:
        kinds = " and ".join(sorted(project.datasets, reverse=True))
        raise ResourceInUseException(
            f"The project {project.arn} still has its {kinds} dataset; delete datasets with DeleteDataset "
            "before deleting the project"
        )


def _undo_deleting(project: Project) -> None:
    change_project_status(project, ProjectStatus.CREATED)


def _int_position(position: dict[str, Any] | None, key: str) -> int:
    if position is None:
        return 0
    value = position.get(key)
    if not isinstance(value, int) or value < 0:
        raise InvalidPaginationTokenException("Invalid NextToken for this request")
    return value


OPERATIONS = {
    "CreateProject": create_project,
    "DescribeProjects": describe_projects,
    "DeleteProject": delete_project,
}
