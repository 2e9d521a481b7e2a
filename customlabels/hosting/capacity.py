"""Inference units, realized: what a running model holds while it serves.

The guide's inference unit is a share of dedicated compute that a model keeps from start to stop
(L7795-7799); ``MinInferenceUnits`` is the capacity it always has and ``MaxInferenceUnits`` the
ceiling auto scaling may reach (L7823-7833; no ``MaxInferenceUnits``, no auto scaling). Two ways
to realize them, chosen per deployment (``Settings.inference_capacity``):

- :class:`ProvisionedConcurrency` (``target=aws``): one inference unit is one provisioned
  concurrent execution of the detection function. Each running model gets its own alias of the
  function (:func:`alias_name`) with ``MinInferenceUnits`` provisioned, and, with
  ``MaxInferenceUnits``, an Application Auto Scaling target between the two that tracks the
  alias's provisioned-concurrency utilization. The guide's ``DesiredInferenceUnits`` is then the
  requested and ``InServiceInferenceUnits`` the allocated concurrency (L7835-7845). Requests sent
  to the alias (the API does; direct callers may) run on that capacity.
- :class:`RecordedCapacity` (``target=local``): the units are recorded on the model and
  reported, nothing is reserved: LocalStack has no Application Auto Scaling, and one machine has
  no capacity to set aside.

Both are driven by the hosting steps (:mod:`customlabels.hosting.steps`) through
:class:`ModelCapacity`, and are idempotent: provisioning twice or releasing what is gone is fine.
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass
from typing import Any, Protocol

from botocore.exceptions import ClientError

from customlabels.resources.records import ProjectVersion

logger = logging.getLogger(__name__)

PROVISIONED_CONCURRENCY = "provisioned-concurrency"
RECORDED = "recorded"
CAPACITY_KINDS = (RECORDED, PROVISIONED_CONCURRENCY)

ALIAS_PREFIX = "model-"
SCALABLE_DIMENSION = "lambda:function:ProvisionedConcurrency"
SCALING_POLICY_NAME = "customlabels-inference-units"
# AWS's recommendation for provisioned concurrency: scale out before the last units are busy.
TARGET_UTILIZATION = 0.7


@dataclass(frozen=True)
class CapacityState:
    """Where a model's inference units stand: ``desired`` is what it scales to, ``in_service`` what it has."""

    ready: bool
    desired: int
    in_service: int
    failure: str | None = None

    def to_event(self) -> dict[str, Any]:
        return {
            "Ready": self.ready,
            "DesiredInferenceUnits": self.desired,
            "InServiceInferenceUnits": self.in_service,
            "Failure": self.failure,
        }


class ModelCapacity(Protocol):
    """Reserves and releases a model's inference units."""

    def provision(self, version: ProjectVersion, min_units: int, max_units: int | None) -> None: ...

    def state(self, version: ProjectVersion) -> CapacityState: ...

    def release(self, version: ProjectVersion) -> None: ...

    def qualifier(self, version: ProjectVersion) -> str | None:
        """The detection function's qualifier that runs on this model's capacity (None: unqualified)."""
        ...


def alias_name(model_arn: str) -> str:
    """The detection function's alias for a model: ``model-<24 hex>`` (aliases allow 128 of
    ``[A-Za-z0-9_-]`` and no ``/``, which ARNs have, so the ARN is hashed)."""
    return ALIAS_PREFIX + hashlib.sha256(model_arn.encode()).hexdigest()[:24]


def detection_qualifier(capacity_kind: str, model_arn: str) -> str | None:
    """The qualifier to invoke the detection function with for ``model_arn``: its alias when
    inference units are provisioned concurrency, else none (the function itself)."""
    return alias_name(model_arn) if capacity_kind == PROVISIONED_CONCURRENCY else None


class RecordedCapacity:
    """``target=local``: the model's units are its record's; nothing is reserved."""

    def provision(self, version: ProjectVersion, min_units: int, max_units: int | None) -> None:
        logger.info("recorded %s inference units (max %s) for %s", min_units, max_units, version.arn)

    def state(self, version: ProjectVersion) -> CapacityState:
        units = version.min_inference_units or 0
        return CapacityState(ready=True, desired=units, in_service=units)

    def release(self, version: ProjectVersion) -> None:
        logger.info("released the recorded inference units of %s", version.arn)

    def qualifier(self, version: ProjectVersion) -> str | None:
        return None


