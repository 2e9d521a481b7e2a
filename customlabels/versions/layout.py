"""Where every file of a training goes, and the S3 shapes that point at them.

Two places:

- the **OutputConfig** location of CreateProjectVersion (``S3Bucket``, ``S3KeyPrefix``), where the
  guide puts what the caller reads: the evaluation summary file directly under the prefix, as the
  guide's example shows (``test-output/EvaluationResultSummary-<project>-<version>.json``, L7421),
  and the validation results (L5620-5622, L5650) and manifest snapshots (L7244, L7428) in a folder
  of their own. The guide names no key for those; ``<prefix><project>/<version>/`` keeps the
  trainings of several models that share a prefix apart (seed C §8 proposal)::

      <prefix>EvaluationResultSummary-<project>-<version>.json
      <prefix><project>/<version>/manifest_summary.json
      <prefix><project>/<version>/training_manifest_with_validation.json
      <prefix><project>/<version>/testing_manifest_with_validation.json
      <prefix><project>/<version>/training_manifest_snapshot.manifest   (TrainingDataResult.Output)
      <prefix><project>/<version>/testing_manifest_snapshot.manifest    (TestingDataResult.Output)

- the model's **artifacts** in the data bucket (``ProjectVersion.artifacts_prefix``, deleted with
  the model; :mod:`customlabels.resources.artifacts` defines it for training and serving alike):
  the service's own copy of the lines it trains on, the job's outputs (``model.onnx``,
  ``model.json``, ``resolved_config.json``, ``evaluation/``) and the job's report::

      artifacts/<project>/<version>/<created_ms>/input/{training,testing}.manifest
      artifacts/<project>/<version>/<created_ms>/model.onnx, model.json, resolved_config.json
      artifacts/<project>/<version>/<created_ms>/evaluation/...
      artifacts/<project>/<version>/<created_ms>/job/outcome.json

Pure: no AWS calls.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from customlabels.evaluation.summary import summary_file_name
from customlabels.manifests.training import (
    SUMMARY_FILE,
    TESTING_VALIDATION_FILE,
    TRAINING_VALIDATION_FILE,
)

METADATA_ROOT = "_meta/"  # the metadata store's prefix: never a place for training output
TRAINING_SNAPSHOT_FILE = "training_manifest_snapshot.manifest"
TESTING_SNAPSHOT_FILE = "testing_manifest_snapshot.manifest"


def normalized_prefix(prefix: str | None) -> str:
    """``S3KeyPrefix`` as a folder: ``"test-output"`` → ``"test-output/"``, ``""`` stays ``""``."""
    if not prefix:
        return ""
    return prefix if prefix.endswith("/") else prefix + "/"


def s3_object(bucket: str, key: str) -> dict[str, str]:
    """botocore's ``S3Object`` (``Bucket``, ``Name``)."""
    return {"Bucket": bucket, "Name": key}


def asset(bucket: str, key: str) -> dict[str, Any]:
    """One ``Asset``: a Ground Truth manifest at ``s3://bucket/key``."""
    return {"GroundTruthManifest": {"S3Object": s3_object(bucket, key)}}


@dataclass(frozen=True)
class TrainingFiles:
    """The keys of one model's training files (see the module docstring)."""

    data_bucket: str
    artifacts_prefix: str
    output_bucket: str
    output_prefix: str
    project: str
    version: str

    @classmethod
    def of(
        cls,
        *,
        data_bucket: str,
        artifacts: str,
        output_config: dict[str, Any] | None,
        project: str,
        version: str,
    ) -> TrainingFiles:
        """The files of a model with ``OutputConfig`` ``output_config`` (``S3Bucket`` may be missing:
        writing then fails with the guide's "Unable to write to output S3 bucket.")."""
        config = output_config or {}
        return cls(
            data_bucket=data_bucket,
            artifacts_prefix=artifacts,
            output_bucket=str(config.get("S3Bucket") or ""),
            output_prefix=normalized_prefix(config.get("S3KeyPrefix")),
            project=project,
            version=version,
        )

    # OutputConfig
    @property
    def output_folder(self) -> str:
        return f"{self.output_prefix}{self.project}/{self.version}/"

    def output_key(self, name: str) -> str:
        """A file of this model's folder under the OutputConfig prefix."""
        return self.output_folder + name

    @property
    def output_is_protected(self) -> bool:
        """Whether OutputConfig points into the deployment's metadata, which training must not touch."""
        return self.output_bucket == self.data_bucket and self.output_prefix.startswith(METADATA_ROOT)

    @property
    def manifest_summary_key(self) -> str:
        return self.output_key(SUMMARY_FILE)

    @property
    def validation_keys(self) -> dict[str, str]:
        """The three validation results by file name (guide L5620-5622)."""
        return {
            name: self.output_key(name)
            for name in (SUMMARY_FILE, TRAINING_VALIDATION_FILE, TESTING_VALIDATION_FILE)
        }

    @property
    def training_snapshot_key(self) -> str:
        return self.output_key(TRAINING_SNAPSHOT_FILE)

    @property
    def testing_snapshot_key(self) -> str:
        return self.output_key(TESTING_SNAPSHOT_FILE)

    @property
    def evaluation_summary_name(self) -> str:
        """``EvaluationResultSummary-<project>-<version>.json`` (guide L7421)."""
        return summary_file_name(self.project, self.version)

    @property
    def evaluation_summary_key(self) -> str:
        return self.output_prefix + self.evaluation_summary_name

    # Artifacts (data bucket)
    @property
    def staged_training_key(self) -> str:
        """The lines the job trains on (usable content only), the service's own copy."""
        return f"{self.artifacts_prefix}input/training.manifest"

    @property
    def staged_testing_key(self) -> str:
        return f"{self.artifacts_prefix}input/testing.manifest"

    @property
    def outcome_key(self) -> str:
        """The job's report for FinalizeVersion and RecordFailure."""
        return f"{self.artifacts_prefix}job/outcome.json"

    def artifact_key(self, relative: str) -> str:
        """A file of the job's output directory (``model.onnx``, ``evaluation/...``)."""
        return self.artifacts_prefix + relative

    def artifacts_uri(self) -> str:
        return f"s3://{self.data_bucket}/{self.artifacts_prefix}"
