"""The one customlabels stack: composes the capability constructs and grants between them."""

from __future__ import annotations

from pathlib import Path

from aws_cdk import CfnOutput, Duration, Stack
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from constructs import Construct

from infra.api import RekognitionApi
from infra.batch_labeling import BatchLabeling
from infra.dataset_pipeline import DatasetPipeline
from infra.functions import FunctionFactory
from infra.storage import DataStorage
from infra.target import Deployment

BATCH_INPUT_PREFIX = "batch-input/"
BATCH_OUTPUT_PREFIX = "batch-output/"
METADATA_PREFIX = "_meta/"
# Under the metadata prefix: project documents (DatasetRecorder writes them) and dataset entries.
CATALOG_PREFIX = f"{METADATA_PREFIX}catalog/"
DATASETS_PREFIX = f"{METADATA_PREFIX}datasets/"
ARTIFACTS_PREFIX = "artifacts/"
API_STAGE_NAME = "v1"


class CustomLabelsStack(Stack):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        deployment: Deployment,
        repo_root: Path,
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
            },
        )
        bucket.grant_read_write(api_function, f"{METADATA_PREFIX}*")
        bucket.grant_delete(api_function, f"{METADATA_PREFIX}*")
        bucket.grant_delete(api_function, f"{ARTIFACTS_PREFIX}*")
        api_function.add_to_role_policy(
            iam.PolicyStatement(actions=["s3:ListBucket"], resources=[bucket.bucket_arn])
        )
        datasets.state_machine.grant_start_execution(api_function)
        api = RekognitionApi(self, "Api", api_function=api_function, api_stage_name=API_STAGE_NAME)

        batch_timeout = Duration.minutes(2)
        batch_function = functions.python_function(
            self,
            "BatchLabelingFunction",
            handler="functions.batch.handler.handler",
            description="Labels images uploaded under the batch input prefix",
            timeout=batch_timeout,
            environment={
                **common_env,
                "CUSTOMLABELS_BATCH_INPUT_PREFIX": BATCH_INPUT_PREFIX,
                "CUSTOMLABELS_BATCH_OUTPUT_PREFIX": BATCH_OUTPUT_PREFIX,
            },
        )
        bucket.grant_read(batch_function, f"{BATCH_INPUT_PREFIX}*")
        bucket.grant_put(batch_function, f"{BATCH_OUTPUT_PREFIX}*")
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
