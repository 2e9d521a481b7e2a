"""TagResource, UntagResource, ListTagsForResource on projects, models and datasets.

Tags live in the tagged record's document and change with one conditional write, so concurrent
TagResource calls on one resource all land (guide L13568-13850). Limits: the model's tag key
and value shapes (1-128 and 0-256 characters, the ``aws:`` prefix reserved by the key pattern),
and at most 50 tags per resource, the AWS-wide tagging quota; a TagResource that would exceed it
fails with ServiceQuotaExceededException and changes nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from customlabels.api.context import ApiContext
from customlabels.api.errors import (
    ApiError,
    InvalidParameterException,
    ResourceNotFoundException,
    ServiceQuotaExceededException,
)
from customlabels.resources import arns
from customlabels.resources.records import Project, ProjectVersion

MAX_TAGS_PER_RESOURCE = 50


def check_tag_count(count: int, error: type[ApiError]) -> None:
    """Raise ``error`` if a resource would carry more than 50 tags."""
    if count > MAX_TAGS_PER_RESOURCE:
        raise error(
            f"A resource can have at most {MAX_TAGS_PER_RESOURCE} tags, this request would give it {count}"
        )


def tag_resource(ctx: ApiContext, request: dict[str, Any]) -> dict[str, Any]:
    """Add or overwrite tags (L13665)."""
    new_tags: dict[str, str] = request["Tags"]

    def add(tags: dict[str, str]) -> None:
        check_tag_count(len(tags.keys() | new_tags.keys()), ServiceQuotaExceededException)
        tags.update(new_tags)

    _change_tags(ctx, request["ResourceArn"], add)
    return {}


def untag_resource(ctx: ApiContext, request: dict[str, Any]) -> dict[str, Any]:
    """Remove tags by key; keys the resource does not have are ignored (L13838)."""
    keys: list[str] = request["TagKeys"]

    def remove(tags: dict[str, str]) -> None:
        for key in keys:
            tags.pop(key, None)

    _change_tags(ctx, request["ResourceArn"], remove)
    return {}


def list_tags_for_resource(ctx: ApiContext, request: dict[str, Any]) -> dict[str, Any]:
    """The resource's tags as a map (L13677-13693)."""
    arn = request["ResourceArn"]
    ref = _parse(arn)
    if isinstance(ref, arns.ProjectRef):
        return {"Tags": ctx.project(arn).tags}
    if isinstance(ref, arns.VersionRef):
        return {"Tags": ctx.version(arn).tags}
    _, dataset = ctx.dataset(arn)
    return {"Tags": dataset.tags}


def _change_tags(ctx: ApiContext, arn: str, change: Callable[[dict[str, str]], None]) -> None:
    ref = _parse(arn)
    if isinstance(ref, arns.ProjectRef):
        project = ctx.project(arn)
        ctx.repository.update_project(project, lambda current: change(current.tags))
    elif isinstance(ref, arns.VersionRef):
        version = ctx.version(arn)

        def change_version(current: ProjectVersion) -> None:
            change(current.tags)

        ctx.repository.update_version(version, change_version)
    else:
        project, dataset = ctx.dataset(arn)

        def change_dataset(current: Project) -> None:
            found = current.datasets.get(dataset.dataset_type)
            if found is None or found.created_ms != dataset.created_ms:
                raise ResourceNotFoundException(f"The dataset {arn} does not exist")
            change(found.tags)

        ctx.repository.update_project(project, change_dataset)


def _parse(arn: str) -> arns.ResourceRef:
    ref = arns.parse_resource_arn(arn)
    if ref is not None:
        return ref
    if arn.startswith("arn:") and ":rekognition:" in arn:
        raise ResourceNotFoundException(f"The resource {arn} does not exist")
    raise InvalidParameterException(
        f"ResourceArn must be the ARN of a Custom Labels project, model or dataset, got {arn!r}"
    )


OPERATIONS = {
    "TagResource": tag_resource,
    "UntagResource": untag_resource,
    "ListTagsForResource": list_tags_for_resource,
}
