"""Header-only image checks (guide L6394-6430, L16345-16349) and their cache."""

from __future__ import annotations

import io
import os
import struct
import zlib
from pathlib import Path

import boto3
import pytest
from botocore.stub import Stubber
from PIL import Image

from customlabels.manifests import (
    HeaderCache,
    ImageInspector,
    LocalImageSource,
    ObjectAccessDeniedError,
    ObjectNotFoundError,
    ObjectStat,
    S3ImageSource,
    validate_line,
)
from customlabels.manifests.image_header import ImageInfo, ImageProblem, check_image, read_image_header

from .builders import box, classification, detection, dumps, image_bytes, write_image


class CountingSource(LocalImageSource):
    def __init__(self, root: Path) -> None:
        super().__init__(root)
        self.stats = 0
        self.reads: list[int] = []

    def stat(self, uri: str) -> ObjectStat:
        self.stats += 1
        return super().stat(uri)

    def read_range(self, uri: str, start: int, length: int) -> bytes:
        self.reads.append(length)
        return super().read_range(uri, start, length)


def png_header(width: int, height: int) -> bytes:
    """A PNG's signature, IHDR and an empty IDAT: enough for a header read, at any size."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(b""))


def inspect(tmp_path: Path, data: bytes, name: str = "a.png") -> ImageInfo:
    uri = f"s3://bucket/{name}"
    write_image(tmp_path, uri, data)
    return LocalImageSource(tmp_path).inspector().inspect(uri)


@pytest.mark.parametrize("fmt", ["PNG", "JPEG"])
def test_png_and_jpeg_headers(tmp_path: Path, fmt: str) -> None:
    info = inspect(tmp_path, image_bytes((300, 200), fmt), f"a.{fmt.lower()}")
    assert (info.format, info.width, info.height, info.problem) == (fmt, 300, 200, None)


def test_only_the_first_64_kib_is_read(tmp_path: Path) -> None:
    noisy = Image.frombytes("RGB", (700, 700), os.urandom(700 * 700 * 3))
    buffer = io.BytesIO()
    noisy.save(buffer, "PNG")
    assert len(buffer.getvalue()) > 1_000_000
    write_image(tmp_path, "s3://bucket/big.png", buffer.getvalue())
    source = CountingSource(tmp_path)
    assert source.inspector().inspect("s3://bucket/big.png").ok
    assert source.reads == [64 * 1024]


def test_jpeg_whose_sof_is_behind_large_segments_is_read_in_a_larger_window(tmp_path: Path) -> None:
    data = image_bytes((320, 240), "JPEG", icc_profile=os.urandom(300_000))
    write_image(tmp_path, "s3://bucket/icc.jpg", data)
    source = CountingSource(tmp_path)
    info = source.inspector().inspect("s3://bucket/icc.jpg")
    assert (info.format, info.width, info.height, info.ok) == ("JPEG", 320, 240, True)
    assert source.reads == [64 * 1024, len(data)]  # the window grew x8, capped at the file size


@pytest.mark.parametrize(
    ("data", "problem"),
    [
        (image_bytes(fmt="GIF"), ImageProblem.UNSUPPORTED_FORMAT),
        (image_bytes(fmt="BMP"), ImageProblem.UNSUPPORTED_FORMAT),
        (b"hello, not an image", ImageProblem.UNSUPPORTED_FORMAT),
        (image_bytes()[:20], ImageProblem.CORRUPT),
        (image_bytes((63, 100)), ImageProblem.DIMENSIONS),
        (png_header(4097, 400), ImageProblem.DIMENSIONS),
        (png_header(20_000, 20_000), ImageProblem.DIMENSIONS),  # Pillow's decompression-bomb guard
        (image_bytes((64, 1281)), ImageProblem.ASPECT_RATIO),
    ],
    ids=["gif", "bmp", "text", "truncated-png", "63px", "4097px", "bomb", "aspect"],
)
def test_problems(tmp_path: Path, data: bytes, problem: ImageProblem) -> None:
    info = inspect(tmp_path, data)
    assert info.problem is problem
    assert "allowed: PNG or JPEG" in info.describe()


def test_limits_are_inclusive() -> None:
    assert check_image("u", 15 * 1024 * 1024, "PNG", 64, 1280).ok  # 20:1 exactly, 64 px, 15 MB
    assert check_image("u", 10, "MPO", 4096, 4096).format == "JPEG"  # camera multi-picture JPEG
    assert check_image("u", 15 * 1024 * 1024 + 1, "PNG", 100, 100).problem is ImageProblem.TOO_LARGE


def test_files_over_15_mb_are_not_read() -> None:
    def never(uri: str, start: int, length: int) -> bytes:
        raise AssertionError("read")

    assert read_image_header(never, "u", 16 * 1024 * 1024).problem is ImageProblem.TOO_LARGE


def test_inspector_reads_each_image_once_per_run_and_cache(tmp_path: Path) -> None:
    write_image(tmp_path, "s3://bucket/a.png", image_bytes())
    source = CountingSource(tmp_path)
    cache = HeaderCache()
    first = source.inspector(cache=cache)
    for _ in range(3):
        first.inspect("s3://bucket/a.png")
    assert (source.stats, first.header_reads) == (1, 1)
    second = source.inspector(cache=cache)
    second.inspect("s3://bucket/a.png")
    assert (source.stats, second.header_reads) == (2, 0)  # a new run checks the etag, not the header


def test_a_changed_object_is_read_again(tmp_path: Path) -> None:
    write_image(tmp_path, "s3://bucket/a.png", image_bytes((100, 100)))
    source = LocalImageSource(tmp_path)
    cache = HeaderCache()
    assert source.inspector(cache=cache).inspect("s3://bucket/a.png").width == 100
    write_image(tmp_path, "s3://bucket/a.png", image_bytes((120, 100)))
    os.utime(tmp_path / "bucket" / "a.png", ns=(1, 1))
    assert source.inspector(cache=cache).inspect("s3://bucket/a.png").width == 120


def test_header_cache_is_bounded() -> None:
    cache = HeaderCache(capacity=2)
    for index in range(3):
        cache.put((f"u{index}", None, 1), ImageInfo(f"u{index}"))
    assert len(cache) == 2 and cache.get(("u0", None, 1)) is None
    with pytest.raises(ValueError, match="at least 1"):
        HeaderCache(capacity=0)


def test_missing_and_forbidden_images(tmp_path: Path) -> None:
    inspector = LocalImageSource(tmp_path).inspector()
    assert inspector.inspect("s3://bucket/none.png").problem is ImageProblem.NOT_FOUND

    def denied(uri: str) -> ObjectStat:
        raise ObjectAccessDeniedError(uri)

    forbidden = ImageInspector(denied, LocalImageSource(tmp_path).read_range)
    assert forbidden.inspect("s3://secret/a.png").problem is ImageProblem.ACCESS_DENIED
    assert forbidden.buckets_without_access() == {"secret"}


def test_real_dimensions_map_to_the_guides_codes(tmp_path: Path) -> None:
    # guide L6428: images with boxes get ERROR_INVALID_IMAGE_DIMENSION, others ERROR_INVALID_IMAGE.
    write_image(tmp_path, "s3://bucket/small.png", image_bytes((50, 50)))
    inspector = LocalImageSource(tmp_path).inspector()
    boxed = validate_line(dumps(detection("s3://bucket/small.png", [box(0, 1, 1, 20, 20)])), images=inspector)
    assert boxed.entry is not None and [e.code for e in boxed.entry.errors] == [
        "ERROR_INVALID_IMAGE_DIMENSION"
    ]
    labeled = validate_line(dumps(classification("s3://bucket/small.png")), images=inspector)
    assert labeled.entry is not None and [e.code for e in labeled.entry.errors] == ["ERROR_INVALID_IMAGE"]
    missing = validate_line(dumps(detection("s3://bucket/none.png")), images=inspector)
    assert missing.entry is not None and [e.code for e in missing.entry.errors] == ["ERROR_INVALID_IMAGE"]


def test_s3_source_uses_head_and_ranged_get() -> None:
    client = boto3.client("s3", region_name="us-east-1", aws_access_key_id="x", aws_secret_access_key="x")
    data = image_bytes((200, 100))
    with Stubber(client) as stub:
        stub.add_response(
            "head_object", {"ContentLength": len(data), "ETag": '"abc"'}, {"Bucket": "b", "Key": "k.png"}
        )
        stub.add_response(
            "get_object",
            {"Body": io.BytesIO(data)},
            {"Bucket": "b", "Key": "k.png", "Range": f"bytes=0-{len(data) - 1}"},
        )
        stub.add_client_error("head_object", "404", http_status_code=404)
        stub.add_client_error("head_object", "403", http_status_code=403)
        source = S3ImageSource(client)
        info = source.inspector().inspect("s3://b/k.png")
        assert (info.width, info.height, info.ok) == (200, 100, True)
        with pytest.raises(ObjectNotFoundError):
            source.stat("s3://b/none.png")
        with pytest.raises(ObjectAccessDeniedError):
            source.stat("s3://b/secret.png")
