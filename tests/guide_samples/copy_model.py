# ruff: noqa
# mypy: ignore-errors
# fmt: off
# The guide's Python sample for CopyProjectVersion (Amazon Rekognition Custom Labels developer guide,
# /work/shared/spec/000_80d1b37cad120817.txt, L14706-L14866), run unmodified by
# tests/e2e/test_guide_samples.py as the guide says:
#     python copy_model.py <source_project_arn> <source_project_version_arn> <destination_project_arn> <destination_version_name> <training_results>
# Below the marker line stands the guide's code byte for byte, but for the repairs listed here:
# damage that extracting the guide from its PDF did to the code (page breaks inside the code
# block, lines wrapped at the page margin, indentation lost). The test re-applies these
# repairs to the guide's lines and compares, so that nobody edits the sample silently.
# repair: drop L14744-L14746 -- a page break closed and reopened the code block
# repair: shift +4 L14748-L14787 -- indentation lost at that page break (the rest of copy_model's try block)
# repair: join L14768 -- a statement wrapped at the margin after its '='
# repair: join-tight L14771 -- a subscript wrapped at the margin (outside brackets: its own statement)
# repair: drop L14791-L14793 -- a page break closed and reopened the code block
# repair: drop L14834-L14836 -- a page break closed and reopened the code block
# repair: shift +8 L14837-L14860 -- indentation lost at that page break (main's try block)
# repair: join L14844 -- an f-string wrapped at the margin
# repair: shift +4 L14862-L14863 -- indentation lost at that page break (main's except clause)
# ---- guide L14706-L14866 ----
# Copyright Amazon.com, Inc. or its affiliates. All Rights Reserved.
# SPDX-License-Identifier: Apache-2.0

import argparse
import logging
import time
import boto3
from botocore.exceptions import ClientError

logger = logging.getLogger(__name__)

def copy_model(
    rekognition_client, source_project_arn, source_project_version_arn,
    destination_project_arn, training_results, destination_version_name):
    """
    Copies a version of a Amazon Rekognition Custom Labels model.

    :param rekognition_client: A Boto3 Amazon Rekognition Custom Labels client.
    :param source_project_arn: The ARN of the source project that contains the
    model that you want to copy.
    :param source_project_version_arn: The ARN of the model version that you
    want
    to copy.
    :param destination_project_arn: The ARN of the project that you want to copy
    the model
    to.
    :param training_results: The Amazon S3 location where training results for
    the model
    should be stored.
    return: The model status and version.
    """
    try:
        logger.info("Copying model...%s from %s to %s ",
source_project_version_arn,
                    source_project_arn,
                    destination_project_arn)

        output_bucket, output_folder = training_results.replace(
        "s3://", "").split("/", 1)
        output_config = {"S3Bucket": output_bucket,
                        "S3KeyPrefix": output_folder}

        response = rekognition_client.copy_project_version(
            DestinationProjectArn=destination_project_arn,
            OutputConfig=output_config,
            SourceProjectArn=source_project_arn,
            SourceProjectVersionArn=source_project_version_arn,
            VersionName=destination_version_name
        )

        destination_model_arn = response["ProjectVersionArn"]

        logger.info("Destination model ARN: %s", destination_model_arn)

        # Wait until training completes.
        finished = False
        status = "UNKNOWN"
        while finished is False:
            model_description = rekognition_client.describe_project_versions(ProjectArn=destination_project_arn,
            VersionNames=[destination_version_name])
            status = model_description["ProjectVersionDescriptions"][0]["Status"]

            if status == "COPYING_IN_PROGRESS":
                logger.info("Model copying in progress...")
                time.sleep(60)
                continue

            if status == "COPYING_COMPLETED":
                logger.info("Model was successfully copied.")

            if status == "COPYING_FAILED":
                logger.info(
                    "Model copy failed: %s ",
                    model_description["ProjectVersionDescriptions"][0]
    ["StatusMessage"])

            finished = True
    except ClientError:
        logger.exception("Couldn't copy model.")
        raise
    else:
        return destination_model_arn, status

def add_arguments(parser):
    """
    Adds command line arguments to the parser.
    :param parser: The command line parser.
    """

    parser.add_argument(
        "source_project_arn",
        help="The ARN of the project that contains the model that you want to copy."
    )

    parser.add_argument(
        "source_project_version_arn",
        help="The ARN of the model version that you want to copy."
    )

    parser.add_argument(
        "destination_project_arn",
        help="The ARN of the project which receives the copied model."
    )

    parser.add_argument(
        "destination_version_name",
        help="The version name for the model in the destination project."
    )

    parser.add_argument(
        "training_results",
        help="The S3 location in the destination account that receives the training results for the copied model."
    )

def main():

    logging.basicConfig(level=logging.INFO,
                        format="%(levelname)s: %(message)s")

    try:
        # get command line arguments
        parser = argparse.ArgumentParser(usage=argparse.SUPPRESS)
        add_arguments(parser)
        args = parser.parse_args()

        print(
            f"Copying model version {args.source_project_version_arn} to project {args.destination_project_arn}")

        session = boto3.Session(profile_name='custom-labels-access')
        rekognition_client = session.client("rekognition")

        # Copy the model.

        model_arn, status = copy_model(rekognition_client,
                                       args.source_project_arn,
                                       args.source_project_version_arn,
                                       args.destination_project_arn,
                                       args.training_results,
                                       args.destination_version_name,
                                       )

        print(f"Finished copying model: {model_arn}")
        print(f"Status: {status}")

    except ClientError as err:
        print(f"Problem copying model: {err}")

if __name__ == "__main__":
    main()
