"""Where the training job runs: an AWS Batch GPU queue on AWS, a Lambda step on LocalStack.

Both run the same entrypoint (``customlabels.training.worker``) for one project version, and
both present themselves to the training pipeline as a Step Functions task that finishes when the
job does (Batch through ``.sync``). The stack picks one; the pipeline does not know which.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from aws_cdk import Duration, Size
from aws_cdk import aws_batch as batch
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_ecs as ecs
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_stepfunctions as sfn
from aws_cdk import aws_stepfunctions_tasks as tasks
from constructs import Construct

WORKER_COMMAND = ["python", "-m", "customlabels.training.worker"]


class LambdaTraining(Construct):
    """Runs the training entrypoint inside a Lambda invocation (CPU; LocalStack, small data)."""

    def __init__(self, scope: Construct, construct_id: str, *, training_function: lambda_.IFunction) -> None:
        super().__init__(scope, construct_id)
        self.function = training_function
        self.grantable: iam.IGrantable = training_function

    def task(self, scope: Construct, state_name: str) -> sfn.TaskStateBase:
        return tasks.LambdaInvoke(
            scope,
            state_name,
            lambda_function=self.function,
            payload=sfn.TaskInput.from_object({"ProjectVersionArn.$": "$.ProjectVersionArn"}),
            payload_response_only=True,
            result_path="$.Training",
            # A crashed or timed-out training is not retried: the version fails with the reason.
            retry_on_service_exceptions=True,
        )


class BatchTraining(Construct):
    """A GPU compute environment that scales to zero, its queue, and the training job definition."""

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        repo_root: Path,
        training_instance_types: Sequence[str],
        training_spot: bool,
        training_max_vcpus: int,
        training_timeout: Duration,
        environment: dict[str, str],
    ) -> None:
        super().__init__(scope, construct_id)
        # Public subnets only: instances pull the image and reach S3 without a NAT gateway's cost.
        vpc = ec2.Vpc(
            self,
            "Network",
            max_azs=2,
            nat_gateways=0,
            subnet_configuration=[
                ec2.SubnetConfiguration(name="public", subnet_type=ec2.SubnetType.PUBLIC, cidr_mask=24)
            ],
        )
        compute = batch.ManagedEc2EcsComputeEnvironment(
            self,
            "GpuInstances",
            vpc=vpc,
            vpc_subnets=ec2.SubnetSelection(subnet_type=ec2.SubnetType.PUBLIC),
            instance_types=[ec2.InstanceType(name) for name in training_instance_types],
            use_optimal_instance_classes=False,
            minv_cpus=0,
            maxv_cpus=training_max_vcpus,
            spot=training_spot,
            replace_compute_environment=False,
        )
        self.queue = batch.JobQueue(
            self,
            "Queue",
            compute_environments=[batch.OrderedComputeEnvironment(compute_environment=compute, order=1)],
        )
        self.job_role = iam.Role(self, "JobRole", assumed_by=iam.ServicePrincipal("ecs-tasks.amazonaws.com"))
        self.job_definition = batch.EcsJobDefinition(
            self,
            "TrainModel",
            timeout=training_timeout,
            retry_attempts=1,
            container=batch.EcsEc2ContainerDefinition(
                self,
                "Container",
                image=ecs.ContainerImage.from_asset(str(repo_root), file="containers/train/Dockerfile"),
                cpu=4,
                memory=Size.gibibytes(15),
                gpu=1,
                command=WORKER_COMMAND,
                environment=environment,
                job_role=self.job_role,
            ),
        )
        self.grantable: iam.IGrantable = self.job_role

    def task(self, scope: Construct, state_name: str) -> sfn.TaskStateBase:
        return tasks.BatchSubmitJob(
            scope,
            state_name,
            job_name=state_name,
            job_queue_arn=self.queue.job_queue_arn,
            job_definition_arn=self.job_definition.job_definition_arn,
            container_overrides=tasks.BatchContainerOverrides(
                command=[
                    *WORKER_COMMAND,
                    "--project-version-arn",
                    sfn.JsonPath.string_at("$.ProjectVersionArn"),
                ]
            ),
            integration_pattern=sfn.IntegrationPattern.RUN_JOB,
            result_path="$.Training",
        )
