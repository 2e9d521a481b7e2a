"""Where the stack is deployed, and what follows from it.

The differences between a real AWS account and LocalStack on one machine are decided
here, once, and handed to the constructs as plain settings: constructs never sniff
the target themselves.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

from aws_cdk import RemovalPolicy


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
            )
        return cls(
            target=target,
            removal_policy=RemovalPolicy.RETAIN,
            use_container_images=True,
            bucket_notifications_as_property=False,
        )
