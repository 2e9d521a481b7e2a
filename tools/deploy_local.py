"""Deploy the stack to the LocalStack on this machine with cdklocal and record its outputs.

Used by ``make up`` and by the e2e test fixture, so both deploy the same way. The
outputs (bucket, state machines, functions, endpoint) are written as a flat JSON object
to ``.local/outputs.json``.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
import urllib.parse
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
STACK_NAME = "CustomLabels"
OUTPUTS_FILE = REPO_ROOT / ".local" / "outputs.json"
ACCOUNT_ID = "000000000000"
REGION = "us-east-1"
DEFAULT_PORT = 4566


def local_aws_environment(endpoint_url: str) -> dict[str, str]:
    """The environment that points the AWS SDKs and the CDK CLI at LocalStack."""
    return {
        "AWS_ENDPOINT_URL": endpoint_url,
        # cdklocal needs the S3 endpoint spelled out too; *.localhost.localstack.cloud does not resolve here.
        "AWS_ENDPOINT_URL_S3": endpoint_url,
        "AWS_ACCESS_KEY_ID": "test",
        "AWS_SECRET_ACCESS_KEY": "test",
        "AWS_REGION": REGION,
        "AWS_DEFAULT_REGION": REGION,
        "CDK_DEFAULT_ACCOUNT": ACCOUNT_ID,
        "CDK_DEFAULT_REGION": REGION,
        "JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION": "20",
        "CDK_DISABLE_VERSION_CHECK": "1",
    }


def _cdklocal(args: list[str], endpoint_url: str) -> None:
    env = {**os.environ, **local_aws_environment(endpoint_url)}
    command = [str(REPO_ROOT / "node_modules" / ".bin" / "cdklocal"), *args]
    completed = subprocess.run(command, cwd=REPO_ROOT, env=env, capture_output=True, text=True)
    if completed.returncode != 0:
        raise RuntimeError(
            f"{' '.join(command[1:])} failed ({completed.returncode}):\n{completed.stdout[-4000:]}\n"
            f"{completed.stderr[-4000:]}"
        )


def outputs_file(endpoint_url: str) -> Path:
    """Where a deployment's outputs go: OUTPUTS_FILE for the default port, a file per port otherwise.

    Keeping other ports apart lets a second LocalStack (e.g. a test run) deploy without
    repointing the CLI and ``make demo``, which read OUTPUTS_FILE.
    """
    port = urllib.parse.urlsplit(endpoint_url).port
    return OUTPUTS_FILE if port in (None, DEFAULT_PORT) else OUTPUTS_FILE.with_name(f"outputs-{port}.json")


def deploy(endpoint_url: str) -> dict[str, str]:
    """Bootstrap (idempotent) and deploy the stack; returns its outputs and writes them to outputs_file()."""
    started = time.monotonic()
    target_file = outputs_file(endpoint_url)
    raw_outputs = target_file.with_name(f"cdk-{target_file.name}")
    # Concurrent deployments on other ports must not share CDK's output folder (it is locked).
    cloud_assembly = "cdk.out" if target_file == OUTPUTS_FILE else f"cdk.out-{target_file.stem}"
    raw_outputs.parent.mkdir(parents=True, exist_ok=True)
    _cdklocal(
        ["bootstrap", f"aws://{ACCOUNT_ID}/{REGION}", "-c", "target=local", "--output", cloud_assembly],
        endpoint_url,
    )
    _cdklocal(
        [
            "deploy",
            "--output",
            cloud_assembly,
            STACK_NAME,
            "-c",
            "target=local",
            "--require-approval",
            "never",
            "--outputs-file",
            str(raw_outputs),
            "--progress",
            "events",
        ],
        endpoint_url,
    )
    outputs: dict[str, str] = json.loads(raw_outputs.read_text())[STACK_NAME]
    outputs["EndpointUrl"] = endpoint_url
    # LocalStack serves a REST API stage here; boto3's rekognition client posts to its root.
    outputs["ApiEndpoint"] = (
        f"{endpoint_url}/restapis/{outputs['RestApiId']}/{outputs['ApiStageName']}/_user_request_/"
    )
    outputs["Region"] = REGION
    outputs["DeploySeconds"] = f"{time.monotonic() - started:.1f}"
    target_file.write_text(json.dumps(outputs, indent=2, sort_keys=True) + "\n")
    return outputs


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--endpoint-url", default="http://127.0.0.1:4566")
    args = parser.parse_args(argv)
    outputs = deploy(args.endpoint_url)
    width = max(len(name) for name in outputs)
    for name, value in sorted(outputs.items()):
        print(f"{name:<{width}}  {value}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
