# ruff: noqa
# mypy: ignore-errors
# fmt: off
# The guide's Python sample for DeleteProject (Amazon Rekognition Custom Labels developer guide,
# /work/shared/spec/000_80d1b37cad120817.txt, L10095-L10221), run unmodified by
# tests/e2e/test_guide_samples.py as the guide says:
#     python delete_project.py <project_arn>
# Below the marker line stands the guide's code byte for byte, but for the repairs listed here:
# damage that extracting the guide from its PDF did to the code (page breaks inside the code
# block, lines wrapped at the page margin, indentation lost). The test re-applies these
# repairs to the guide's lines and compares, so that nobody edits the sample silently.
# repair: drop L10123-L10125 -- a page break closed and reopened the code block
# repair: shift +4 L10126-L10129 -- indentation lost at that page break (the rest of find_forward_slash)
# repair: drop L10169-L10171 -- a page break closed and reopened the code block
# repair: drop L10212-L10214 -- a page break closed and reopened the code block
# repair: shift +4 L10215-L10218 -- indentation lost at that page break (main's except clause)
# ---- guide L10095-L10221 ----
# Copyright Amazon.com, Inc. or its affiliates. All Rights Reserved.  
# SPDX-License-Identifier: Apache-2.0  
  
"""  
Purpose  
Amazon Rekognition Custom Labels project example used in the service  
documentation:  
https://docs.aws.amazon.com/rekognition/latest/customlabels-dg/mp-delete-project.html  
Shows how to delete an existing Amazon Rekognition Custom Labels project.  
You must first delete any models and datasets that belong to the project.  
"""  
  
import argparse  
import logging  
import time  
import boto3  
  
from botocore.exceptions import ClientError  
  
logger = logging.getLogger(__name__)  
  
def find_forward_slash(input_string, n):  
    """  
    Returns the location of '/' after n number of occurrences.  
    :param input_string: The string you want to search  
    : n: the occurrence that you want to find.  
    """  
    position = input_string.find('/')
    while position >= 0 and n > 1:
        position = input_string.find('/', position + 1)
        n -= 1
    return position

def delete_project(rek_client, project_arn):
    """
    Deletes an Amazon Rekognition Custom Labels project.
    :param rek_client: The Amazon Rekognition Custom Labels Boto3 client.
    :param project_arn: The ARN of the project that you want to delete.
    """

    try:
        # Delete the project
        logger.info("Deleting project: %s", project_arn)

        response = rek_client.delete_project(ProjectArn=project_arn)

        logger.info("project status: %s", response['Status'])

        deleted = False

        logger.info("waiting for project deletion: %s", project_arn)

        # Get the project name
        start = find_forward_slash(project_arn, 1) + 1
        end = find_forward_slash(project_arn, 2)
        project_name = project_arn[start:end]

        project_names = [project_name]

        while deleted is False:

            project_descriptions = rek_client.describe_projects(
                ProjectNames=project_names)['ProjectDescriptions']

            if len(project_descriptions) == 0:
                deleted = True

            else:
                time.sleep(5)

        logger.info("project deleted: %s", project_arn)
        return True

    except ClientError as err:
        logger.exception(
            "Couldn't delete project - %s: %s",
            project_arn, err.response['Error']['Message'])
        raise

def add_arguments(parser):
    """
    Adds command line arguments to the parser.
    :param parser: The command line parser.
    """

    parser.add_argument(
        "project_arn", help="The ARN of the project that you want to delete."
    )

def main():

    logging.basicConfig(level=logging.INFO,
                        format="%(levelname)s: %(message)s")

    try:

        # get command line arguments
        parser = argparse.ArgumentParser(usage=argparse.SUPPRESS)
        add_arguments(parser)
        args = parser.parse_args()

        print(f"Deleting project: {args.project_arn}")

        # Delete the project.
        session = boto3.Session(profile_name='custom-labels-access')
        rekognition_client = session.client("rekognition")

        delete_project(rekognition_client,
                       args.project_arn)

        print(f"Finished deleting project: {args.project_arn}")
    except ClientError as err:
        error_message = f"Problem deleting project: {err}"
        logger.exception(error_message)
        print(error_message)

if __name__ == "__main__":
    main()
