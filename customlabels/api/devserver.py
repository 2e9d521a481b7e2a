"""A local HTTP endpoint for the API, standing in for API Gateway + Lambda.

Each request becomes the proxy event API Gateway would send and goes through the same
:func:`~customlabels.api.proxy.handle_proxy_event` as the Lambda handler. Used by the API tests,
the latency benchmark and for trying the API by hand::

    CUSTOMLABELS_DATA_BUCKET=my-bucket AWS_ENDPOINT_URL=http://127.0.0.1:4566 \\
        python -m customlabels.api.devserver --port 8000
    # then: boto3.client("rekognition", endpoint_url="http://127.0.0.1:8000", ...)
"""

from __future__ import annotations

import argparse
import dataclasses
import threading
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from customlabels import settings
from customlabels.api.proxy import handle_proxy_event, proxy_event
from customlabels.api.service import Api, create_api


class ApiServer(ThreadingHTTPServer):
    """A threading HTTP server bound to one :class:`Api`."""

    daemon_threads = True

    def __init__(self, api: Api, address: tuple[str, int]) -> None:
        super().__init__(address, _RequestHandler)
        self.api = api

    @property
    def url(self) -> str:
        host, port = self.server_address[:2]
        return f"http://{host!s}:{port}"


class _RequestHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, as botocore reuses connections
    disable_nagle_algorithm = True  # headers and body go out at once, not 40 ms apart
    server: ApiServer

    def do_POST(self) -> None:
        self._answer()

    def do_GET(self) -> None:
        self._answer()

    def _answer(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        request_id = str(uuid.uuid4())
        event = proxy_event(self.command, self.path, dict(self.headers.items()), body, request_id)
        reply = handle_proxy_event(self.server.api, event, request_id)
        payload = reply["body"].encode("utf-8")
        self.send_response(reply["statusCode"])
        for name, value in reply["headers"].items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def log_message(self, format: str, *args: object) -> None:
        """Quiet: tests and benchmarks issue thousands of requests."""


def serve_in_background(api: Api, host: str = "127.0.0.1", port: int = 0) -> ApiServer:
    """Start a server for ``api`` on a daemon thread; ``port=0`` picks a free port.

    Stop it with ``server.shutdown(); server.server_close()``.
    """
    server = ApiServer(api, (host, port))
    threading.Thread(target=server.serve_forever, name="customlabels-api", daemon=True).start()
    return server


def main(argv: list[str] | None = None) -> None:
    """Serve the API configured by the environment (see :mod:`customlabels.settings`)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8000)
    args = parser.parse_args(argv)
    # Nothing here verifies signatures, as on LocalStack: who signed is read from the request.
    configured = dataclasses.replace(settings.load(), caller_from_signature=True)
    server = ApiServer(create_api(configured), (args.host, args.port))
    print(f"customlabels API on {server.url}")
    server.serve_forever()


if __name__ == "__main__":
    main()