class ProvisionedConcurrency:
    """``target=aws``: inference units as provisioned concurrency of a per-model alias.

    Args:
        lambda_client: boto3 ``lambda`` client.
        autoscaling_client: boto3 ``application-autoscaling`` client.
        function_name: the detection function.
        function_version: the published version the aliases point to (the stack's current one).
    """

    def __init__(
        self, lambda_client: Any, autoscaling_client: Any, *, function_name: str, function_version: str
    ) -> None:
        self._lambda = lambda_client
        self._autoscaling = autoscaling_client
        self._function = function_name
        self._function_version = function_version

    def qualifier(self, version: ProjectVersion) -> str:
        return alias_name(version.arn)

    def provision(self, version: ProjectVersion, min_units: int, max_units: int | None) -> None:
        """Point the model's alias at the current code, provision ``min_units`` and, with a larger
        ``max_units``, let Application Auto Scaling move between them (guide L7827)."""
        alias = self.qualifier(version)
        self._ensure_alias(alias, version)
        self._lambda.put_provisioned_concurrency_config(
            FunctionName=self._function, Qualifier=alias, ProvisionedConcurrentExecutions=min_units
        )
        resource_id = self._resource_id(alias)
        if max_units is None or max_units <= min_units:
            self._deregister(resource_id)  # a restart without MaxInferenceUnits: no auto scaling
            return
        self._autoscaling.register_scalable_target(
            ServiceNamespace="lambda",
            ResourceId=resource_id,
            ScalableDimension=SCALABLE_DIMENSION,
            MinCapacity=min_units,
            MaxCapacity=max_units,
        )
        self._autoscaling.put_scaling_policy(
            PolicyName=SCALING_POLICY_NAME,
            ServiceNamespace="lambda",
            ResourceId=resource_id,
            ScalableDimension=SCALABLE_DIMENSION,
            PolicyType="TargetTrackingScaling",
            TargetTrackingScalingPolicyConfiguration={
                "TargetValue": TARGET_UTILIZATION,
                "PredefinedMetricSpecification": {
                    "PredefinedMetricType": "LambdaProvisionedConcurrencyUtilization"
                },
            },
        )

    def state(self, version: ProjectVersion) -> CapacityState:
        """Lambda's view: READY when allocated, FAILED with its reason, otherwise still coming up."""
        try:
            config = self._lambda.get_provisioned_concurrency_config(
                FunctionName=self._function, Qualifier=self.qualifier(version)
            )
        except ClientError as error:
            if _code(error) == "ProvisionedConcurrencyConfigNotFoundException":
                return CapacityState(
                    ready=False, desired=0, in_service=0, failure="no provisioned concurrency"
                )
            raise
        status = config.get("Status")
        return CapacityState(
            ready=status == "READY",
            desired=int(config.get("RequestedProvisionedConcurrentExecutions", 0)),
            in_service=int(config.get("AllocatedProvisionedConcurrentExecutions", 0)),
            failure=(config.get("StatusReason") or "provisioning failed") if status == "FAILED" else None,
        )

    def release(self, version: ProjectVersion) -> None:
        """Remove the scaling target, the provisioned concurrency and the alias (whatever exists)."""
        alias = self.qualifier(version)
        self._deregister(self._resource_id(alias))
        _ignore_missing(
            lambda: self._lambda.delete_provisioned_concurrency_config(
                FunctionName=self._function, Qualifier=alias
            )
        )
        _ignore_missing(lambda: self._lambda.delete_alias(FunctionName=self._function, Name=alias))

    def _ensure_alias(self, alias: str, version: ProjectVersion) -> None:
        arguments = {
            "FunctionName": self._function,
            "Name": alias,
            "FunctionVersion": self._function_version,
            "Description": f"customlabels {version.arn}"[:256],
        }
        try:
            self._lambda.create_alias(**arguments)
        except ClientError as error:
            if _code(error) != "ResourceConflictException":
                raise
            self._lambda.update_alias(**arguments)  # restarted: serve the current code

    def _deregister(self, resource_id: str) -> None:
        try:
            self._autoscaling.deregister_scalable_target(
                ServiceNamespace="lambda", ResourceId=resource_id, ScalableDimension=SCALABLE_DIMENSION
            )
        except ClientError as error:
            if _code(error) != "ObjectNotFoundException":
                raise

    def _resource_id(self, alias: str) -> str:
        return f"function:{self._function}:{alias}"


def _ignore_missing(call: Any) -> None:
    try:
        call()
    except ClientError as error:
        if _code(error) not in ("ResourceNotFoundException", "ProvisionedConcurrencyConfigNotFoundException"):
            raise


def _code(error: ClientError) -> str:
    return str(error.response.get("Error", {}).get("Code", ""))
