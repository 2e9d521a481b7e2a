"""DetectCustomLabels through the API (guide L8803-9970).

The API resolves the model and checks that it is ``RUNNING`` (a model must be started before it
can analyze images, L8854; otherwise ResourceNotReadyException), then model hosting runs it. The
image limits (PNG/JPEG, 4 MB as bytes, 15 MB in S3, 64-4096 px) and the MinConfidence and
MaxResults semantics belong to the detection code behind :class:`ModelHosting`.
"""

from __future__ import annotations

from typing import Any

from customlabels.api.context import ApiContext
from customlabels.api.errors import InvalidParameterException, ResourceNotReadyException
from customlabels.resources.status import ProjectVersionStatus


def detect_custom_labels(ctx: ApiContext, request: dict[str, Any]) -> dict[str, Any]:
    """Labels found in ``Image`` by a running model."""
    image: dict[str, Any] = request["Image"]
    if ("Bytes" in image) == ("S3Object" in image):
        raise InvalidParameterException("Image must have exactly one of Bytes or S3Object")
    s3_object = image.get("S3Object")
    if s3_object is not None and not (s3_object.get("Bucket") and s3_object.get("Name")):
        raise InvalidParameterException("Image.S3Object needs both Bucket and Name")
    version = ctx.version(request["ProjectVersionArn"])
    if version.status != ProjectVersionStatus.RUNNING:
        raise ResourceNotReadyException(
            f"The model {version.arn} is {version.status}; start it with StartProjectVersion and wait "
            "until it is RUNNING"
        )
    hosting = ctx.backends.require_hosting("DetectCustomLabels")
    labels = hosting.detect(version, image, request.get("MinConfidence"), request.get("MaxResults"))
    return {"CustomLabels": labels}


OPERATIONS = {"DetectCustomLabels": detect_custom_labels}
