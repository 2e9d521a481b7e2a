"""Template assertions for the training pipeline and its compute, for both targets (no AWS needed)."""

from __future__ import annotations

import json
from typing import Any

import aws_cdk as cdk
import pytest
from aws_cdk.assertions import Match, Template

from infra.stack import CustomLabelsStack
from infra.target import Deployment
from infra.training_compute import BatchTrainingOptions
from tests.infra.test_stack import REPO_ROOT

AWS_CONTEXT = {"target": "aws", "train_instance_types": "g5.2xlarge,g4dn.2xlarge", "train_spot": "true"}


def synthesize(context: dict[str, Any]) -> Template:
    app = cdk.App(context=context)
    stack = CustomLabelsStack(
        app,
        "CustomLabels",
        deployment=Deployment.for_target(context["target"]),
        repo_root=REPO_ROOT,
        training_options=BatchTrainingOptions.from_context(app.node.try_get_context),
    )
    return Template.from_stack(stack)


@pytest.fixture(scope="module")
def local_template() -> Template:
    return synthesize({"target": "local"})


@pytest.fixture(scope="module")
def aws_template() -> Template:
    return synthesize(AWS_CONTEXT)


@pytest.fixture(scope="module", params=["local", "aws"])
def template(request: pytest.FixtureRequest, local_template: Template, aws_template: Template) -> Template:
    return local_template if request.param == "local" else aws_template


def training_machine(template: Template) -> tuple[dict[str, Any], dict[str, Any]]:
    """The training state machine's resource properties and its definition (tokens as "TOKEN")."""
    machines = template.find_resources("AWS::StepFunctions::StateMachine")
    (machine,) = [m for m in machines.values() if "ValidateManifests" in json.dumps(m)]
    parts = machine["Properties"]["DefinitionString"]["Fn::Join"][1]
    definition = json.loads("".join(part if isinstance(part, str) else "TOKEN" for part in parts))
    return machine["Properties"], definition


def test_the_pipeline_reads_like_the_process(template: Template) -> None:
    _, definition = training_machine(template)
    states = definition["States"]
    assert definition["StartAt"] == "ValidateManifests"
    assert states["ValidateManifests"]["Next"] == "TrainModel"
    assert states["TrainModel"]["Next"] == "FinalizeVersion"
    assert states["FinalizeVersion"]["Next"] == "TrainingCompleted"
    assert states["TrainingCompleted"] == {"Type": "Succeed"}
    assert set(states) == {
        "ValidateManifests",
        "TrainModel",
        "FinalizeVersion",
        "TrainingCompleted",
        "RecordFailure",
        "TrainingFailed",
    }


def test_every_failure_is_recorded_before_the_execution_fails(template: Template) -> None:
    _, definition = training_machine(template)
    states = definition["States"]
    for name in ("ValidateManifests", "TrainModel", "FinalizeVersion"):
        assert states[name]["Catch"] == [
            {"ErrorEquals": ["States.ALL"], "ResultPath": "$.Failure", "Next": "RecordFailure"}
        ], name
        assert states[name]["ResultPath"].startswith("$."), name
    record = states["RecordFailure"]
    assert record["Next"] == "TrainingFailed"
    assert record["Parameters"] == {
        "ProjectVersionArn.$": "$.ProjectVersionArn",
        "Failure.$": "$.Failure",
    }
    assert record["Catch"][0]["Next"] == "TrainingFailed"
    assert record["Catch"][0]["ResultPath"] != "$.Failure"  # the original error is kept
    assert states["TrainingFailed"] == {
        "Type": "Fail",
        "ErrorPath": "$.Failure.Error",
        "CausePath": "$.Failure.Cause",
    }


def test_recording_steps_retry_lost_races_and_lambdas_own_errors(template: Template) -> None:
    _, definition = training_machine(template)
    states = definition["States"]
    for name in ("ValidateManifests", "FinalizeVersion", "RecordFailure"):
        retried = [rule["ErrorEquals"] for rule in states[name]["Retry"]]
        assert ["WriteConflict"] in retried, name
        assert any("Lambda.ServiceException" in errors for errors in retried), name
    assert states["RecordFailure"]["Retry"][-1]["ErrorEquals"] == ["States.ALL"]


