"""CreateProjectVersion, CopyProjectVersion, DescribeProjectVersions, DeleteProjectVersion.

Training and copying are long-running: the API validates the request, resolves every resource,
records the new model (``TRAINING_IN_PROGRESS`` / ``COPYING_IN_PROGRESS``) and starts the
pipeline, which moves the model on. If the pipeline cannot be started the record is removed
again and the call fails, so a failed call leaves nothing behind.
"""

from __future__ import annotations

from typing import Any

from customlabels.api.context import ApiContext, seconds
from customlabels.api.errors import (
    InvalidParameterException,
    LimitExceededException,
    ResourceInUseException,
    ResourceNotFoundException,
)
from customlabels.api.tags import check_tag_count
from customlabels.resources.records import CONTENT_MODERATION, CUSTOM_LABELS, Project, ProjectVersion
from customlabels.resources.status import (
    VERSION_MESSAGES,
    DatasetStatus,
    ProjectStatus,
    ProjectVersionStatus,
    can_change_version,
    change_version_status,
)
from customlabels.store import DocumentExists

V = ProjectVersionStatus
DEFAULT_PAGE_SIZE = 100  # model docs of DescribeProjectVersions MaxResults
MAX_CONCURRENT_COPIES = 5  # per destination project, guide L16391
_READY_DATASET = frozenset({DatasetStatus.CREATE_COMPLETE, DatasetStatus.UPDATE_COMPLETE})
_TRAINED = frozenset(
    {V.TRAINING_COMPLETED, V.COPYING_COMPLETED, V.STARTING, V.RUNNING, V.STOPPING, V.STOPPED, V.FAILED}
)
_WHY_NOT_DELETABLE = {
    V.TRAINING_IN_PROGRESS: "wait until training finishes",
    V.COPYING_IN_PROGRESS: "wait until copying finishes",
    V.STARTING: "stop it with StopProjectVersion first",
    V.RUNNING: "stop it with StopProjectVersion first",
    V.STOPPING: "wait until it has stopped",
}


def create_project_version(ctx: ApiContext, request: dict[str, Any]) -> dict[str, Any]:
    """Record a new model and start training it."""
    project = _live_project(ctx, request["ProjectArn"])
    training_data, testing_data = request.get("TrainingData"), request.get("TestingData")
    _check_training_input(project, training_data, testing_data, request.get("FeatureConfig"))
    tags = request.get("Tags", {})
    check_tag_count(len(tags), InvalidParameterException)
    _refuse_taken_name(ctx, project, request["VersionName"])
    pipelines = ctx.backends.require_pipelines("CreateProjectVersion")
    version = ProjectVersion(
        region=ctx.region,
        account=ctx.account,
        project_name=project.name,
        name=request["VersionName"],
        created_ms=ctx.clock(),
        status=V.TRAINING_IN_PROGRESS,
        status_message=VERSION_MESSAGES[V.TRAINING_IN_PROGRESS],
        feature=project.feature,
        output_config=request["OutputConfig"],
        training_data=training_data,
        testing_data=testing_data,
        kms_key_id=request.get("KmsKeyId"),
        version_description=request.get("VersionDescription"),
        feature_config=request.get("FeatureConfig"),
        tags=dict(tags),
    )
    _record(ctx, project, version)
    try:
        pipelines.start_training(version.arn)
    except BaseException:
        ctx.repository.delete_version(version)
        raise
    return {"ProjectVersionArn": version.arn}


