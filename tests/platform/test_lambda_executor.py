"""Lambda functions on LocalStack, run by the host-process executor: what a handler gets and what
a caller sees back, compared with what the AWS Python runtime does."""

from __future__ import annotations

import base64
import contextlib
import re
import time
import uuid
from pathlib import Path
from typing import Any

import pytest
from botocore.exceptions import ClientError

from tests.platform.support import (
    ACCOUNT_ID,
    LAMBDA_ROLE,
    REGION,
    ClientFactory,
    FunctionDeployer,
    invoke,
    process_alive,
    wait_for,
    zip_files,
)
from tools.localstack import launcher

pytestmark = pytest.mark.platform


def test_invoke_returns_the_handler_result(deploy_function: FunctionDeployer, lambda_client: Any) -> None:
    function = deploy_function("echo")

    response, payload = invoke(lambda_client, function["FunctionName"], {"colour": "red", "n": [1, 2]})

    assert response["StatusCode"] == 200
    assert "FunctionError" not in response
    assert payload == {"event": {"colour": "red", "n": [1, 2]}}


def test_the_function_configuration_reaches_the_handler_environment(
    deploy_function: FunctionDeployer, lambda_client: Any, localstack_url: str
) -> None:
    function = deploy_function("environment", memory_size=256, timeout=10, environment={"GREETING": "hello"})

    _, seen = invoke(lambda_client, function["FunctionName"], {})

    variables = seen["variables"]
    assert variables["GREETING"] == "hello"
    assert variables["AWS_LAMBDA_FUNCTION_NAME"] == function["FunctionName"]
    assert variables["AWS_LAMBDA_FUNCTION_MEMORY_SIZE"] == "256"
    assert variables["AWS_LAMBDA_FUNCTION_TIMEOUT"] == "10"
    assert variables["AWS_LAMBDA_FUNCTION_VERSION"] == "$LATEST"
    assert variables["AWS_REGION"] == variables["AWS_DEFAULT_REGION"] == REGION
    assert variables["AWS_ENDPOINT_URL"] == localstack_url
    assert variables["AWS_ACCESS_KEY_ID"]
    assert variables["_HANDLER"] == "lambda_probes.environment"
    assert (Path(variables["LAMBDA_TASK_ROOT"]) / "lambda_probes.py").is_file()
    assert seen["cwd"] == variables["LAMBDA_TASK_ROOT"]
    # The interpreter the launcher chose (the project's venv) runs it, and boto3 in it reaches LocalStack.
    assert seen["python"] == launcher.status(launcher.default_port()).lambda_python
    assert seen["account"] == ACCOUNT_ID


def test_the_handler_gets_a_lambda_context(deploy_function: FunctionDeployer, lambda_client: Any) -> None:
    function = deploy_function("context_attributes", memory_size=192, timeout=5)
    name = function["FunctionName"]

    _, context = invoke(lambda_client, name, {})

    assert context["function_name"] == name
    assert context["function_version"] == "$LATEST"
    assert context["invoked_function_arn"] == function["FunctionArn"]
    assert context["memory_limit_in_mb"] == "192"  # a string, as the AWS runtime gives it
    assert re.fullmatch(r"[0-9a-f-]{36}", context["aws_request_id"])
    assert context["log_group_name"] == f"/aws/lambda/{name}"
    assert re.fullmatch(r"\d{4}/\d\d/\d\d/\[\$LATEST\][0-9a-f]{32}", context["log_stream_name"])
    assert 4000 < context["remaining_ms"] <= 5000


def test_a_raising_handler_is_an_unhandled_function_error(
    deploy_function: FunctionDeployer, lambda_client: Any
) -> None:
    function = deploy_function("fail")

    response, error = invoke(lambda_client, function["FunctionName"], {"message": "no labels in manifest"})

    assert response["FunctionError"] == "Unhandled"
    assert error["errorType"] == "ValueError"
    assert error["errorMessage"] == "no labels in manifest"
    assert len(error["stackTrace"]) == 1  # the handler's frame only, not the runtime's
    assert 'lambda_probes.py", line' in error["stackTrace"][0]
    assert "raise ValueError" in error["stackTrace"][0]


def test_a_missing_handler_module_is_reported_like_aws(
    lambda_client: Any, deploy_function: FunctionDeployer
) -> None:
    function = deploy_function("echo")
    name = function["FunctionName"]
    lambda_client.update_function_configuration(FunctionName=name, Handler="no_such_module.handler")
    wait_for(
        lambda: (
            lambda_client.get_function_configuration(FunctionName=name)["LastUpdateStatus"] == "Successful"
        ),
        timeout=30,
    )

    response, error = invoke(lambda_client, name, {})

    assert response["FunctionError"] == "Unhandled"
    assert error["errorType"] == "Runtime.ImportModuleError"
    assert (
        error["errorMessage"] == "Unable to import module 'no_such_module': No module named 'no_such_module'"
    )


