# ruff: noqa
# mypy: ignore-errors
# fmt: off
# The guide's Python sample for CreateProject (Amazon Rekognition Custom Labels developer guide,
# /work/shared/spec/000_80d1b37cad120817.txt, L1861-L1935), run unmodified by
# tests/e2e/test_guide_samples.py as the guide says:
#     python create_project.py <project_name>
# Below the marker line stands the guide's code byte for byte, but for the repairs listed here:
# damage that extracting the guide from its PDF did to the code (page breaks inside the code
# block, lines wrapped at the page margin, indentation lost). The test re-applies these
# repairs to the guide's lines and compares, so that nobody edits the sample silently.
# repair: drop L1896-L1898 -- a page break closed and reopened the code block
# repair: shift +4 L1899-L1905 -- indentation lost at that page break (the body of add_arguments)
# ---- guide L1861-L1935 ----
# Copyright Amazon.com, Inc. or its affiliates. All Rights Reserved.
# SPDX-License-Identifier: Apache-2.0

import argparse
import logging
import boto3

from botocore.exceptions import ClientError

logger = logging.getLogger(__name__)

def create_project(rek_client, project_name):
    """
    Creates an Amazon Rekognition Custom Labels project
    :param rek_client: The Amazon Rekognition Custom Labels Boto3 client.
    :param project_name: A name for the new prooject.
    """

    try:
        #Create the project.
        logger.info("Creating project: %s",project_name)

        response=rek_client.create_project(ProjectName=project_name)

        logger.info("project ARN: %s",response['ProjectArn'])

        return response['ProjectArn']

    except ClientError as err:
        logger.exception("Couldn't create project - %s: %s", project_name,
            err.response['Error']['Message'])
        raise

def add_arguments(parser):
    """
    Adds command line arguments to the parser.
    :param parser: The command line parser.
    """

    parser.add_argument(
        "project_name", help="A name for the new project."
    )

def main():

    logging.basicConfig(level=logging.INFO, format="%(levelname)s: %(message)s")

    try:

        # Get command line arguments.
        parser = argparse.ArgumentParser(usage=argparse.SUPPRESS)
        add_arguments(parser)
        args = parser.parse_args()

        print(f"Creating project: {args.project_name}")

        # Create the project.
        session = boto3.Session(profile_name='custom-labels-access')
        rekognition_client = session.client("rekognition")

        project_arn=create_project(rekognition_client,
            args.project_name)

        print(f"Finished creating project: {args.project_name}")
        print(f"ARN: {project_arn}")

    except ClientError as err:
        logger.exception("Problem creating project: %s", err)
        print(f"Problem creating project: {err}")

if __name__ == "__main__":
    main()