def copy_project_version(ctx: ApiContext, request: dict[str, Any]) -> dict[str, Any]:
    """Record a copy of a trained model in another (or the same) project and start copying it.

    Copies stay within this deployment's account and region (L14202, L14217); same-account
    copies need no project policy (L14271), so policies are not evaluated.
    """
    source_project = ctx.project(request["SourceProjectArn"])
    source = ctx.version(request["SourceProjectVersionArn"])
    if source.project_name != source_project.name:
        raise InvalidParameterException("SourceProjectVersionArn is not a model of SourceProjectArn")
    destination = _live_project(ctx, request["DestinationProjectArn"])
    if source_project.feature != CUSTOM_LABELS or destination.feature != CUSTOM_LABELS:
        raise InvalidParameterException("Only Custom Labels models can be copied")
    if source.status not in _TRAINED:
        raise InvalidParameterException(
            f"Only a trained model can be copied; {source.arn} is {source.status}"
        )
    copying = [
        item for item in ctx.repository.all_versions(destination.name) if item.status == V.COPYING_IN_PROGRESS
    ]
    if len(copying) >= MAX_CONCURRENT_COPIES:
        raise LimitExceededException(
            f"At most {MAX_CONCURRENT_COPIES} copies can run at once into one project; {destination.arn} has "
            f"{len(copying)}"
        )
    tags = request.get("Tags", {})
    check_tag_count(len(tags), InvalidParameterException)
    _refuse_taken_name(ctx, destination, request["VersionName"])
    pipelines = ctx.backends.require_pipelines("CopyProjectVersion")
    version = ProjectVersion(
        region=ctx.region,
        account=ctx.account,
        project_name=destination.name,
        name=request["VersionName"],
        created_ms=ctx.clock(),
        status=V.COPYING_IN_PROGRESS,
        status_message=VERSION_MESSAGES[V.COPYING_IN_PROGRESS],
        feature=source.feature,
        output_config=request["OutputConfig"],
        kms_key_id=request.get("KmsKeyId"),
        version_description=source.version_description,
        source_project_version_arn=source.arn,
        tags=dict(tags),
    )
    _record(ctx, destination, version)
    try:
        pipelines.start_copy(version.arn)
    except BaseException:
        ctx.repository.delete_version(version)
        raise
    return {"ProjectVersionArn": version.arn}


def describe_project_versions(ctx: ApiContext, request: dict[str, Any]) -> dict[str, Any]:
    """Describe a project's models, newest first; unknown VersionNames are just absent (L13320)."""
    project = ctx.project(request["ProjectArn"])
    names = request.get("VersionNames")
    limit = request.get("MaxResults", DEFAULT_PAGE_SIZE)
    scope = f"DescribeProjectVersions|{project.arn}|{','.join(names or [])}"
    position = ctx.page_position(scope, request.get("NextToken")) or {}
    resume: dict[str, Any] | None
    if names:
        found = ctx.repository.get_versions(project.name, names)
        offset = int(position.get("offset", 0))
        versions = found[offset : offset + limit]
        resume = {"offset": offset + limit} if offset + limit < len(found) else None
    else:
        page = ctx.repository.list_versions(project.name, after=position.get("after"), limit=limit)
        versions = page.items
        resume = {"after": page.resume_after} if page.resume_after else None
    return {
        "ProjectVersionDescriptions": [version_description(version) for version in versions],
        "NextToken": ctx.next_token(scope, resume),
    }


def delete_project_version(ctx: ApiContext, request: dict[str, Any]) -> dict[str, Any]:
    """Delete a model that is neither running nor training (guide L13199).

    The model shows ``DELETING`` while its artifacts are removed and is gone from
    DescribeProjectVersions when the call returns (L13320-13330); deletion cannot be undone.
    """
    version = ctx.version(request["ProjectVersionArn"])
    if version.status != V.DELETING:  # already DELETING: an interrupted deletion, finished below
        if not can_change_version(version.status, V.DELETING):
            advice = _WHY_NOT_DELETABLE.get(version.status, "it cannot be deleted in this status")
            raise ResourceInUseException(f"The model {version.arn} is {version.status}; {advice}")

        def mark_deleting(current: ProjectVersion) -> None:
            change_version_status(current, V.DELETING)

        version = ctx.repository.update_version(version, mark_deleting)
    ctx.repository.delete_version(version)
    return {"Status": V.DELETING}


