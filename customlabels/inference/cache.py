"""Keep the serving model loaded across invocations and its files on local disk.

A warm Lambda container answers from the session already in memory; a fresh one finds the files
in ``/tmp`` when its sandbox kept them, and only downloads them otherwise. Entries are keyed by
model version ARN *and* the artifact's ETag, so a re-uploaded artifact is never served stale.
Only one model is held in memory: loading another replaces it, which bounds a container's memory
whatever mix of models it is asked for.

Downloads go through a ``fetch(uri, dest)`` callable so that this package stays free of boto3;
the Lambda edge passes one built on S3 ``download_file``.
"""

from __future__ import annotations

import hashlib
import shutil
import tempfile
import threading
from collections.abc import Callable
from pathlib import Path

from customlabels.inference.artifact import ARTIFACT_FILES
from customlabels.inference.predictor import Predictor

Fetch = Callable[[str, Path], None]
"""``fetch(uri, dest)``: write the object at ``uri`` to the local file ``dest`` (or raise)."""

Loader = Callable[[Path], Predictor]

# Settings read CUSTOMLABELS_MODEL_CACHE_DIR; this is its default.
DEFAULT_MODEL_CACHE_DIR = Path("/tmp/customlabels-models")


class ModelCache:
    """Model files under ``cache_dir`` and one loaded :class:`Predictor` per process."""

    def __init__(
        self, fetch: Fetch, cache_dir: Path = DEFAULT_MODEL_CACHE_DIR, *, loader: Loader = Predictor
    ) -> None:
        """Create an empty cache; nothing is read or downloaded until :meth:`get`.

        Args:
            fetch: downloads one artifact file, ``fetch("s3://bucket/prefix/model.onnx", Path(...))``.
            cache_dir: where model directories are kept (``/tmp`` is Lambda's only writable disk).
            loader: builds a predictor from a model directory; tests pass a counting one.
        """
        self._fetch = fetch
        self._cache_dir = cache_dir
        self._loader = loader
        self._lock = threading.Lock()
        self._loaded: tuple[tuple[str, str], Predictor] | None = None

    def get(self, model_arn: str, artifact_uri: str, etag: str) -> Predictor:
        """Return the predictor for this model version, loading and downloading only when needed.

        Args:
            model_arn: the ProjectVersionArn being served.
            artifact_uri: the directory that holds ``model.json`` and ``model.onnx``
                (``s3://bucket/prefix`` or whatever ``fetch`` understands).
            etag: the artifact's ETag (or any content version); a new one means new files.

        Raises whatever ``fetch`` raises, and ModelArtifactError for a broken artifact.
        """
        key = (model_arn, etag)
        with self._lock:
            if self._loaded is not None and self._loaded[0] == key:
                return self._loaded[1]
            model_dir = self.local_dir(model_arn, etag)
            if not _complete(model_dir):
                self._download(artifact_uri, model_dir)
            # Drop the old session before building the new one, so two never share the memory.
            self._loaded = None
            predictor = self._loader(model_dir)
            self._loaded = (key, predictor)
            _remove_other_versions(model_dir)
            return predictor

    def local_dir(self, model_arn: str, etag: str) -> Path:
        """The directory for one model version's files: ``<cache_dir>/<arn hash>/<etag hash>``.

        Hashes, not the raw strings, so that no ARN or ETag can name a path outside the cache.
        """
        return self._cache_dir / _digest(model_arn) / _digest(etag.strip('"'))

    def _download(self, artifact_uri: str, model_dir: Path) -> None:
        """Fetch every file into a scratch directory, then rename it into place in one step.

        A crash or a failed fetch leaves no half-written model directory behind, and a process
        that finds ``model_dir`` can trust it is complete.
        """
        model_dir.parent.mkdir(parents=True, exist_ok=True)
        scratch = Path(tempfile.mkdtemp(prefix=f".{model_dir.name}.", dir=model_dir.parent))
        try:
            base = artifact_uri.rstrip("/")
            for name in ARTIFACT_FILES:
                self._fetch(f"{base}/{name}", scratch / name)
            missing = [name for name in ARTIFACT_FILES if not (scratch / name).is_file()]
            if missing:
                raise FileNotFoundError(f"fetch wrote no {missing} from {artifact_uri}")
            if _complete(model_dir):  # another process got there first
                return
            if model_dir.exists():  # an earlier, incomplete copy: replace it
                shutil.rmtree(model_dir)
            try:
                scratch.rename(model_dir)
            except OSError:
                if not _complete(model_dir):
                    raise
        finally:
            shutil.rmtree(scratch, ignore_errors=True)


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()[:32]


def _complete(model_dir: Path) -> bool:
    return all((model_dir / name).is_file() for name in ARTIFACT_FILES)


def _remove_other_versions(model_dir: Path) -> None:
    """Delete files of this ARN's older ETags: ``/tmp`` is small and they will not be served again."""
    for sibling in model_dir.parent.iterdir():
        if sibling != model_dir and sibling.is_dir() and not sibling.name.startswith("."):
            shutil.rmtree(sibling, ignore_errors=True)
