"""Where a model's files live in the data bucket: the one definition that training and serving share.

A model's directory is the prefix its record names in ``artifacts_prefix`` (a key prefix of the data
bucket, ending in ``/``). It holds the pair of the artifact contract
(:mod:`customlabels.inference.artifact`): ``model.onnx`` and ``model.json``, directly under the
prefix, next to whatever else training writes there (``resolved_config.json``, ``evaluation/``).
The training job uploads its output directory there (:mod:`customlabels.training.worker`)
and records the prefix; model hosting downloads from it; DeleteProjectVersion deletes under it.

New models get :func:`default_artifacts_prefix`; a record that names another prefix (a copied
model, an older layout) is served from wherever it says.
"""

from __future__ import annotations

from customlabels.resources.records import ProjectVersion

ARTIFACTS_ROOT = "artifacts/"


class NoModelFiles(ValueError):
    """The model's record names no artifact directory (it was never trained or copied)."""


def default_artifacts_prefix(project: str, version: str, created_ms: int) -> str:
    """``artifacts/<project>/<version>/<created_ms>/``: unique per model, even for a re-created name."""
    return f"{ARTIFACTS_ROOT}{project}/{version}/{created_ms}/"


def model_directory_uri(bucket: str, version: ProjectVersion) -> str:
    """``s3://<bucket>/<artifacts_prefix>``: the directory with ``model.onnx`` and ``model.json``.

    Raises:
        NoModelFiles: the record has no ``artifacts_prefix``.
    """
    if not version.artifacts_prefix:
        raise NoModelFiles(f"the model {version.arn} has no artifacts_prefix")
    return f"s3://{bucket}/{version.artifacts_prefix.rstrip('/')}/"
