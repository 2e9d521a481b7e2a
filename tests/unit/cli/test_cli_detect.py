"""``customlabels detect`` against canned DetectCustomLabels answers, and the drawing of labels on
generated images."""

from __future__ import annotations

import io
import json
from pathlib import Path

from botocore.response import StreamingBody
from PIL import Image

from customlabels.cli import drawing
from customlabels.cli.detect import labels_table
from tests.unit.cli.conftest import Api

MODEL = "arn:aws:rekognition:us-east-1:123456789012:project/logos/version/v1/1700000000500"
BOX = {"Width": 0.25, "Height": 0.5, "Left": 0.5, "Top": 0.25}
DETECTED = [
    {"Name": "logo", "Confidence": 97.25, "Geometry": {"BoundingBox": BOX}},
    {"Name": "outdoor", "Confidence": 61.5},
]
BACKGROUND = (200, 200, 200)


def png(size: tuple[int, int] = (200, 100), colour: tuple[int, int, int] = BACKGROUND) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, colour).save(buffer, "PNG")
    return buffer.getvalue()


def rgb(image: Image.Image, x: int, y: int) -> tuple[int, int, int]:
    red, green, blue = image.getpixel((x, y))  # type: ignore[misc]
    return red, green, blue


def test_a_local_image_is_sent_as_bytes_and_drawn(api: Api, tmp_path: Path) -> None:
    Path("photo.png").write_bytes(png())
    api.rekognition.add_response(
        "detect_custom_labels",
        {"CustomLabels": DETECTED},
        {"ProjectVersionArn": MODEL, "Image": {"Bytes": png()}, "MinConfidence": 50.0, "MaxResults": 5},
    )
    argv = ["detect", "--version-arn", MODEL, "photo.png", "--min-confidence", "50", "--max-results", "5"]
    ran = api.run(*argv, "--draw", "drawn.png")
    assert ran.code == 0, ran.err
    assert ran.out.splitlines() == [
        "LABEL    CONFIDENCE  BOX (LEFT TOP WIDTH HEIGHT)",
        "logo     97.25       0.500 0.250 0.250 0.500",
        "outdoor  61.50       -",
        "",
        "drew 2 labels on drawn.png",
    ]
    with Image.open("drawn.png") as drawn:
        assert drawn.width == 200 and drawn.height > 100  # the caption band for "outdoor"
        assert drawn.convert("RGB").getpixel((100, 50)) == drawing.colour_of("logo")  # the box's left edge


def test_an_s3_image_is_sent_as_an_s3_object_and_downloaded_to_draw(api: Api) -> None:
    image = {"S3Object": {"Bucket": "bucket", "Name": "photos/a.png"}}
    api.rekognition.add_response(
        "detect_custom_labels", {"CustomLabels": []}, {"ProjectVersionArn": MODEL, "Image": image}
    )
    api.s3.add_response(
        "get_object",
        {"Body": StreamingBody(io.BytesIO(png()), len(png()))},
        {"Bucket": "bucket", "Key": "photos/a.png"},
    )
    ran = api.run("--json", "detect", "--version-arn", MODEL, "s3://bucket/photos/a.png", "--draw", "a.png")
    assert json.loads(ran.out) == {"Image": "s3://bucket/photos/a.png", "CustomLabels": [], "Drawn": "a.png"}
    with Image.open("a.png") as drawn:
        assert drawn.size == (200, 100)


def test_detect_errors_are_the_services(api: Api) -> None:
    Path("photo.png").write_bytes(png())
    api.rekognition.add_client_error(
        "detect_custom_labels",
        "ResourceNotReadyException",
        "The model is STOPPED; start it with StartProjectVersion",
        http_status_code=400,
    )
    ran = api.run("detect", "--version-arn", MODEL, "photo.png")
    assert (ran.code, ran.err) == (
        1,
        "ResourceNotReadyException: The model is STOPPED; start it with StartProjectVersion\n",
    )
    assert api.run("detect", "--version-arn", MODEL, "s3://bucket").err.startswith("InvalidS3Uri: ")
    assert api.run("detect", "--version-arn", MODEL, "missing.png").err.startswith("FileNotFoundError: ")


