"""Where the stack is deployed, and what follows from it.

The differences between a real AWS account and LocalStack on one machine are decided
here, once, and handed to the constructs as plain settings: constructs never sniff
the target themselves.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

from aws_cdk import RemovalPolicy

from customlabels.hosting.capacity import PROVISIONED_CONCURRENCY, RECORDED


class Target(enum.Enum):
    AWS = "aws"
    LOCAL = "local"


@dataclass(frozen=True)
class Deployment:
    """Settings derived from the target (and CDK context) for every construct."""

    target: Target
    removal_policy: RemovalPolicy
    # LocalStack runs Python handlers as host processes from zip assets; AWS runs the
    # same handlers in a container image that carries their dependencies.
    use_container_images: bool
    # LocalStack's community edition skips CloudFormation custom resources, among them the one
    # CDK uses to configure bucket notifications: there they are set on the bucket itself.
    bucket_notifications_as_property: bool
    # Training runs on an AWS Batch GPU queue (a container image) on AWS, and as a Lambda step on
    # the CPU on LocalStack, which has neither Batch nor Docker here.
    training_on_batch: bool
    # How a running model's inference units are realized (customlabels.hosting.capacity): as
    # provisioned concurrency of the detection function on AWS; on LocalStack, which has no
    # Application Auto Scaling, they are only recorded.
    inference_capacity: str
    # Who signed an API request: API Gateway's IAM auth tells on AWS. LocalStack community neither
    # verifies signatures nor says who signed, and takes a 12-digit access key id for the account,
    # so there the API reads the caller from the Authorization header (customlabels.api.caller).
    caller_from_signature: bool

    @classmethod
    def for_target(cls, name: str) -> Deployment:
        try:
            target = Target(name)
        except ValueError:
            allowed = ", ".join(t.value for t in Target)
            raise ValueError(f"context 'target' must be one of {allowed}, got {name!r}") from None
        if target is Target.LOCAL:
            return cls(
                target=target,
                removal_policy=RemovalPolicy.DESTROY,
                use_container_images=False,
                bucket_notifications_as_property=True,
                training_on_batch=False,
                inference_capacity=RECORDED,
                caller_from_signature=True,
            )
        return cls(
            target=target,
            removal_policy=RemovalPolicy.RETAIN,
            use_container_images=True,
            bucket_notifications_as_property=False,
            training_on_batch=True,
            inference_capacity=PROVISIONED_CONCURRENCY,
            caller_from_signature=False,
        )