def test_layers_are_on_the_handler_path(deploy_function: FunctionDeployer, lambda_client: Any) -> None:
    layer = lambda_client.publish_layer_version(
        LayerName=f"probe-layer-{uuid.uuid4().hex[:8]}",
        Content={"ZipFile": zip_files({"python/probe_layer.py": b"VALUE = 'from the layer'\n"})},
        CompatibleRuntimes=["python3.12"],
    )
    function = deploy_function("layer_value", layers=[layer["LayerVersionArn"]])

    _, value = invoke(lambda_client, function["FunctionName"], {})

    assert value == "from the layer"


def test_a_function_this_executor_cannot_run_fails_at_creation(lambda_client: Any) -> None:
    name = f"probe-node-{uuid.uuid4().hex[:8]}"
    lambda_client.create_function(
        FunctionName=name,
        Runtime="nodejs20.x",
        Role=LAMBDA_ROLE,
        Handler="index.handler",
        Code={"ZipFile": zip_files({"index.js": b"exports.handler = async () => 1;\n"})},
    )

    def settled() -> dict[str, Any] | None:
        configuration: dict[str, Any] = lambda_client.get_function_configuration(FunctionName=name)
        return None if configuration["State"] == "Pending" else configuration

    try:
        configuration = wait_for(settled, timeout=30)
        assert configuration["State"] == "Failed"
        assert "runs Python functions only, not nodejs20.x" in configuration["StateReason"]
    finally:
        # LocalStack 4.14 cannot delete a function whose version failed to start ("Unable to find
        # version manager"); it goes with the instance.
        with contextlib.suppress(ClientError):
            lambda_client.delete_function(FunctionName=name)


def test_a_handler_past_its_timeout_is_stopped_and_the_next_invoke_works(
    deploy_function: FunctionDeployer, lambda_client: Any, tmp_path: Path
) -> None:
    function = deploy_function("sleep", timeout=3)
    name = function["FunctionName"]
    pid_file = tmp_path / "pid"

    began = time.monotonic()
    response, error = invoke(lambda_client, name, {"seconds": 60, "pid_file": str(pid_file)}, LogType="Tail")
    elapsed = time.monotonic() - began

    assert response["FunctionError"] == "Unhandled"
    assert re.fullmatch(
        r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ [0-9a-f-]{36} Task timed out after 3\.00 seconds",
        error["errorMessage"],
    )
    assert 3.0 <= elapsed < 6.0
    assert not process_alive(int(pid_file.read_text()))
    logs = base64.b64decode(response["LogResult"]).decode()
    assert "sleeping 60 s" in logs
    assert "Task timed out after 3.00 seconds" in logs

    response, result = invoke(lambda_client, name, {"seconds": 0})
    assert "FunctionError" not in response
    assert result["slept"] == 0


def test_a_handler_that_exits_is_a_runtime_exit_error_and_the_next_invoke_works(
    deploy_function: FunctionDeployer, lambda_client: Any
) -> None:
    function = deploy_function("exit_process")
    name = function["FunctionName"]

    response, error = invoke(lambda_client, name, {"code": 3})

    assert response["FunctionError"] == "Unhandled"
    assert error["errorType"] == "Runtime.ExitError"
    assert error["errorMessage"].endswith("Error: Runtime exited with error: exit status 3")
    response, _ = invoke(lambda_client, name, {"code": 4})
    assert response["FunctionError"] == "Unhandled"  # a fresh process ran (and exited) again


def test_print_and_logging_output_reaches_cloudwatch_logs(
    deploy_function: FunctionDeployer, lambda_client: Any, localstack_client: ClientFactory
) -> None:
    function = deploy_function("write_logs")
    name = function["FunctionName"]
    marker = uuid.uuid4().hex

    response, _ = invoke(lambda_client, name, {"marker": marker}, LogType="Tail")

    tail = base64.b64decode(response["LogResult"]).decode()
    request_id = re.search(r"START RequestId: (\S+) Version: \$LATEST", tail)
    assert request_id, tail
    assert f"print {marker}" in tail
    assert f"stderr {marker}" in tail
    assert re.search(rf"\[WARNING\]\t\S+Z\t{request_id[1]}\tlogging {marker}", tail)
    assert f"END RequestId: {request_id[1]}" in tail
    assert f"REPORT RequestId: {request_id[1]}\tDuration: " in tail

    logs = localstack_client("logs")

    def logged_messages() -> list[str]:
        try:
            events = logs.filter_log_events(logGroupName=f"/aws/lambda/{name}")["events"]
        except logs.exceptions.ResourceNotFoundException:
            return []
        messages = [event["message"] for event in events]
        return messages if any(f"logging {marker}" in message for message in messages) else []

    messages = wait_for(logged_messages, timeout=10)
    assert any(message.startswith(f"print {marker}") for message in messages)
    assert any(message.startswith("START RequestId:") for message in messages)
    assert any(message.startswith("lambda_probes imported") for message in messages)  # init output


def test_deleting_a_function_stops_its_handler_process(
    deploy_function: FunctionDeployer, lambda_client: Any
) -> None:
    function = deploy_function("pid")
    _, pid = invoke(lambda_client, function["FunctionName"], {})
    assert process_alive(pid)

    lambda_client.delete_function(FunctionName=function["FunctionName"])

    wait_for(lambda: not process_alive(pid), timeout=10)