def version_description(version: ProjectVersion) -> dict[str, Any]:
    """A ``ProjectVersionDescription`` with every field the model has so far (L13916-13949)."""
    training_result = version.training_data_result or (
        {"Input": version.training_data} if version.training_data else None
    )
    testing_result = version.testing_data_result or (
        {"Input": version.testing_data} if version.testing_data else None
    )
    return {
        "ProjectVersionArn": version.arn,
        "CreationTimestamp": seconds(version.created_ms),
        "MinInferenceUnits": version.min_inference_units,
        "Status": version.status,
        "StatusMessage": version.status_message,
        "BillableTrainingTimeInSeconds": version.billable_training_time_in_seconds,
        "TrainingEndTimestamp": seconds(version.training_end_ms),
        "OutputConfig": version.output_config,
        "TrainingDataResult": training_result,
        "TestingDataResult": testing_result,
        "EvaluationResult": version.evaluation_result,
        "ManifestSummary": version.manifest_summary,
        "KmsKeyId": version.kms_key_id,
        "MaxInferenceUnits": version.max_inference_units,
        "SourceProjectVersionArn": version.source_project_version_arn,
        "VersionDescription": version.version_description,
        "Feature": version.feature,
        "BaseModelVersion": version.base_model_version,
        "FeatureConfig": version.feature_config,
    }


def _live_project(ctx: ApiContext, arn: str) -> Project:
    project = ctx.project(arn)
    if project.status != ProjectStatus.CREATED:
        raise ResourceInUseException(f"The project {arn} is {project.status}")
    return project


def _check_training_input(
    project: Project, training_data: Any, testing_data: Any, feature_config: Any
) -> None:
    """The model docs' rules on datasets versus manifests, and the datasets' readiness."""
    if feature_config and project.feature != CONTENT_MODERATION:
        raise InvalidParameterException("FeatureConfig applies only to CONTENT_MODERATION projects")
    if project.datasets and (training_data or testing_data):
        raise InvalidParameterException(
            "The project has datasets; omit TrainingData and TestingData to train from them"
        )
    if not project.datasets and not training_data:
        raise InvalidParameterException(
            "The project has no training dataset; create one with CreateDataset or pass TrainingData"
        )
    if project.datasets and "TRAIN" not in project.datasets:
        raise InvalidParameterException("The project has no training dataset; create one with CreateDataset")
    for dataset in project.datasets.values():
        if dataset.status not in _READY_DATASET:
            raise ResourceInUseException(
                f"The {dataset.dataset_type} dataset {dataset.arn} is {dataset.status}; "
                "train when it is CREATE_COMPLETE or UPDATE_COMPLETE"
            )


def _refuse_taken_name(ctx: ApiContext, project: Project, name: str) -> None:
    # Checked again, atomically, when the model is created (see _record).
    if ctx.repository.get_version(project.name, name) is not None:
        raise ResourceInUseException(f"The project {project.arn} already has a model named {name}")


def _record(ctx: ApiContext, project: Project, version: ProjectVersion) -> None:
    """Store the new model, then make sure its project was not deleted meanwhile.

    DeleteProject marks the project DELETING before checking for models, and we check the
    project after writing the model: whichever runs second sees the other (see projects.py).
    """
    try:
        ctx.repository.create_version(version)
    except DocumentExists:
        raise ResourceInUseException(
            f"The project {project.arn} already has a model named {version.name}"
        ) from None
    current = ctx.repository.get_project_at(project.name, project.created_ms)
    if current is None or current.status != ProjectStatus.CREATED:
        ctx.repository.delete_version(version)
        raise ResourceNotFoundException(f"The project {project.arn} was deleted")


OPERATIONS = {
    "CreateProjectVersion": create_project_version,
    "CopyProjectVersion": copy_project_version,
    "DescribeProjectVersions": describe_project_versions,
    "DeleteProjectVersion": delete_project_version,
}
