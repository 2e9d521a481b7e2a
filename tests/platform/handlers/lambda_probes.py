"""Lambda handlers that report what they see, for the platform tests of the host-process executor.

Zipped by the tests and deployed as functions with handlers ``lambda_probes.<name>``. Standard
library only, except ``boto3`` where a handler must talk to LocalStack.
"""

from __future__ import annotations

import json
import logging
import os
import sys
import time
from typing import Any

print("lambda_probes imported")  # init-phase output belongs to the first invocation's logs

ENVIRONMENT_NAMES = (
    "AWS_LAMBDA_FUNCTION_NAME",
    "AWS_LAMBDA_FUNCTION_MEMORY_SIZE",
    "AWS_LAMBDA_FUNCTION_TIMEOUT",
    "AWS_LAMBDA_FUNCTION_VERSION",
    "AWS_REGION",
    "AWS_DEFAULT_REGION",
    "AWS_ENDPOINT_URL",
    "AWS_ACCESS_KEY_ID",
    "_HANDLER",
    "LAMBDA_TASK_ROOT",
    "GREETING",
)


def echo(event: Any, context: Any) -> dict[str, Any]:
    return {"event": event}


def environment(event: Any, context: Any) -> dict[str, Any]:
    import boto3  # only here: the other probes start faster without it

    return {
        "variables": {name: os.environ.get(name) for name in ENVIRONMENT_NAMES},
        "python": sys.executable,
        "cwd": os.getcwd(),
        "account": boto3.client("sts").get_caller_identity()["Account"],
    }


def context_attributes(event: Any, context: Any) -> dict[str, Any]:
    return {
        "function_name": context.function_name,
        "function_version": context.function_version,
        "invoked_function_arn": context.invoked_function_arn,
        "memory_limit_in_mb": context.memory_limit_in_mb,
        "aws_request_id": context.aws_request_id,
        "log_group_name": context.log_group_name,
        "log_stream_name": context.log_stream_name,
        "remaining_ms": context.get_remaining_time_in_millis(),
    }


def fail(event: Any, context: Any) -> None:
    raise ValueError(event.get("message", "the probe failed"))


def sleep(event: Any, context: Any) -> dict[str, Any]:
    """Writes its pid to event["pid_file"] (if given) before sleeping, so a test can check the kill."""
    if event.get("pid_file"):
        with open(event["pid_file"], "w") as pid_file:
            pid_file.write(str(os.getpid()))
    print(f"sleeping {event['seconds']} s", flush=True)
    time.sleep(event["seconds"])
    return {"slept": event["seconds"], "pid": os.getpid()}


def exit_process(event: Any, context: Any) -> None:
    os._exit(event.get("code", 3))


def pid(event: Any, context: Any) -> int:
    return os.getpid()


def write_logs(event: Any, context: Any) -> str:
    marker = event["marker"]
    print(f"print {marker}")
    sys.stderr.write(f"stderr {marker}\n")
    logging.getLogger("probe").warning("logging %s", marker)
    return marker


def layer_value(event: Any, context: Any) -> str:
    import probe_layer  # only in the layer the test publishes

    return str(probe_layer.VALUE)


def add(event: Any, context: Any) -> dict[str, Any]:
    return {"sum": event["a"] + event["b"]}


def forward_sqs_records(event: Any, context: Any) -> int:
    """Send each SQS record's body to the queue named by RESULT_QUEUE_URL."""
    import boto3

    sqs = boto3.client("sqs")
    for record in event["Records"]:
        body = json.dumps({"body": record["body"], "eventSource": record["eventSource"]})
        sqs.send_message(QueueUrl=os.environ["RESULT_QUEUE_URL"], MessageBody=body)
    return len(event["Records"])