def test_the_execution_outlasts_every_step(template: Template) -> None:
    properties, definition = training_machine(template)
    train = definition["States"]["TrainModel"]
    steps = [
        function["Properties"]["Timeout"]
        for name, function in template.find_resources("AWS::Lambda::Function").items()
        if name.startswith(("TrainingValidate", "TrainingFinalize", "TrainingRecordFailure"))
    ]
    assert len(steps) == 3 and max(steps) <= 900
    train_timeout = train.get("TimeoutSeconds", 900)
    assert properties["DefinitionString"]["Fn::Join"]  # synthesized
    assert definition.get("TimeoutSeconds", 0) > train_timeout + 3 * max(steps)


def test_local_trains_in_a_lambda_step_that_is_never_retried_after_it_ran(local_template: Template) -> None:
    _, definition = training_machine(local_template)
    train = definition["States"]["TrainModel"]
    # the function's ARN: payload_response_only invokes it directly
    assert train["Resource"] == "TOKEN"
    assert [rule["ErrorEquals"] for rule in train["Retry"]] == [["Lambda.TooManyRequestsException"]]
    assert train["Parameters"] == {"ProjectVersionArn.$": "$.ProjectVersionArn"}
    local_template.has_resource_properties(
        "AWS::Lambda::Function",
        {
            "Handler": "functions.training.handler.train_model",
            "Timeout": 900,
            "Environment": {"Variables": Match.object_like({"OMP_WAIT_POLICY": "PASSIVE"})},
        },
    )
    local_template.resource_count_is("AWS::Batch::JobQueue", 0)


def test_aws_trains_on_a_batch_gpu_queue_with_sync(aws_template: Template) -> None:
    _, definition = training_machine(aws_template)
    train = definition["States"]["TrainModel"]
    assert "batch:submitJob.sync" in json.dumps(train)
    assert train["Parameters"]["Parameters"] == {"projectVersionArn.$": "$.ProjectVersionArn"}
    assert "Timeout" not in train["Parameters"]  # each attempt keeps the job definition's timeout
    assert definition["TimeoutSeconds"] > 3 * 24 * 3600  # three attempts of a day each, and the queue
    assert train["ResultPath"] == "$.Training"
    assert "Retry" not in train  # Batch retries its own attempts (spot reclaim)
    handlers = [
        function["Properties"].get("ImageConfig", {}).get("Command", [""])[0]
        for function in aws_template.find_resources("AWS::Lambda::Function").values()
    ]
    assert "functions.training.handler.train_model" not in handlers
    assert "functions.training.handler.validate_manifests" in handlers


def test_the_gpu_fleet_scales_to_zero_and_takes_its_instances_and_spot_from_context(
    aws_template: Template,
) -> None:
    aws_template.has_resource_properties(
        "AWS::Batch::ComputeEnvironment",
        {
            "Type": "managed",
            "ComputeResources": Match.object_like(
                {
                    "MinvCpus": 0,
                    "MaxvCpus": 16,
                    "Type": "SPOT",
                    "InstanceTypes": ["g5.2xlarge", "g4dn.2xlarge"],
                    "Ec2Configuration": [Match.object_like({"ImageType": "ECS_AL2023_NVIDIA"})],
                }
            ),
        },
    )
    aws_template.has_resource_properties(
        "AWS::Batch::JobDefinition",
        {
            "ContainerProperties": Match.object_like(
                {
                    "Command": [
                        "python",
                        "-m",
                        "customlabels.training.worker",
                        "--project-version-arn",
                        "Ref::projectVersionArn",
                    ],
                    "ResourceRequirements": Match.array_with([{"Type": "GPU", "Value": "1"}]),
                    "LinuxParameters": Match.object_like({"SharedMemorySize": 4096}),
                    "Environment": Match.array_with(
                        [{"Name": "CUSTOMLABELS_TRAINING_TIME_BUDGET_S", "Value": str(24 * 3600 - 8640)}]
                    ),
                }
            ),
            "Timeout": {"AttemptDurationSeconds": 24 * 3600},
            "RetryStrategy": Match.object_like(
                {
                    "Attempts": 3,
                    "EvaluateOnExit": Match.array_with(
                        [Match.object_like({"Action": "RETRY", "OnStatusReason": "Host EC2*"})]
                    ),
                }
            ),
        },
    )


