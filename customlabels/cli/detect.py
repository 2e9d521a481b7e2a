"""``customlabels detect IMAGE``: DetectCustomLabels on a local file or an S3 object.

A local file is sent as ``Image.Bytes`` (up to 4 MB), an ``s3://bucket/key`` as ``Image.S3Object``
(up to 15 MB, read by the service). Without ``--min-confidence`` the service applies each label's
assumed threshold (guide L8803-9970). ``--draw out.png`` saves the image with the labels drawn
(:mod:`customlabels.cli.drawing`); for an S3 image the CLI downloads it to draw on.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from customlabels.cli import drawing
from customlabels.cli.context import CommandContext
from customlabels.cli.importers import parse_s3_uri
from customlabels.cli.output import EXIT_OK, table
from customlabels.cli.versions import model_arn, model_options


def register(commands: Any) -> None:
    """Add ``detect`` to the top-level subparsers."""
    parser = commands.add_parser(
        "detect", parents=[model_options()], help="find a running model's labels in an image"
    )
    parser.add_argument("image", metavar="IMAGE", help="a PNG or JPEG file, or s3://bucket/key")
    parser.add_argument(
        "--min-confidence", type=float, help="0-100 (default: each label's assumed threshold)"
    )
    parser.add_argument("--max-results", type=int, help="at most this many labels, most confident first")
    parser.add_argument("--draw", metavar="FILE", help="save the image with its labels drawn (PNG or JPEG)")
    parser.set_defaults(run=detect_labels)


def detect_labels(ctx: CommandContext) -> int:
    args = ctx.args
    image, data = image_source(args.image)
    request: dict[str, Any] = {"ProjectVersionArn": model_arn(ctx), "Image": image}
    if args.min_confidence is not None:
        request["MinConfidence"] = args.min_confidence
    if args.max_results is not None:
        request["MaxResults"] = args.max_results
    labels: list[dict[str, Any]] = ctx.session.rekognition.detect_custom_labels(**request)["CustomLabels"]
    result: dict[str, Any] = {"Image": args.image, "CustomLabels": labels}
    text = labels_table(labels)
    if args.draw:
        if data is None:
            bucket, key = parse_s3_uri(args.image)
            data = ctx.session.s3.get_object(Bucket=bucket, Key=key)["Body"].read()
        result["Drawn"] = str(drawing.render(data, labels, args.draw))
        text += f"\n\ndrew {len(labels)} labels on {result['Drawn']}"
    ctx.out.result(result, text)
    return EXIT_OK


def image_source(image: str) -> tuple[dict[str, Any], bytes | None]:
    """The request's ``Image`` for a path or an S3 URI, and the local file's bytes (``None`` for S3).

    Raises:
        CliError: ``InvalidS3Uri``; OSError for an unreadable file.
    """
    if image.startswith("s3://"):
        bucket, key = parse_s3_uri(image)
        return {"S3Object": {"Bucket": bucket, "Name": key}}, None
    data = Path(image).read_bytes()
    return {"Bytes": data}, data


def labels_table(labels: list[dict[str, Any]]) -> str:
    """LABEL, CONFIDENCE, BOX (left, top, width, height as ratios; ``-`` for image-level labels)."""
    rows = [
        (
            label["Name"],
            f"{float(label.get('Confidence', 0.0)):.2f}",
            _box((label.get("Geometry") or {}).get("BoundingBox")),
        )
        for label in labels
    ]
    return table(rows, ("LABEL", "CONFIDENCE", "BOX (LEFT TOP WIDTH HEIGHT)"))


def _box(box: dict[str, float] | None) -> str | None:
    if not box:
        return None
    return " ".join(f"{box.get(side, 0.0):.3f}" for side in ("Left", "Top", "Width", "Height"))
