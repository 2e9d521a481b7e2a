"""The service's ARN forms, built and parsed in one place.

- project: ``arn:aws:rekognition:<region>:<account>:project/<name>/<epoch-ms>`` (guide L10068)
- model:   ``.../project/<name>/version/<version>/<epoch-ms>`` (guide L7208, L16225)
- dataset: ``.../project/<name>/dataset/<train|test>/<epoch-ms>`` (dataset type in lower case)

The trailing number is the resource's creation time in epoch milliseconds; it tells apart a
resource from an older, deleted one with the same name, so an ARN only resolves to the record
created at that instant. The samples parse these ARNs by position (the project name sits
between the 1st and 2nd ``/``, guide L10150), which the layout preserves.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

PARTITION = "aws"

_PREFIX = r"arn:(?P<partition>[a-z\d-]+):rekognition:(?P<region>[a-z\d-]+):(?P<account>\d{12}):project/"
_NAME = r"[a-zA-Z0-9_.\-]{1,255}"
_PROJECT = re.compile(_PREFIX + rf"(?P<project>{_NAME})/(?P<created>[0-9]+)")
_VERSION = re.compile(_PREFIX + rf"(?P<project>{_NAME})/version/(?P<version>{_NAME})/(?P<created>[0-9]+)")
_DATASET = re.compile(_PREFIX + rf"(?P<project>{_NAME})/dataset/(?P<kind>train|test)/(?P<created>[0-9]+)")


@dataclass(frozen=True)
class ProjectRef:
    """The parts of a project ARN."""

    region: str
    account: str
    project: str
    created_ms: int


@dataclass(frozen=True)
class VersionRef:
    """The parts of a model (project version) ARN."""

    region: str
    account: str
    project: str
    version: str
    created_ms: int


@dataclass(frozen=True)
class DatasetRef:
    """The parts of a dataset ARN; ``dataset_type`` is ``TRAIN`` or ``TEST``."""

    region: str
    account: str
    project: str
    dataset_type: str
    created_ms: int


ResourceRef = ProjectRef | VersionRef | DatasetRef


def project_arn(region: str, account: str, project: str, created_ms: int) -> str:
    """The ARN of a project."""
    return f"arn:{PARTITION}:rekognition:{region}:{account}:project/{project}/{created_ms}"


def version_arn(region: str, account: str, project: str, version: str, created_ms: int) -> str:
    """The ARN of a model (project version)."""
    return f"arn:{PARTITION}:rekognition:{region}:{account}:project/{project}/version/{version}/{created_ms}"


def dataset_arn(region: str, account: str, project: str, dataset_type: str, created_ms: int) -> str:
    """The ARN of a dataset; ``dataset_type`` is ``TRAIN`` or ``TEST``."""
    kind = dataset_type.lower()
    return f"arn:{PARTITION}:rekognition:{region}:{account}:project/{project}/dataset/{kind}/{created_ms}"


def parse_project_arn(arn: str) -> ProjectRef | None:
    """The parts of a project ARN, or ``None`` if ``arn`` is not one."""
    match = _PROJECT.fullmatch(arn)
    if not match:
        return None
    return ProjectRef(match["region"], match["account"], match["project"], int(match["created"]))


def parse_version_arn(arn: str) -> VersionRef | None:
    """The parts of a model ARN, or ``None`` if ``arn`` is not one."""
    match = _VERSION.fullmatch(arn)
    if not match:
        return None
    return VersionRef(
        match["region"], match["account"], match["project"], match["version"], int(match["created"])
    )


def parse_dataset_arn(arn: str) -> DatasetRef | None:
    """The parts of a dataset ARN, or ``None`` if ``arn`` is not one."""
    match = _DATASET.fullmatch(arn)
    if not match:
        return None
    return DatasetRef(
        match["region"], match["account"], match["project"], match["kind"].upper(), int(match["created"])
    )


def parse_resource_arn(arn: str) -> ResourceRef | None:
    """A project, model or dataset ARN's parts (what TagResource accepts), or ``None``."""
    return parse_version_arn(arn) or parse_dataset_arn(arn) or parse_project_arn(arn)
