"""Where the training job runs: an AWS Batch GPU queue on AWS, a Lambda step on LocalStack.

Both run the same code (:mod:`customlabels.training.worker`) for one model, and both present
themselves to the training pipeline as a Step Functions task that finishes when the job does
(Batch through ``.sync``, which also stops the job when the execution stops). The stack picks one;
the pipeline does not know which.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from aws_cdk import Duration, Size
from aws_cdk import aws_batch as batch
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_ecs as ecs
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_logs as logs
from aws_cdk import aws_stepfunctions as sfn
from aws_cdk import aws_stepfunctions_tasks as tasks
from constructs import Construct

# Batch substitutes ``Ref::<name>`` with the job's parameters, which the Step Functions task sets.
WORKER_COMMAND = [
    "python",
    "-m",
    "customlabels.training.worker",
    "--project-version-arn",
    "Ref::projectVersionArn",
]
TRAINING_IMAGE_DOCKERFILE = "containers/train/Dockerfile"
MAX_QUEUED = Duration.hours(12)  # a job waits at most this long for a GPU instance


@dataclass(frozen=True)
class BatchTrainingOptions:
    """The GPU fleet for ``target=aws``, from CDK context (``-c train_instance_types=g5.xlarge,g4dn.xlarge
    -c train_spot=true -c train_max_vcpus=16 -c train_timeout_hours=24``)."""

    instance_types: tuple[str, ...] = ("g5.xlarge", "g4dn.xlarge")
    spot: bool = False
    max_vcpus: int = 16
    # guide L4649: training typically takes 30 minutes to 24 hours
    timeout_hours: float = 24.0

    @classmethod
    def from_context(cls, context: Callable[[str], Any]) -> BatchTrainingOptions:
        """Options from ``app.node.try_get_context``; absent keys keep the defaults.

        Raises:
            ValueError: a value does not parse.
        """
        defaults = cls()
        types = context("train_instance_types")
        spot = context("train_spot")
        max_vcpus = context("train_max_vcpus")
        hours = context("train_timeout_hours")
        if isinstance(types, str):
            types = [name.strip() for name in types.split(",") if name.strip()]
        options = cls(
            instance_types=tuple(types) if types else defaults.instance_types,
            spot=_flag(spot) if spot is not None else defaults.spot,
            max_vcpus=int(max_vcpus) if max_vcpus is not None else defaults.max_vcpus,
            timeout_hours=float(hours) if hours is not None else defaults.timeout_hours,
        )
        if options.max_vcpus < 1 or options.timeout_hours < 0.5:
            raise ValueError(f"train_max_vcpus must be >= 1 and train_timeout_hours >= 0.5, got {options}")
        return options

    @property
    def timeout(self) -> Duration:
        return Duration.minutes(round(self.timeout_hours * 60))

    @property
    def time_budget_s(self) -> int:
        """How long one attempt may train before it must export, evaluate and upload: its timeout
        less 15 minutes or a tenth of it, whichever is more (a large test set takes a while)."""
        timeout_s = self.timeout_hours * 3600
        return int(timeout_s - max(900.0, timeout_s * 0.1))


def _flag(value: object) -> bool:
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text not in {"true", "false", "1", "0", "yes", "no"}:
        raise ValueError(f"train_spot must be true or false, got {value!r}")
    return text in {"true", "1", "yes"}


class LambdaTraining(Construct):
    """Runs the training job inside a Lambda invocation (CPU; LocalStack, small datasets)."""

    def __init__(self, scope: Construct, construct_id: str, *, training_function: lambda_.IFunction) -> None:
        super().__init__(scope, construct_id)
        self.function = training_function
        self.grantable: iam.IGrantable = training_function
        self.timeout = Duration.minutes(15)  # Lambda's maximum; the function's own timeout bounds it

    def task(self, scope: Construct, state_name: str) -> sfn.TaskStateBase:
        step = tasks.LambdaInvoke(
            scope,
            state_name,
            lambda_function=self.function,
            payload=sfn.TaskInput.from_object({"ProjectVersionArn.$": "$.ProjectVersionArn"}),
            payload_response_only=True,
            result_path="$.Training",
            # No retry of an invocation that may have run: it would train the model twice.
            retry_on_service_exceptions=False,
        )
        step.add_retry(
            errors=["Lambda.TooManyRequestsException"], interval=Duration.seconds(5), max_attempts=3
        )
        return step


class BatchTraining(Construct):
    """A GPU compute environment that scales to zero, its queue, and the training job definition."""

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        repo_root: Path,
        training_options: BatchTrainingOptions,
        environment: dict[str, str],
    ) -> None:
        super().__init__(scope, construct_id)
        # Public subnets only: instances pull the image without a NAT gateway's cost; S3 traffic
        # (images, models) goes through the free gateway endpoint.
        vpc = ec2.Vpc(
            self,
            "Network",
            max_azs=2,
            nat_gateways=0,
            subnet_configuration=[
                ec2.SubnetConfiguration(name="public", subnet_type=ec2.SubnetType.PUBLIC, cidr_mask=24)
            ],
            gateway_endpoints={
                "S3": ec2.GatewayVpcEndpointOptions(service=ec2.GatewayVpcEndpointAwsService.S3)
            },
        )
        compute = batch.ManagedEc2EcsComputeEnvironment(
            self,
            "GpuInstances",
            vpc=vpc,
            vpc_subnets=ec2.SubnetSelection(subnet_type=ec2.SubnetType.PUBLIC),
            instance_types=[ec2.InstanceType(name) for name in training_options.instance_types],
            use_optimal_instance_classes=False,
            # The pinned torch is a CUDA 13 build, which needs a recent NVIDIA driver (580+).
            images=[batch.EcsMachineImage(image_type=batch.EcsMachineImageType.ECS_AL2023_NVIDIA)],
            minv_cpus=0,  # no instance runs while no model trains
            maxv_cpus=training_options.max_vcpus,
            spot=training_options.spot,
            replace_compute_environment=False,
        )
        # A job that cannot start is cancelled, which fails its task and so records the failure on
        # the model; none waits for an instance forever.
        cancel = batch.JobStateTimeLimitActionsAction.CANCEL
        runnable = batch.JobStateTimeLimitActionsState.RUNNABLE
        reasons = batch.JobStateTimeLimitActionsReason
        self.queue = batch.JobQueue(
            self,
            "Queue",
            compute_environments=[batch.OrderedComputeEnvironment(compute_environment=compute, order=1)],
            job_state_time_limit_actions=[
                batch.JobStateTimeLimitAction(action=cancel, state=runnable, reason=reason, max_time=max_time)
                for reason, max_time in (
                    (reasons.JOB_RESOURCE_REQUIREMENT, Duration.minutes(10)),  # never fits an instance
                    (reasons.INSUFFICIENT_INSTANCE_CAPACITY, MAX_QUEUED),
                    (reasons.COMPUTE_ENVIRONMENT_MAX_RESOURCE, MAX_QUEUED),  # behind other trainings
                )
            ],
        )
        self.job_role = iam.Role(self, "JobRole", assumed_by=iam.ServicePrincipal("ecs-tasks.amazonaws.com"))
        log_group = logs.LogGroup(self, "Logs", retention=logs.RetentionDays.ONE_MONTH)
        # A spot reclaim or an image pull that failed is retried on another instance; an attempt
        # that exited on its own (success or the caller's error) is not.
        retry_strategies = [
            batch.RetryStrategy.of(batch.Action.RETRY, batch.Reason.SPOT_INSTANCE_RECLAIMED),
            batch.RetryStrategy.of(batch.Action.RETRY, batch.Reason.CANNOT_PULL_CONTAINER),
            batch.RetryStrategy.of(batch.Action.EXIT, batch.Reason.custom(on_exit_code="*")),
        ]
        self.attempts = 3
        self.job_definition = batch.EcsJobDefinition(
            self,
            "TrainModel",
            timeout=training_options.timeout,
            retry_attempts=self.attempts,
            retry_strategies=retry_strategies,
            container=batch.EcsEc2ContainerDefinition(
                self,
                "Container",
                image=ecs.ContainerImage.from_asset(str(repo_root), file=TRAINING_IMAGE_DOCKERFILE),
                cpu=4,
                memory=Size.gibibytes(14),
                gpu=1,
                command=WORKER_COMMAND,
                environment=environment,
                job_role=self.job_role,
                logging=ecs.LogDriver.aws_logs(stream_prefix="train", log_group=log_group),
                # DataLoader workers pass batches through /dev/shm; Docker's default 64 MB is too small.
                linux_parameters=batch.LinuxParameters(self, "Linux", shared_memory_size=Size.gibibytes(4)),
            ),
        )
        self.grantable: iam.IGrantable = self.job_role
        # Every attempt may run for the job's timeout, after the job waited in the queue.
        self.timeout = Duration.minutes(
            round(training_options.timeout_hours * 60) * self.attempts + MAX_QUEUED.to_minutes() + 30
        )

    def task(self, scope: Construct, state_name: str) -> sfn.TaskStateBase:
        return tasks.BatchSubmitJob(
            scope,
            state_name,
            job_name=state_name,
            job_queue_arn=self.queue.job_queue_arn,
            job_definition_arn=self.job_definition.job_definition_arn,
            payload=sfn.TaskInput.from_object({"projectVersionArn.$": "$.ProjectVersionArn"}),
            integration_pattern=sfn.IntegrationPattern.RUN_JOB,
            # No task timeout here: BatchSubmitJob passes it to Batch as each attempt's duration. The
            # job definition's timeout, its attempts and the queue's time limits bound the task.
            result_selector={"JobId.$": "$.JobId", "Status.$": "$.Status"},
            result_path="$.Training",
        )


def training_environment(
    common: dict[str, str], region: str, options: BatchTrainingOptions
) -> dict[str, str]:
    """The Batch container's environment: what every function gets, the region (Batch does not set
    it), and the job's training time budget."""
    return {
        **common,
        "AWS_REGION": region,
        "AWS_DEFAULT_REGION": region,
        "CUSTOMLABELS_TRAINING_TIME_BUDGET_S": str(options.time_budget_s),
    }
