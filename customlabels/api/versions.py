"""CreateProjectVersion, CopyProjectVersion, DescribeProjectVersions, DeleteProjectVersion.

Training and copying are long-running: the API validates the request, resolves every resource,
records the new model (``TRAINING_IN_PROGRESS`` / ``COPYING_IN_PROGRESS``) and starts the
pipeline, which moves the model on. If the pipeline cannot be started the record is removed
again and the call fails, so a failed call leaves nothing behind.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from customlabels.api.context import ApiContext, seconds
from customlabels.api.errors import (
    AccessDeniedException,
    InvalidParameterException,
    LimitExceededException,
    ResourceInUseException,
    ResourceNotFoundException,
)
from customlabels.api.policy_evaluation import CopyDecision, evaluate_copy
from customlabels.api.tags import check_tag_count
from customlabels.resources.artifacts import default_artifacts_prefix
from customlabels.resources.records import CONTENT_MODERATION, CUSTOM_LABELS, Project, ProjectVersion
from customlabels.resources.status import (
    TRAINED_MODEL,
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
# The guide names no quota for concurrent trainings; ours mirrors the copy quota (L16391), and
# botocore's LimitExceededException is the service's answer to "too many jobs at once".
MAX_CONCURRENT_TRAININGS = 5  # per project
_READY_DATASET = frozenset({DatasetStatus.CREATE_COMPLETE, DatasetStatus.UPDATE_COMPLETE})
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
    _refuse_too_many(ctx, project, V.TRAINING_IN_PROGRESS, MAX_CONCURRENT_TRAININGS, "models can train")
    pipelines = ctx.backends.require_pipelines("CreateProjectVersion")
    created_ms = ctx.clock()
    version = ProjectVersion(
        region=ctx.region,
        account=ctx.account,
        project_name=project.name,
        name=request["VersionName"],
        created_ms=created_ms,
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
        # set now, so that deleting the model removes whatever training wrote there
        artifacts_prefix=default_artifacts_prefix(project.name, request["VersionName"], created_ms),
    )
    _record_and_start(ctx, project, version, pipelines.start_training)
    return {"ProjectVersionArn": version.arn}


def copy_project_version(ctx: ApiContext, request: dict[str, Any]) -> dict[str, Any]:
    """Record a copy of a trained model in another (or the same) project and start copying it.

    The source project's policies decide whether the caller may copy (L14239-14282,
    :mod:`customlabels.api.policy_evaluation`): a matching Deny refuses anyone; a caller from
    another account needs a matching Allow; within this deployment's account no policy is needed
    (L14271). Copies stay in this deployment's region (L14217).
    """
    source_project = ctx.project(request["SourceProjectArn"])
    source = ctx.version(request["SourceProjectVersionArn"])
    if source.project_name != source_project.name:
        raise InvalidParameterException("SourceProjectVersionArn is not a model of SourceProjectArn")
    _check_copy_allowed(ctx, source_project, source)
    destination = _live_project(ctx, request["DestinationProjectArn"])
    if source_project.feature != CUSTOM_LABELS or destination.feature != CUSTOM_LABELS:
        raise InvalidParameterException("Only Custom Labels models can be copied")
    if source.status not in TRAINED_MODEL:
        raise InvalidParameterException(
            f"Only a trained model can be copied; {source.arn} is {source.status}"
        )
    _refuse_too_many(ctx, destination, V.COPYING_IN_PROGRESS, MAX_CONCURRENT_COPIES, "copies can run")
    tags = request.get("Tags", {})
    check_tag_count(len(tags), InvalidParameterException)
    _refuse_taken_name(ctx, destination, request["VersionName"])
    pipelines = ctx.backends.require_pipelines("CopyProjectVersion")
    created_ms = ctx.clock()
    version = ProjectVersion(
        region=ctx.region,
        account=ctx.account,
        project_name=destination.name,
        name=request["VersionName"],
        created_ms=created_ms,
        status=V.COPYING_IN_PROGRESS,
        status_message=VERSION_MESSAGES[V.COPYING_IN_PROGRESS],
        feature=source.feature,
        output_config=request["OutputConfig"],
        kms_key_id=request.get("KmsKeyId"),
        version_description=source.version_description,
        source_project_version_arn=source.arn,
        tags=dict(tags),
        # set now, so that deleting the copy removes whatever copying wrote there
        artifacts_prefix=default_artifacts_prefix(destination.name, request["VersionName"], created_ms),
    )
    _record_and_start(ctx, destination, version, pipelines.start_copy)
    return {"ProjectVersionArn": version.arn}


def _check_copy_allowed(ctx: ApiContext, source_project: Project, source: ProjectVersion) -> None:
    """Raise AccessDeniedException unless the source project's policies let the caller copy ``source``."""
    verdict = evaluate_copy(
        {name: policy.document for name, policy in source_project.policies.items()},
        caller=ctx.caller,
        source_version_arn=source.arn,
        owner_account=ctx.account,
    )
    who = ctx.caller.arn or "the caller"
    if verdict.decision is CopyDecision.DENIED:
        raise AccessDeniedException(
            f"{who} is not authorized to perform rekognition:CopyProjectVersion on {source.arn}: "
            f"explicitly denied by {verdict.statement} of {source_project.arn}"
        )
    if verdict.decision is CopyDecision.NOT_ALLOWED:
        raise AccessDeniedException(
            f"{who} is not authorized to perform rekognition:CopyProjectVersion on {source.arn}: "
            f"a caller from account {ctx.caller.account} needs a project policy on {source_project.arn} "
            "that allows it"
        )


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
    """The model docs' rules on datasets versus manifests, and the datasets' readiness.

    Without datasets, ``TrainingData`` and ``TestingData`` come together (model docs of
    CreateProjectVersion), each naming one Ground Truth manifest; ``TestingData`` may instead ask
    for ``AutoCreate``, the 80/20 split of the training manifest (guide L4761). A project with a
    training dataset but no test dataset trains on an 80/20 split as well (L4680-4683).
    """
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
    if training_data is not None:
        if testing_data is None:
            raise InvalidParameterException("TestingData is required with TrainingData")
        _check_manifest_assets("TrainingData", training_data.get("Assets"))
        if testing_data.get("AutoCreate"):
            if testing_data.get("Assets"):
                raise InvalidParameterException("TestingData takes either Assets or AutoCreate, not both")
        else:
            _check_manifest_assets("TestingData", testing_data.get("Assets"))
    for dataset in project.datasets.values():
        if dataset.status not in _READY_DATASET:
            raise ResourceInUseException(
                f"The {dataset.dataset_type} dataset {dataset.arn} is {dataset.status}; "
                "train when it is CREATE_COMPLETE or UPDATE_COMPLETE"
            )


