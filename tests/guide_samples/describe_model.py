# ruff: noqa
# mypy: ignore-errors
# fmt: off
# The guide's Python sample for DescribeProjectVersions (Amazon Rekognition Custom Labels developer guide,
# /work/shared/spec/000_80d1b37cad120817.txt, L13881-L14013), run unmodified by
# tests/e2e/test_guide_samples.py as the guide says:
#     python describe_model.py <project_arn> <version_name>
# Below the marker line stands the guide's code byte for byte, but for the repairs listed here:
# damage that extracting the guide from its PDF did to the code (page breaks inside the code
# block, lines wrapped at the page margin, indentation lost). The test re-applies these
# repairs to the guide's lines and compares, so that nobody edits the sample silently.
# repair: join L13911 -- a statement wrapped at the margin after its '='
# repair: drop L13912-L13914 -- a page break closed and reopened the code block
# repair: shift +4 L13916-L13921 -- indentation lost at that page break (the loop over the models)
# repair: join L13922 -- an f-string wrapped at the margin
# repair: join-tight L13929 -- an f-string wrapped at the margin
# repair: shift -4 L13931-L13933 -- the extraction indented each 'if' after a wrapped line one level deeper than the last (a staircase whose 'except' no longer matched its 'try'); the checks are siblings in the loop
# repair: join-tight L13934 -- an f-string wrapped at the margin
# repair: shift -8 L13935-L13937 -- the same staircase
# repair: join-tight L13938 -- an f-string wrapped at the margin
# repair: shift -12 L13939-L13941 -- the same staircase
# repair: join L13942 -- an f-string wrapped at the margin
# repair: shift -16 L13943-L13945 -- the same staircase
# repair: join L13946 -- an f-string wrapped at the margin
# repair: shift -20 L13948-L13949 -- the same staircase
# repair: shift -8 L13951-L13954 -- the same staircase ('except' back under its 'try')
# repair: drop L13957-L13959 -- a page break closed and reopened the code block
# repair: shift +4 L13960-L13971 -- indentation lost at that page break (the body of add_arguments)
# repair: join L13970 -- a string wrapped at the margin
# repair: join L13987 -- an f-string wrapped at the margin
# repair: join L13998 -- an f-string wrapped at the margin
# repair: drop L14003-L14005 -- a page break closed and reopened the code block
# ---- guide L13881-L14013 ----
# Copyright Amazon.com, Inc. or its affiliates. All Rights Reserved.
# SPDX-License-Identifier: Apache-2.0

"""
Purpose
Shows how to describe an Amazon Rekognition Custom Labels model.
"""
import argparse
import logging
import boto3

from botocore.exceptions import ClientError

logger = logging.getLogger(__name__)

def describe_model(rek_client, project_arn, version_name):
    """
    Describes an Amazon Rekognition Custom Labels model.
    :param rek_client: The Amazon Rekognition Custom Labels Boto3 client.
    :param project_arn: The ARN of the project that contains the model.
    :param version_name: The version name of the model that you want to
    describe.
    """

    try:
        # Describe the model
        logger.info("Describing model: %s for project %s",
                    version_name, project_arn)

        describe_response = rek_client.describe_project_versions(ProjectArn=project_arn,
VersionNames=[version_name])
        for model in describe_response['ProjectVersionDescriptions']:
            print(f"Created: {str(model['CreationTimestamp'])} ")
            print(f"ARN: {str(model['ProjectVersionArn'])} ")
            if 'BillableTrainingTimeInSeconds' in model:
                print(
                    f"Billing training time (minutes): {str(model['BillableTrainingTimeInSeconds']/60)} ")
            print("Evaluation results: ")
            if 'EvaluationResult' in model:
                evaluation_results = model['EvaluationResult']
                print(f"\tF1 score: {str(evaluation_results['F1Score'])}")
                print(
                    f"\tSummary location: s3://{evaluation_results['Summary']['S3Object']['Bucket']}/{evaluation_results['Summary']['S3Object']['Name']}")

            if 'ManifestSummary' in model:
                print(
                    f"Manifest summary location: s3://{model['ManifestSummary']['S3Object']['Bucket']}/{model['ManifestSummary']['S3Object']['Name']}")
            if 'OutputConfig' in model:
                print(
                    f"Training output location: s3://{model['OutputConfig']['S3Bucket']}/{model['OutputConfig']['S3KeyPrefix']}")
            if 'MinInferenceUnits' in model:
                print(
                    f"Minimum inference units: {str(model['MinInferenceUnits'])}")
            if 'MaxInferenceUnits' in model:
                print(
                    f"Maximum Inference units: {str(model['MaxInferenceUnits'])}")

            print("Status: " + model['Status'])
            print("Message: " + model['StatusMessage'])

    except ClientError as err:
        logger.exception(
            "Couldn't describe model: %s", err.response['Error']['Message'])
        raise

def add_arguments(parser):
    """
    Adds command line arguments to the parser.
    :param parser: The command line parser.
    """

    parser.add_argument(
        "project_arn", help="The ARN of the project in which the model resides."
    )
    parser.add_argument(
        "version_name", help="The version of the model that you want to describe."
    )

def main():

    logging.basicConfig(level=logging.INFO,
                        format="%(levelname)s: %(message)s")

    try:

        # Get command line arguments.
        parser = argparse.ArgumentParser(usage=argparse.SUPPRESS)
        add_arguments(parser)
        args = parser.parse_args()

        print(
            f"Describing model: {args.version_name} for project {args.project_arn}.")

        # Describe the model.
        session = boto3.Session(profile_name='custom-labels-access')
        rekognition_client = session.client("rekognition")

        describe_model(rekognition_client, args.project_arn,
                       args.version_name)

        print(
            f"Finished describing model: {args.version_name} for project {args.project_arn}.")

    except ClientError as err:
        error_message = f"Problem describing model: {err}"
        logger.exception(error_message)
        print(error_message)
    except Exception as err:
        error_message = f"Problem describing model: {err}"
        logger.exception(error_message)
        print(error_message)

if __name__ == "__main__":
    main()