def test_a_job_that_cannot_start_is_cancelled(aws_template: Template) -> None:
    (queue,) = aws_template.find_resources("AWS::Batch::JobQueue").values()
    limits = {item["Reason"]: item for item in queue["Properties"]["JobStateTimeLimitActions"]}
    assert set(limits) == {
        "MISCONFIGURATION:JOB_RESOURCE_REQUIREMENT",
        "CAPACITY:INSUFFICIENT_INSTANCE_CAPACITY",
        "MISCONFIGURATION:COMPUTE_ENVIRONMENT_MAX_RESOURCE",
    }
    assert all(item["Action"] == "CANCEL" and item["State"] == "RUNNABLE" for item in limits.values())


def test_on_demand_by_default() -> None:
    template = synthesize({"target": "aws"})
    template.has_resource_properties(
        "AWS::Batch::ComputeEnvironment",
        {
            "ComputeResources": Match.object_like(
                {"Type": "EC2", "InstanceTypes": ["g5.xlarge", "g4dn.xlarge"]}
            )
        },
    )


def test_the_api_starts_training(template: Template) -> None:
    functions = template.find_resources("AWS::Lambda::Function")
    (api,) = [f for name, f in functions.items() if name.startswith("ApiFunction")]
    variables = api["Properties"]["Environment"]["Variables"]
    assert "CUSTOMLABELS_TRAINING_PIPELINE_ARN" in variables
    template.has_resource_properties(
        "AWS::IAM::Policy",
        {
            "PolicyDocument": {
                "Statement": Match.array_with(
                    [
                        Match.object_like(
                            {
                                "Action": "states:StartExecution",
                                "Resource": variables["CUSTOMLABELS_TRAINING_PIPELINE_ARN"],
                            }
                        )
                    ]
                )
            }
        },
    )


def test_kms_keys_are_used_only_through_s3(template: Template) -> None:
    template.has_resource_properties(
        "AWS::IAM::Policy",
        {
            "PolicyDocument": {
                "Statement": Match.array_with(
                    [
                        Match.object_like(
                            {
                                "Action": ["kms:GenerateDataKey", "kms:Decrypt", "kms:DescribeKey"],
                                "Resource": "*",
                                "Condition": {"StringEquals": {"kms:ViaService": Match.any_value()}},
                            }
                        )
                    ]
                )
            }
        },
    )


@pytest.mark.parametrize(
    ("context", "expected"),
    [
        ({}, BatchTrainingOptions()),
        (
            {"train_instance_types": "g5.xlarge, p3.2xlarge", "train_spot": "true", "train_max_vcpus": "32"},
            BatchTrainingOptions(instance_types=("g5.xlarge", "p3.2xlarge"), spot=True, max_vcpus=32),
        ),
        (
            {"train_spot": False, "train_timeout_hours": "2"},
            BatchTrainingOptions(spot=False, timeout_hours=2.0),
        ),
    ],
)
def test_training_options_from_context(context: dict[str, Any], expected: BatchTrainingOptions) -> None:
    assert BatchTrainingOptions.from_context(context.get) == expected


@pytest.mark.parametrize(
    "context", [{"train_spot": "maybe"}, {"train_max_vcpus": "0"}, {"train_timeout_hours": "0.1"}]
)
def test_bad_training_options_are_refused(context: dict[str, Any]) -> None:
    with pytest.raises(ValueError, match="train_"):
        BatchTrainingOptions.from_context(context.get)
