"""How our Python handlers become Lambda functions.

On AWS functions run from container images that carry the dependencies: ``containers/lambda``
(the control plane and pipelines) by default, or another image under ``containers/`` that a
function names, such as ``containers/detect`` (serving: ONNX Runtime, no PyTorch, for small images
and quick cold starts). On LocalStack the same handlers run from a zip of our own sources,
executed as host processes with the project's virtual environment (see ``tools/localstack``).
Constructs ask this factory for a function and stay unaware of which one they get.
"""

from __future__ import annotations

import shutil
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import jsii
from aws_cdk import AssetHashType, BundlingOptions, DockerImage, Duration, ILocalBundling
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_logs as logs
from constructs import Construct

# The packages a handler may import from our repository; everything else comes from the
# runtime (AWS: the image; LocalStack: the project venv).
SOURCE_PACKAGES = ("customlabels", "functions")


@jsii.implements(ILocalBundling)
class _CopySources:
    """Bundles a zip asset by copying our packages: no Docker needed to synthesize."""

    def __init__(self, repo_root: Path) -> None:
        self._repo_root = repo_root

    def try_bundle(self, output_dir: str, _options: Any) -> bool:
        ignore = shutil.ignore_patterns("__pycache__", "*.pyc", "*.egg-info")
        for package in SOURCE_PACKAGES:
            shutil.copytree(self._repo_root / package, Path(output_dir) / package, ignore=ignore)
        return True


class FunctionFactory:
    """Creates Lambda functions for handlers named like ``functions.api.handler.handler``."""

    def __init__(self, *, repo_root: Path, use_container_images: bool) -> None:
        self._repo_root = repo_root
        self._use_container_images = use_container_images
        self._zip_code: lambda_.Code | None = None

    def python_function(
        self,
        scope: Construct,
        construct_id: str,
        *,
        handler: str,
        description: str,
        timeout: Duration,
        memory_size: int = 512,
        environment: Mapping[str, str] | None = None,
        image: str = "lambda",
    ) -> lambda_.Function:
        """A function running ``handler``; on AWS from the image ``containers/<image>/Dockerfile``."""
        log_group = logs.LogGroup(scope, f"{construct_id}Logs", retention=logs.RetentionDays.ONE_MONTH)
        common: dict[str, Any] = {
            "description": description,
            "timeout": timeout,
            "memory_size": memory_size,
            "environment": dict(environment or {}),
            "log_group": log_group,
        }
        if self._use_container_images:
            code = lambda_.DockerImageCode.from_image_asset(
                str(self._repo_root), file=f"containers/{image}/Dockerfile", cmd=[handler]
            )
            return lambda_.DockerImageFunction(scope, construct_id, code=code, **common)
        return lambda_.Function(
            scope,
            construct_id,
            runtime=lambda_.Runtime.PYTHON_3_12,
            handler=handler,
            code=self._zip(),
            **common,
        )

    def _zip(self) -> lambda_.Code:
        # One asset shared by every function: a single upload, a single hash.
        if self._zip_code is None:
            self._zip_code = lambda_.Code.from_asset(
                str(self._repo_root / "functions"),
                asset_hash_type=AssetHashType.OUTPUT,
                bundling=BundlingOptions(
                    image=DockerImage.from_registry("public.ecr.aws/sam/build-python3.12"),
                    # jsii calls try_bundle(output_dir, options) positionally, unlike the typed stub.
                    local=_CopySources(self._repo_root),  # type: ignore[arg-type]
                ),
            )
        return self._zip_code