def _check_manifest_assets(member: str, assets: Any) -> None:
    """One manifest with its bucket and name: a model has one training, one test dataset (L16328, L16353)."""
    if not assets or len(assets) != 1:
        count = len(assets) if assets else 0
        raise InvalidParameterException(f"{member}.Assets must name exactly 1 manifest, got {count}")
    s3_object = (assets[0].get("GroundTruthManifest") or {}).get("S3Object") or {}
    if not (s3_object.get("Bucket") and s3_object.get("Name")):
        raise InvalidParameterException(
            f"{member}.Assets[0].GroundTruthManifest.S3Object needs Bucket and Name"
        )


def _refuse_too_many(
    ctx: ApiContext, project: Project, status: ProjectVersionStatus, limit: int, what: str
) -> None:
    """LimitExceededException when ``limit`` of the project's models are already in ``status``."""
    if not ctx.repository.has_versions(project.name):
        return
    busy = sum(item.status == status for item in ctx.repository.all_versions(project.name))
    if busy >= limit:
        raise LimitExceededException(
            f"At most {limit} {what} at once in one project; {project.arn} has {busy} {status}"
        )


def _refuse_taken_name(ctx: ApiContext, project: Project, name: str) -> None:
    # Checked again, atomically, when the model is created (see _record).
    if ctx.repository.get_version(project.name, name) is not None:
        raise ResourceInUseException(f"The project {project.arn} already has a model named {name}")


def _record_and_start(
    ctx: ApiContext, project: Project, version: ProjectVersion, start: Callable[[str], None]
) -> None:
    """Store the new model and start its pipeline; if the pipeline cannot start, remove the model
    again, so a failed call leaves nothing behind."""
    _record(ctx, project, version)
    try:
        start(version.arn)
    except BaseException:
        ctx.repository.delete_version(version)
        raise


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
