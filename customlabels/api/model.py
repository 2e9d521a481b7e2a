"""botocore's ``rekognition`` service model: the single source of request shapes and errors.

Everything the API checks (members, types, lengths, patterns, enums, ranges) and every error
name it can send comes from this model, as LocalStack does for its generated providers. The
only list kept here is the scope: which of the model's operations customlabels serves.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

import botocore.session
from botocore.model import OperationModel, ServiceModel, Shape, StringShape

SERVICE_NAME = "rekognition"

# The Custom Labels operations (guide L16593-16630, plus ListTagsForResource, L13677).
CUSTOM_LABELS_OPERATIONS: tuple[str, ...] = (
    # projects
    "CreateProject",
    "DeleteProject",
    "DescribeProjects",
    # project policies
    "PutProjectPolicy",
    "ListProjectPolicies",
    "DeleteProjectPolicy",
    # datasets
    "CreateDataset",
    "DeleteDataset",
    "DescribeDataset",
    "DistributeDatasetEntries",
    "ListDatasetEntries",
    "ListDatasetLabels",
    "UpdateDatasetEntries",
    # models (project versions)
    "CreateProjectVersion",
    "CopyProjectVersion",
    "DeleteProjectVersion",
    "DescribeProjectVersions",
    # tags
    "TagResource",
    "UntagResource",
    "ListTagsForResource",
    # running models
    "DetectCustomLabels",
    "StartProjectVersion",
    "StopProjectVersion",
)


@lru_cache(maxsize=1)
def _service_description() -> dict[str, Any]:
    loader = botocore.session.get_session().get_component("data_loader")
    return dict(loader.load_service_model(SERVICE_NAME, "service-2"))


@lru_cache(maxsize=1)
def service_model() -> ServiceModel:
    """The installed botocore ``rekognition`` model (loaded once per process)."""
    return ServiceModel(_service_description(), service_name=SERVICE_NAME)


def target_prefix() -> str:
    """The ``X-Amz-Target`` prefix, ``RekognitionService``."""
    return str(service_model().metadata["targetPrefix"])


def operation(name: str) -> OperationModel:
    """The model of one operation (raises botocore's OperationNotFoundError if unknown)."""
    return service_model().operation_model(name)


def error_shapes() -> dict[str, Shape]:
    """Every error structure the model declares, by name, across all operations."""
    model = service_model()
    return {name: model.shape_for(name) for name in _error_names(model)}


def _error_names(model: ServiceModel) -> list[str]:
    names: set[str] = set()
    for op_name in model.operation_names:
        names.update(shape.name for shape in model.operation_model(op_name).error_shapes)
    return sorted(names)


def error_traits(name: str) -> dict[str, Any]:
    """The raw traits of an error shape that botocore's Shape does not expose, e.g. ``fault``
    (a server-side error) and ``error.httpStatusCode``."""
    raw = _service_description()["shapes"][name]
    return {key: raw[key] for key in ("fault", "error") if key in raw}


def enum_values(shape_name: str) -> tuple[str, ...]:
    """The values of a string enum shape, e.g. ``ProjectVersionStatus``."""
    shape = service_model().shape_for(shape_name)
    if not isinstance(shape, StringShape) or not shape.enum:
        raise ValueError(f"{shape_name} is not an enum shape")
    return tuple(shape.enum)