def test_no_labels_is_an_empty_table() -> None:
    assert labels_table([]) == "LABEL  CONFIDENCE  BOX (LEFT TOP WIDTH HEIGHT)"


def test_boxes_are_drawn_in_their_labels_colour_with_a_tag() -> None:
    image = Image.new("RGB", (200, 100), BACKGROUND)
    drawn = drawing.draw_labels(image, DETECTED[:1])
    assert drawn.size == image.size and image.getpixel((100, 50)) == BACKGROUND  # the input is untouched
    left, top, right, bottom = drawing.box_pixels(BOX, drawn.size)
    assert (left, top, right, bottom) == (100, 25, 149, 74)
    colour = drawing.colour_of("logo")
    for corner in ((left, bottom), (right, bottom), (right, (top + bottom) // 2)):
        assert drawn.getpixel(corner) == colour
    assert drawn.getpixel((125, 50)) == BACKGROUND  # inside the box
    tag = [rgb(drawn, x, top - 3) for x in range(left, right)]  # the tag sits above the box
    assert colour in tag and any(sum(pixel) > 600 for pixel in tag)  # white (antialiased) text on it


def test_image_level_labels_become_a_caption_under_the_image() -> None:
    image = Image.new("RGB", (120, 80), BACKGROUND)
    labels = [{"Name": f"label-{index}", "Confidence": 90.0 - index} for index in range(6)]
    drawn = drawing.draw_labels(image, labels)
    assert drawn.width == 120 and drawn.height > 80 + 20  # six labels need more than one line at 120 px
    assert drawn.crop((0, 0, 120, 80)).tobytes() == image.tobytes()
    band = drawn.crop((0, 80, 120, drawn.height))
    colours = {rgb(band, x, y) for x in range(band.width) for y in range(band.height)}
    assert drawing.CAPTION_BACKGROUND in colours and any(sum(colour) > 600 for colour in colours)
    assert drawing.draw_labels(image, []).tobytes() == image.tobytes()


def test_boxes_clip_to_the_image_and_tags_stay_inside_it() -> None:
    assert drawing.box_pixels({"Left": -0.1, "Top": 0.9, "Width": 0.5, "Height": 0.5}, (100, 100)) == (
        0,
        90,
        39,
        99,
    )
    image = Image.new("RGB", (100, 100), BACKGROUND)
    at_the_top = {
        "Name": "a-long-label-name",
        "Confidence": 99.0,
        "Geometry": {"BoundingBox": {"Left": 0.8, "Top": 0.0, "Width": 0.2, "Height": 0.3}},
    }
    drawn = drawing.draw_labels(image, [at_the_top])
    assert drawn.size == (100, 100)
    assert drawing.colour_of("a-long-label-name") in [
        drawn.getpixel((x, 2)) for x in range(0, 80)
    ]  # shifted left, inside


def test_jpeg_orientation_is_applied_as_the_service_does_and_png_is_left_alone(tmp_path: Path) -> None:
    exif = Image.Exif()
    exif[0x0112] = 6  # rotate 90 degrees clockwise to display
    buffer = io.BytesIO()
    Image.new("RGB", (200, 100), BACKGROUND).save(buffer, "JPEG", exif=exif.tobytes())
    assert drawing.open_image(buffer.getvalue()).size == (100, 200)
    assert drawing.open_image(png((200, 100))).size == (200, 100)
    path = drawing.render(buffer.getvalue(), DETECTED, tmp_path / "out.jpg")
    with Image.open(path) as saved:
        assert saved.format == "JPEG" and saved.width == 100
    assert (
        drawing.colour_of("logo") == drawing.colour_of("logo")
        and drawing.colour_of("logo") in drawing.PALETTE
    )
