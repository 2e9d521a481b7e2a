"""LocalStack's side of the runtime protocol for a host process.

LocalStack's ``ExecutorEndpoint`` already routes the runtime's callbacks (``/_localstack_lambda/<id>/
status/<id>/ready``, ``.../invocations/<request>/response|error``) to an object per environment. This
subclass changes three things for processes that come and go under one environment:

- the runtime announces its port in the ``ready`` call (it binds a free one itself, so two runtimes
  can never race for a port), and each (re)start waits for a fresh ``ready``;
- an outcome only completes the invocation it names: a late reply from a process that was killed
  for a timeout cannot complete the next invocation;
- sending an invocation returns its future, so the executor can wait with the function's timeout
  instead of LocalStack's 15 minutes.
"""

from __future__ import annotations

import json
from concurrent.futures import Future
from http import HTTPStatus

from localstack.http import Response
from localstack.services.lambda_.invocation.executor_endpoint import ExecutorEndpoint, InvokeSendError
from localstack.services.lambda_.invocation.lambda_models import InvocationResult
from werkzeug import Request


class HostProcessEndpoint(ExecutorEndpoint):
    """Callbacks of one execution environment, whose runtime process may be replaced."""

    container_port: int | None
    startup_future: Future[bool] | None

    def __init__(self, executor_id: str) -> None:
        super().__init__(executor_id, container_address="127.0.0.1", container_port=None)
        self.request_id: str | None = None

    def expect_ready(self) -> Future[bool]:
        """A new startup future, for a runtime process about to start."""
        self.container_port = None
        self.startup_future = Future()
        return self.startup_future

    def status_ready(self, request: Request, executor_id: str) -> Response:
        self.container_port = int(json.loads(request.data)["port"])
        return super().status_ready(request, executor_id)

    def send_invocation(self, payload: dict[str, str]) -> Future[InvocationResult]:
        """POST the invocation to the runtime and return the future its outcome will complete.

        Raises:
            InvokeSendError: the runtime did not accept it.
        """
        self.request_id = payload["invoke-id"]
        future: Future[InvocationResult] = Future()
        self.invocation_future = future
        url = f"http://{self.container_address}:{self.container_port}/invoke"
        response = self._perform_invoke(
            invocation_url=url, proxies={"http": "", "https": ""}, payload=payload
        )
        if not response.ok:
            raise InvokeSendError(f"The runtime at {url} refused the invocation: HTTP {response.status_code}")
        return future

    def invocation_response(self, request: Request, req_id: str) -> Response:
        return self._complete(req_id, request.data, is_error=False)

    def invocation_error(self, request: Request, req_id: str) -> Response:
        return self._complete(req_id, request.data, is_error=True)

    def _complete(self, request_id: str, payload: bytes, *, is_error: bool) -> Response:
        future = self.invocation_future
        if request_id != self.request_id or future is None or future.done():
            return Response(status=HTTPStatus.GONE)
        # Logs are cut from the process's output by the executor, not posted by the runtime.
        future.set_result(InvocationResult(request_id, payload, is_error=is_error, logs=None))
        return Response(status=HTTPStatus.ACCEPTED)
