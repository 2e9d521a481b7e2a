"""The Rekognition JSON endpoint: API Gateway (REST, IAM auth) → the API function."""

from __future__ import annotations

from aws_cdk import aws_apigateway as apigateway
from aws_cdk import aws_lambda as lambda_
from constructs import Construct


class RekognitionApi(Construct):
    """Answers boto3's ``rekognition`` client, which POSTs every operation to the stage root.

    IAM auth makes API Gateway check SigV4 signatures for ``execute-api``; the client helper
    ``customlabels.client()`` signs that way (LocalStack does not enforce it).
    """

    def __init__(
        self, scope: Construct, construct_id: str, *, api_function: lambda_.IFunction, api_stage_name: str
    ) -> None:
        super().__init__(scope, construct_id)
        self.rest_api = apigateway.RestApi(
            self,
            "Endpoint",
            description="Amazon Rekognition Custom Labels compatible JSON API",
            endpoint_types=[apigateway.EndpointType.REGIONAL],
            deploy_options=apigateway.StageOptions(stage_name=api_stage_name, tracing_enabled=False),
            # The JSON 1.1 protocol sends application/x-amz-json-1.1 bodies through untouched.
            binary_media_types=[],
        )
        self.rest_api.root.add_method(
            "POST",
            apigateway.LambdaIntegration(api_function, proxy=True),
            authorization_type=apigateway.AuthorizationType.IAM,
        )
        self.stage_name = api_stage_name
