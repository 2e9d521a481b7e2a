"""Finding the model a request names, checking that it runs, and loading it for serving.

Used by the detection function, batch labeling and the ``LoadModel`` hosting step:

- :class:`ModelLookup` resolves a model by ARN (or by project and version name, as the batch
  prefix names it) and refuses one that is not RUNNING with ResourceNotReadyException (guide
  L8854). A RUNNING status is trusted for ``ttl_s`` seconds before it is read again, so a warm
  function does not read the model's record on every request; only RUNNING is cached, so a
  model that has just started is served at once, and a stopped one is refused at most
  ``ttl_s`` later.
- :class:`ServingModels` returns the loaded predictor of a RUNNING model from the process's
  :class:`~customlabels.inference.cache.ModelCache` (files in /tmp, one session in memory).
  It serves the artifact version verified when the model started (``serving_etag``).
- :class:`ModelVerifier` is that verification: download the files and load them once.
"""

from __future__ import annotations

import hashlib
import logging
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from botocore.exceptions import ClientError

from customlabels.hosting.errors import HostingError
from customlabels.inference.artifact import ARTIFACT_FILES
from customlabels.inference.cache import ModelCache
from customlabels.inference.errors import (
    ModelArtifactError,
    ResourceNotFoundException,
    ResourceNotReadyException,
)
from customlabels.inference.predictor import Predictor
from customlabels.resources import arns
from customlabels.resources.artifacts import NoModelFiles, model_directory_uri
from customlabels.resources.records import ProjectVersion
from customlabels.resources.repository import Repository
from customlabels.resources.status import ProjectVersionStatus

logger = logging.getLogger(__name__)


class ModelLookup:
    """Models by ARN or name, with RUNNING statuses cached for ``ttl_s`` seconds.

    Args:
        repository: the deployment's metadata.
        region, account: this deployment's; other ARNs name no model here.
        ttl_s: how long a RUNNING status is trusted (``Settings.model_status_ttl_s``).
        clock: monotonic seconds (tests pass their own).
    """

    def __init__(
        self,
        repository: Repository,
        *,
        region: str,
        account: str,
        ttl_s: float,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._repository = repository
        self._region = region
        self._account = account
        self._ttl_s = ttl_s
        self._clock = clock
        self._running: dict[str, tuple[float, ProjectVersion]] = {}
        self._lock = threading.Lock()

    def running(self, model_arn: str) -> ProjectVersion:
        """The RUNNING model ``model_arn`` names.

        Raises:
            ResourceNotFoundException: no such model in this deployment.
            ResourceNotReadyException: the model is not RUNNING.
        """
        cached = self._cached(model_arn)
        if cached is not None:
            return cached
        ref = arns.parse_version_arn(model_arn)
        version = None
        if ref is not None and (ref.region, ref.account) == (self._region, self._account):
            version = self._repository.get_version_at(ref.project, ref.version, ref.created_ms)
        if version is None:
            raise ResourceNotFoundException(f"The model {model_arn} does not exist")
        return self._check_running(version, model_arn)

    def running_by_name(self, project: str, name: str) -> ProjectVersion:
        """The RUNNING model ``name`` of ``project`` (the batch prefix's ``<project>/<version>``).

        Raises:
            ResourceNotFoundException, ResourceNotReadyException: as :meth:`running`.
        """
        key = f"{project}/{name}"
        cached = self._cached(key)
        if cached is not None:
            return cached
        version = self._repository.get_version(project, name)
        if version is None:
            raise ResourceNotFoundException(f"The project {project} has no model named {name}")
        return self._check_running(version, key)

    def _cached(self, key: str) -> ProjectVersion | None:
        with self._lock:
            found = self._running.get(key)
            if found is not None and self._clock() - found[0] < self._ttl_s:
                return found[1]
            self._running.pop(key, None)
            return None

    def _check_running(self, version: ProjectVersion, key: str) -> ProjectVersion:
        """``version`` if it is RUNNING (remembered under ``key``: its ARN, or project/name)."""
        if version.status != ProjectVersionStatus.RUNNING:
            raise ResourceNotReadyException(
                f"The model {version.arn} is {version.status}; start it with StartProjectVersion and "
                "wait until it is RUNNING"
            )
        with self._lock:
            self._running[key] = (self._clock(), version)
        return version


def artifact_etag(s3: Any, bucket: str, version: ProjectVersion) -> str:
    """One tag for the model's current files: a digest of the ETags of ``model.json`` and ``model.onnx``.

    Raises:
        NoModelFiles: the record names no artifact directory.
        botocore ClientError: a file is missing or unreadable.
    """
    _, prefix = split_s3_uri(model_directory_uri(bucket, version))
    etags = [s3.head_object(Bucket=bucket, Key=prefix + name)["ETag"] for name in ARTIFACT_FILES]
    return hashlib.sha256("\n".join(etags).encode()).hexdigest()[:32]


class ServingModels:
    """The loaded predictor of a model, from the process's model cache."""

    def __init__(self, cache: ModelCache, bucket: str) -> None:
        self._cache = cache
        self._bucket = bucket

    def predictor(self, version: ProjectVersion) -> Predictor:
        """Load (or reuse) ``version``'s model.

        Raises:
            NoModelFiles, ModelArtifactError, or the fetch's error (an internal error to callers).
        """
        # A model started before serving_etag existed is identified by its creation instant.
        etag = version.serving_etag or str(version.created_ms)
        return self._cache.get(version.arn, model_directory_uri(self._bucket, version), etag)


class ModelVerifier:
    """Checks, before a model is RUNNING, that its files exist and load (the LoadModel step)."""

    def __init__(self, s3: Any, cache: ModelCache, bucket: str) -> None:
        self._s3 = s3
        self._cache = cache
        self._bucket = bucket

    def verify(self, version: ProjectVersion) -> str:
        """Download and load the model once; returns the artifact tag to serve (``serving_etag``).

        Raises:
            HostingError: with the reason in words the model's StatusMessage can show.
        """
        try:
            directory = model_directory_uri(self._bucket, version)
        except NoModelFiles:
            raise HostingError("The model could not be started: it has no model files.") from None
        try:
            etag = artifact_etag(self._s3, self._bucket, version)
            self._cache.get(version.arn, directory, etag)
        except ClientError as error:
            logger.warning("model files of %s unreadable: %s", version.arn, error)
            raise HostingError(
                f"The model could not be started: its model files ({', '.join(ARTIFACT_FILES)}) cannot "
                f"be read from {directory}."
            ) from error
        except ModelArtifactError as error:
            logger.warning("model files of %s invalid: %s", version.arn, error)
            raise HostingError(
                f"The model could not be started: its model files in {directory} cannot be loaded."
            ) from error
        return etag


def split_s3_uri(uri: str) -> tuple[str, str]:
    """``s3://bucket/key`` → ``(bucket, key)``; raises ValueError for anything else."""
    if not uri.startswith("s3://") or "/" not in uri[5:]:
        raise ValueError(f"expected s3://bucket/key, got {uri!r}")
    bucket, key = uri[5:].split("/", 1)
    return bucket, key


def s3_fetch(s3: Any) -> Callable[[str, Path], None]:
    """A :data:`~customlabels.inference.cache.Fetch` that downloads ``s3://`` URIs with ``s3``."""

    def fetch(uri: str, dest: Path) -> None:
        bucket, key = split_s3_uri(uri)
        s3.download_file(bucket, key, str(dest))

    return fetch
