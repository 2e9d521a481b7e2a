"""The one customlabels stack: composes the capability constructs and grants between them."""

from __future__ import annotations

from pathlib import Path

from aws_cdk import CfnOutput, Duration, Stack
from aws_cdk import aws_iam as iam
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

        import_function = functions.python_function(
            self,
            "DatasetImportFunction",
            handler="functions.datasets.handler.import_manifest",
            description="Dataset pipeline: reads and validates a manifest",
            timeout=Duration.minutes(5),
            environment=common_env,
        )
        bucket.grant_read(import_function)
        datasets = DatasetPipeline(
            self, "DatasetPipeline", import_function=import_function, pipeline_timeout=Duration.hours(2)
        )

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
        CfnOutput(self, "DatasetImportFunctionName", value=import_function.function_name)
        CfnOutput(self, "BatchLabelingFunctionName", value=batch_function.function_name)
        CfnOutput(self, "BatchQueueUrl", value=batch.queue.queue_url)
        CfnOutput(self, "BatchDeadLetterQueueUrl", value=batch.dead_letter_queue.queue_url)
        CfnOutput(self, "BatchInputPrefix", value=BATCH_INPUT_PREFIX)
        CfnOutput(self, "BatchOutputPrefix", value=BATCH_OUTPUT_PREFIX)
