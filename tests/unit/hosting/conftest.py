"""Models for the hosting tests: records in a dict, files of the inference tests' tiny models."""

from __future__ import annotations

import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from customlabels.hosting.models import ModelLookup, ServingModels, split_s3_uri
from customlabels.inference.cache import ModelCache
from customlabels.resources.records import ProjectVersion
from customlabels.resources.status import ProjectVersionStatus
from tests.unit.inference.builders import TinyModel, export_model

REGION = "us-east-1"
ACCOUNT = "123456789012"
BUCKET = "data"


def model(
    name: str = "v1", status: ProjectVersionStatus = ProjectVersionStatus.RUNNING, **fields: Any
) -> ProjectVersion:
    return ProjectVersion(
        region=REGION,
        account=ACCOUNT,
        project_name="p",
        name=name,
        created_ms=1700000000000,
        status=status,
        status_message="",
        artifacts_prefix=f"artifacts/p/{name}/1700000000000/",
        **fields,
    )


@dataclass
class Records:
    """The two reads model lookup makes, over a dict (the store itself is tested on S3)."""

    versions: dict[tuple[str, str], ProjectVersion] = field(default_factory=dict)
    reads: int = 0

    def add(self, version: ProjectVersion) -> ProjectVersion:
        self.versions[(version.project_name, version.name)] = version
        return version

    def get_version(self, project: str, name: str) -> ProjectVersion | None:
        self.reads += 1
        return self.versions.get((project, name))

    def get_version_at(self, project: str, name: str, created_ms: int) -> ProjectVersion | None:
        found = self.get_version(project, name)
        return found if found is not None and found.created_ms == created_ms else None


@pytest.fixture(scope="session")
def classifier(tmp_path_factory: pytest.TempPathFactory) -> TinyModel:
    return export_model(tmp_path_factory.mktemp("hosting-single"), "single_label")


@pytest.fixture(scope="session")
def detector(tmp_path_factory: pytest.TempPathFactory) -> TinyModel:
    return export_model(tmp_path_factory.mktemp("hosting-detection"), "detection")


@pytest.fixture
def records() -> Records:
    return Records()


@pytest.fixture
def lookup(records: Records) -> ModelLookup:
    return ModelLookup(records, region=REGION, account=ACCOUNT, ttl_s=60)  # type: ignore[arg-type]


def serving(tmp_path: Path, files: dict[str, Path]) -> ServingModels:
    """Models served from local directories: ``files`` maps an artifacts prefix to a model directory."""

    def fetch(uri: str, dest: Path) -> None:
        _, key = split_s3_uri(uri)
        prefix, _, name = key.rpartition("/")
        shutil.copy(files[prefix + "/"] / name, dest)

    return ServingModels(ModelCache(fetch, tmp_path / "cache"), BUCKET)
