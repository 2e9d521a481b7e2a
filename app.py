#!/usr/bin/env python3
"""The customlabels CDK app: ``cdk deploy`` (AWS) or ``cdklocal deploy -c target=local``."""

from __future__ import annotations

from pathlib import Path

import aws_cdk as cdk

from infra.stack import CustomLabelsStack
from infra.target import Deployment
from infra.training_compute import BatchTrainingOptions

REPO_ROOT = Path(__file__).resolve().parent

app = cdk.App()
deployment = Deployment.for_target(app.node.try_get_context("target") or "aws")
CustomLabelsStack(
    app,
    app.node.try_get_context("stack_name") or "CustomLabels",
    deployment=deployment,
    repo_root=REPO_ROOT,
    # target=aws: the GPU fleet, e.g. -c train_instance_types=g5.xlarge,g4dn.xlarge -c train_spot=true
    training_options=BatchTrainingOptions.from_context(app.node.try_get_context),
    description="customlabels: self-hosted Amazon Rekognition Custom Labels",
)
app.synth()
