"""The one customlabels stack: composes the capability constructs and grants between them."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from aws_cdk import CfnOutput, Duration, Stack
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from constructs import Construct

from customlabels.hosting.capacity import PROVISIONED_CONCURRENCY
from infra.api import RekognitionApi
from infra.batch_labeling import BatchLabeling
from infra.copy_pipeline import CopyPipeline
from infra.dataset_pipeline import DatasetPipeline
from infra.functions import FunctionFactory
from infra.model_hosting import ModelHosting
from infra.storage import DataStorage
from infra.target import Deployment
from infra.training_compute import BatchTraining, BatchTrainingOptions, LambdaTraining, training_environment
from infra.training_pipeline import TrainingPipeline

BATCH_INPUT_PREFIX = "batch-input/"
BATCH_OUTPUT_PREFIX = "batch-output/"
METADATA_PREFIX = "_meta/"
# Under the metadata prefix: project documents (DatasetRecorder writes them) and dataset entries.
CATALOG_PREFIX = f"{METADATA_PREFIX}catalog/"
DATASETS_PREFIX = f"{METADATA_PREFIX}datasets/"
ARTIFACTS_PREFIX = "artifacts/"
# Under the metadata prefix: model documents (the training pipeline's recording steps write them).
MODELS_PREFIX = f"{METADATA_PREFIX}projects/"
TRAINING_STEP_TIMEOUT = Duration.minutes(15)  # ValidateManifests reads every image's header
COPY_STEP_TIMEOUT = Duration.minutes(15)  # S3 copies a model's files server-side: seconds, usually
API_STAGE_NAME = "v1"
METRICS_NAMESPACE = "CustomLabels"  # customlabels.hosting.metering: the guide's AWS/Rekognition is AWS's own
# Detection runs one request at a time on every core Lambda grants: 2048 MB is about 1.2 vCPU.
DETECT_MEMORY_MB = 2048


@dataclass(frozen=True)
class Serving:
    """What model hosting adds to the stack, and what the API needs from it."""

    detect_function: lambda_.Function
    hosting_function: lambda_.Function
    metering_function: lambda_.Function
    hosting: ModelHosting
    api_environment: dict[str, str]


class CustomLabelsStack(Stack):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        deployment: Deployment,
        repo_root: Path,
        training_options: BatchTrainingOptions | None = None,
        **kwargs: object,
    ) -> None:
        super().__init__(scope, construct_id, **kwargs)  # type: ignore[arg-type]
        functions = FunctionFactory(repo_root=repo_root, use_container_images=deployment.use_container_images)
        storage = DataStorage(self, "Storage", bucket_removal_policy=deployment.removal_policy)
        bucket = storage.bucket
        common_env = {
            "CUSTOMLABELS_DATA_BUCKET": bucket.bucket_name,
            "CUSTOMLABELS_ACCOUNT_ID": self.account,
            "POWERTOOLS_LOG_LEVEL": "INFO",
        }

        datasets = self._dataset_pipeline(functions, storage, common_env)
        training = self._training_pipeline(
            functions, storage, common_env, deployment, repo_root, training_options or BatchTrainingOptions()
        )
        serving = self._model_hosting(functions, storage, common_env, deployment)
        copying = self._copy_pipeline(functions, storage, common_env)

        api_function = functions.python_function(
            self,
            "ApiFunction",
            handler="functions.api.handler.handler",
            description="The Rekognition Custom Labels JSON API",
            # DeleteProjectVersion removes the model's artifacts within the request.
            timeout=Duration.seconds(60),
            memory_size=1024,
            environment={
                **common_env,
                "CUSTOMLABELS_DATASET_PIPELINE_ARN": datasets.state_machine.state_machine_arn,
                "CUSTOMLABELS_COPY_PIPELINE_ARN": copying.state_machine.state_machine_arn,
                **serving.api_environment,
                **(
                    {"CUSTOMLABELS_CALLER_FROM_SIGNATURE": "true"} if deployment.caller_from_signature else {}
                ),
            },
        )
        bucket.grant_read_write(api_function, f"{METADATA_PREFIX}*")
        bucket.grant_delete(api_function, f"{METADATA_PREFIX}*")
        bucket.grant_delete(api_function, f"{ARTIFACTS_PREFIX}*")
        api_function.add_to_role_policy(
            iam.PolicyStatement(actions=["s3:ListBucket"], resources=[bucket.bucket_arn])
        )
        datasets.state_machine.grant_start_execution(api_function)
        api_function.add_environment(
            "CUSTOMLABELS_TRAINING_PIPELINE_ARN", training.state_machine.state_machine_arn
        )
        training.state_machine.grant_start_execution(api_function)
        copying.state_machine.grant_start_execution(api_function)
        serving.hosting.state_machine.grant_start_execution(api_function)
        serving.detect_function.grant_invoke(api_function)  # the function and its per-model aliases
        api = RekognitionApi(self, "Api", api_function=api_function, api_stage_name=API_STAGE_NAME)

        batch_timeout = Duration.minutes(2)
        batch_function = functions.python_function(
            self,
            "BatchLabelingFunction",
            handler="functions.batch.handler.handler",
            description="Labels images uploaded under the batch input prefix",
            timeout=batch_timeout,
            memory_size=DETECT_MEMORY_MB,
            environment={
                **common_env,
                "CUSTOMLABELS_BATCH_INPUT_PREFIX": BATCH_INPUT_PREFIX,
                "CUSTOMLABELS_BATCH_OUTPUT_PREFIX": BATCH_OUTPUT_PREFIX,
            },
            image="detect",
        )
        bucket.grant_read(batch_function, f"{BATCH_INPUT_PREFIX}*")
        # results and the results manifest (read back for its conditional merge)
        bucket.grant_read_write(batch_function, f"{BATCH_OUTPUT_PREFIX}*")
        # the models: their records, and their files
        bucket.grant_read(batch_function, f"{METADATA_PREFIX}*")
        bucket.grant_read(batch_function, f"{ARTIFACTS_PREFIX}*")
        batch = BatchLabeling(
            self,
            "BatchLabeling",
            bucket=bucket,
            batch_input_prefix=BATCH_INPUT_PREFIX,
            labeling_function=batch_function,
            labeling_timeout=batch_timeout,
            notifications_as_bucket_property=deployment.bucket_notifications_as_property,
        )

        CfnOutput(self, "DataBucketName", value=bucket.bucket_name)
        CfnOutput(self, "ApiEndpoint", value=api.rest_api.url)
        CfnOutput(self, "RestApiId", value=api.rest_api.rest_api_id)
        CfnOutput(self, "ApiStageName", value=API_STAGE_NAME)
        CfnOutput(self, "ApiFunctionName", value=api_function.function_name)
        CfnOutput(self, "DatasetPipelineArn", value=datasets.state_machine.state_machine_arn)
        CfnOutput(self, "TrainingPipelineArn", value=training.state_machine.state_machine_arn)
        CfnOutput(self, "CopyPipelineArn", value=copying.state_machine.state_machine_arn)
        CfnOutput(
            self,
            "DatasetImportFunctionName",
            value=datasets.import_entries_function.function_name,
        )
        CfnOutput(self, "BatchLabelingFunctionName", value=batch_function.function_name)
        CfnOutput(self, "BatchQueueUrl", value=batch.queue.queue_url)
        CfnOutput(self, "BatchDeadLetterQueueUrl", value=batch.dead_letter_queue.queue_url)
        CfnOutput(self, "BatchInputPrefix", value=BATCH_INPUT_PREFIX)
        CfnOutput(self, "BatchOutputPrefix", value=BATCH_OUTPUT_PREFIX)
        CfnOutput(self, "DetectFunctionName", value=serving.detect_function.function_name)
        CfnOutput(self, "HostingPipelineArn", value=serving.hosting.state_machine.state_machine_arn)
        CfnOutput(self, "HostingFunctionName", value=serving.hosting_function.function_name)
        CfnOutput(self, "MeteringFunctionName", value=serving.metering_function.function_name)
        CfnOutput(self, "MetricsNamespace", value=METRICS_NAMESPACE)

    def _dataset_pipeline(
        self, functions: FunctionFactory, storage: DataStorage, environment: dict[str, str]
    ) -> DatasetPipeline:
        """The dataset pipeline's five steps, each with only the access it needs.

        Every step reads the metadata (project documents, dataset revisions). The work steps
        write revisions under ``_meta/datasets/``; ImportEntries also reads manifests anywhere in
        the data bucket (``grant_read`` includes ListBucket, without which a missing manifest would
        be "denied" rather than "not found": the guide tells the two apart, L4485 vs L4532).
        Manifests in other buckets need a grant there. The recording steps write project
        documents and delete replaced revisions.
        """
        bucket = storage.bucket

        def step(
            construct_id: str, handler: str, description: str, timeout: Duration, memory: int
        ) -> lambda_.Function:
            function = functions.python_function(
                self,
                construct_id,
                handler=f"functions.datasets.handler.{handler}",
                description=f"Dataset pipeline: {description}",
                timeout=timeout,
                memory_size=memory,
                environment=environment,
            )
            bucket.grant_read(function, f"{METADATA_PREFIX}*")
            return function

        import_entries = step(
            "DatasetImportFunction", "import_entries", "imports entries", Duration.minutes(5), 1024
        )
        apply_changes = step(
            "DatasetUpdateFunction", "apply_changes", "applies updates", Duration.minutes(5), 1024
        )
        distribute = step(
            "DatasetDistributeFunction", "distribute_entries", "splits train/test", Duration.minutes(5), 1024
        )
        record_entries = step(
            "DatasetRecordFunction", "record_entries", "records results", Duration.minutes(1), 512
        )
        record_failure = step(
            "DatasetRecordFailureFunction", "record_failure", "records failures", Duration.minutes(1), 512
        )
        bucket.grant_read(import_entries)
        for work in (import_entries, apply_changes, distribute):
            bucket.grant_put(work, f"{DATASETS_PREFIX}*")
        for recorder in (record_entries, record_failure):
            bucket.grant_put(recorder, f"{CATALOG_PREFIX}*")
            bucket.grant_delete(recorder, f"{DATASETS_PREFIX}*")
        return DatasetPipeline(
            self,
            "DatasetPipeline",
            import_entries_function=import_entries,
            apply_changes_function=apply_changes,
            distribute_entries_function=distribute,
            record_entries_function=record_entries,
            record_failure_function=record_failure,
            pipeline_timeout=Duration.hours(2),
        )

    def _model_hosting(
        self,
        functions: FunctionFactory,
        storage: DataStorage,
        environment: dict[str, str],
        deployment: Deployment,
    ) -> Serving:
        """The detection function, the hosting state machine's function and the metering function.

        All three run from the small serving image on AWS. Detection reads the whole data bucket:
        model records and files, and the images ``Image.S3Object`` names there (images in other
        buckets need a grant there). With provisioned concurrency (AWS), the hosting steps manage
        the detection function's per-model aliases, their provisioned concurrency and its auto
        scaling, and the aliases point to the function's current published version.
        """
        bucket = storage.bucket
        detect = functions.python_function(
            self,
            "DetectFunction",
            handler="functions.detect.handler.handler",
            description="DetectCustomLabels with running models (API and direct invoke)",
            timeout=Duration.seconds(60),  # a cold start downloads and loads the model
            memory_size=DETECT_MEMORY_MB,
            environment=environment,
            image="detect",
        )
        bucket.grant_read(detect)
        capacity_env = {
            "CUSTOMLABELS_INFERENCE_CAPACITY": deployment.inference_capacity,
            "CUSTOMLABELS_DETECT_FUNCTION_NAME": detect.function_name,
            "CUSTOMLABELS_METRICS_NAMESPACE": METRICS_NAMESPACE,
        }
        provisioned = deployment.inference_capacity == PROVISIONED_CONCURRENCY
        if provisioned:
            capacity_env["CUSTOMLABELS_DETECT_FUNCTION_VERSION"] = detect.current_version.version
        hosting_function = functions.python_function(
            self,
            "HostingFunction",
            handler="functions.hosting.handler.handler",
            description="Model hosting: the steps of StartProjectVersion and StopProjectVersion",
            timeout=Duration.minutes(5),  # LoadModel downloads and loads the model once
            memory_size=DETECT_MEMORY_MB,
            environment={**environment, **capacity_env},
            image="detect",
        )
        bucket.grant_read_write(hosting_function, f"{METADATA_PREFIX}*")
        bucket.grant_read(hosting_function, f"{ARTIFACTS_PREFIX}*")
        metering_function = functions.python_function(
            self,
            "MeteringFunction",
            handler="functions.metering.handler.handler",
            description="Publishes the inference units of running models to CloudWatch",
            timeout=Duration.minutes(1),
            environment={**environment, **capacity_env},
            image="detect",
        )
        bucket.grant_read(metering_function, f"{METADATA_PREFIX}*")
        metering_function.add_to_role_policy(
            iam.PolicyStatement(actions=["s3:ListBucket"], resources=[bucket.bucket_arn])
        )
        for publisher in (hosting_function, metering_function):
            publisher.add_to_role_policy(
                iam.PolicyStatement(
                    actions=["cloudwatch:PutMetricData"],
                    resources=["*"],  # PutMetricData has no resources; the namespace is the scope
                    conditions={"StringEquals": {"cloudwatch:namespace": METRICS_NAMESPACE}},
                )
            )
        if provisioned:
            self._grant_capacity(detect, hosting_function, metering_function)
        hosting = ModelHosting(
            self,
            "ModelHosting",
            hosting_function=hosting_function,
            metering_function=metering_function,
            capacity_poll_interval=Duration.seconds(15),
            hosting_timeout=Duration.minutes(30),
            metering_interval=Duration.minutes(1),
        )
        api_environment = {
            "CUSTOMLABELS_HOSTING_PIPELINE_ARN": hosting.state_machine.state_machine_arn,
            "CUSTOMLABELS_DETECT_FUNCTION_NAME": detect.function_name,
            "CUSTOMLABELS_INFERENCE_CAPACITY": deployment.inference_capacity,
        }
        return Serving(detect, hosting_function, metering_function, hosting, api_environment)

    def _grant_capacity(
        self,
        detect: lambda_.Function,
        hosting_function: lambda_.Function,
        metering_function: lambda_.Function,
    ) -> None:
        """Inference units as provisioned concurrency (customlabels.hosting.capacity): the hosting
        steps manage the detection function's aliases, their provisioned concurrency and its
        Application Auto Scaling; metering reads the allocation."""
        qualified = [detect.function_arn, f"{detect.function_arn}:*"]
        hosting_function.add_to_role_policy(
            iam.PolicyStatement(
                actions=[
                    "lambda:CreateAlias",
                    "lambda:UpdateAlias",
                    "lambda:DeleteAlias",
                    "lambda:GetAlias",
                    "lambda:PutProvisionedConcurrencyConfig",
                    "lambda:GetProvisionedConcurrencyConfig",
                    "lambda:DeleteProvisionedConcurrencyConfig",
                ],
                resources=qualified,
            )
        )
        hosting_function.add_to_role_policy(
            iam.PolicyStatement(
                # Application Auto Scaling's scalable targets have no ARNs to scope these to; target
                # tracking creates and deletes its CloudWatch alarms with the caller's rights.
                actions=[
                    "application-autoscaling:RegisterScalableTarget",
                    "application-autoscaling:DeregisterScalableTarget",
                    "application-autoscaling:PutScalingPolicy",
                    "application-autoscaling:DescribeScalableTargets",
                    "application-autoscaling:DescribeScalingPolicies",
                    "cloudwatch:PutMetricAlarm",
                    "cloudwatch:DescribeAlarms",
                    "cloudwatch:DeleteAlarms",
                ],
                resources=["*"],
            )
        )
        hosting_function.add_to_role_policy(
            iam.PolicyStatement(
                actions=["iam:CreateServiceLinkedRole"],
                resources=[
                    f"arn:{self.partition}:iam::{self.account}:role/aws-service-role/"
                    "lambda.application-autoscaling.amazonaws.com/"
                    "AWSServiceRoleForApplicationAutoScaling_LambdaConcurrency"
                ],
                conditions={
                    "StringLike": {"iam:AWSServiceName": "lambda.application-autoscaling.amazonaws.com"}
                },
            )
        )
        metering_function.add_to_role_policy(
            iam.PolicyStatement(actions=["lambda:GetProvisionedConcurrencyConfig"], resources=qualified)
        )

    def _copy_pipeline(
        self, functions: FunctionFactory, storage: DataStorage, environment: dict[str, str]
    ) -> CopyPipeline:
        """CopyProjectVersion's two steps. Both read the metadata and write model documents;
        CopyModel also reads the source's files and writes the copy's under ``artifacts/``, and
        reads and writes training results wherever OutputConfig points in the data bucket
        (OutputConfig in another bucket needs a grant there). A ``KmsKeyId`` is used through S3 only.
        """
        bucket = storage.bucket

        def step(construct_id: str, handler: str, description: str) -> lambda_.Function:
            function = functions.python_function(
                self,
                construct_id,
                handler=f"functions.copying.handler.{handler}",
                description=f"Copy pipeline: {description}",
                timeout=COPY_STEP_TIMEOUT,
                memory_size=512,
                environment=environment,
            )
            bucket.grant_read(function, f"{METADATA_PREFIX}*")
            bucket.grant_put(function, f"{MODELS_PREFIX}*")
            function.grant_principal.add_to_principal_policy(self._kms_through_s3())
            return function

        copy_model = step("CopyModelFunction", "copy_model", "copies the model and its results")
        record_failure = step("CopyRecordFailureFunction", "record_failure", "records failures")
        bucket.grant_read(copy_model)
        bucket.grant_put(copy_model)
        return CopyPipeline(
            self,
            "CopyPipeline",
            copy_function=copy_model,
            record_failure_function=record_failure,
            steps_timeout=COPY_STEP_TIMEOUT,
        )

    def _kms_through_s3(self) -> iam.PolicyStatement:
        """Use of a model's ``KmsKeyId``, through S3 only."""
        return iam.PolicyStatement(
            actions=["kms:GenerateDataKey", "kms:Decrypt", "kms:DescribeKey"],
            resources=["*"],
            conditions={"StringEquals": {"kms:ViaService": f"s3.{self.region}.amazonaws.com"}},
        )

    def _training_pipeline(
        self,
        functions: FunctionFactory,
        storage: DataStorage,
        environment: dict[str, str],
        deployment: Deployment,
        repo_root: Path,
        training_options: BatchTrainingOptions,
    ) -> TrainingPipeline:
        """The training pipeline's steps and its compute, each with the access it needs.

        Every step reads the metadata and writes model documents (``_meta/projects/``).
        ValidateManifests reads manifests and images anywhere in the data bucket, and writes the
        validation results wherever OutputConfig points in it and the job's input under
        ``artifacts/``; the job (a Lambda step on LocalStack, a Batch GPU job on AWS) reads that
        input and the images and writes the model under ``artifacts/`` and the evaluation files
        under OutputConfig. Manifests, images or OutputConfig in other buckets need a grant there
        (training then fails with the guide's message meanwhile). A model's ``KmsKeyId`` is used
        through S3 only (``kms:ViaService``).
        """
        bucket = storage.bucket

        def step(construct_id: str, handler: str, description: str, memory: int) -> lambda_.Function:
            function = functions.python_function(
                self,
                construct_id,
                handler=f"functions.training.handler.{handler}",
                description=f"Training pipeline: {description}",
                timeout=TRAINING_STEP_TIMEOUT,
                memory_size=memory,
                environment=environment,
            )
            bucket.grant_read(function, f"{METADATA_PREFIX}*")
            bucket.grant_put(function, f"{MODELS_PREFIX}*")
            return function

        validate = step("TrainingValidateFunction", "validate_manifests", "validates manifests", 2048)
        finalize = step("TrainingFinalizeFunction", "finalize_version", "records the trained model", 512)
        record_failure = step("TrainingRecordFailureFunction", "record_failure", "records failures", 512)
        bucket.grant_read(validate)
        bucket.grant_put(validate)
        validate.add_to_role_policy(
            iam.PolicyStatement(actions=["s3:GetBucketAcl"], resources=[bucket.bucket_arn])
        )
        for reader in (finalize, record_failure):
            bucket.grant_read(reader, f"{ARTIFACTS_PREFIX}*")
        compute: BatchTraining | LambdaTraining
        if deployment.training_on_batch:
            compute = BatchTraining(
                self,
                "TrainingCompute",
                repo_root=repo_root,
                training_options=training_options,
                environment=training_environment(environment, self.region, training_options),
            )
        else:
            train_function = functions.python_function(
                self,
                "TrainingModelFunction",
                handler="functions.training.handler.train_model",
                description="Training pipeline: trains, exports and evaluates a model on the CPU",
                timeout=Duration.minutes(15),  # Lambda's maximum; the job plans within it
                memory_size=4096,
                # idle OpenMP threads sleep instead of spinning on cores other work needs
                environment={**environment, "OMP_WAIT_POLICY": "PASSIVE"},
            )
            compute = LambdaTraining(self, "TrainingCompute", training_function=train_function)
            CfnOutput(self, "TrainingModelFunctionName", value=train_function.function_name)
        bucket.grant_read(compute.grantable)
        bucket.grant_put(compute.grantable)
        kms_through_s3 = self._kms_through_s3()
        for grantee in (validate, finalize, record_failure, compute.grantable):
            grantee.grant_principal.add_to_principal_policy(kms_through_s3)
        return TrainingPipeline(
            self,
            "TrainingPipeline",
            validate_function=validate,
            training_compute=compute,
            finalize_function=finalize,
            record_failure_function=record_failure,
            steps_timeout=TRAINING_STEP_TIMEOUT,
        )
