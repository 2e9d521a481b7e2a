"""The guide's image limits (L16380-16386) and decoding to upright RGB."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from PIL import Image

from customlabels.inference.errors import (
    ImageTooLargeException,
    InvalidImageFormatException,
    InvalidParameterException,
)
from customlabels.inference.images import (
    MAX_INLINE_IMAGE_BYTES,
    MAX_S3_IMAGE_BYTES,
    ImageSource,
    check_byte_size,
    check_dimensions,
    decode_image,
    sniff_format,
)

from .builders import encode, photo


@pytest.mark.parametrize("image_format", ["GIF", "BMP", "TIFF", "WEBP"])
def test_formats_other_than_png_and_jpeg_are_rejected(image_format: str) -> None:
    data = encode(photo(80, 80), image_format)
    with pytest.raises(InvalidImageFormatException, match="only PNG and JPEG"):
        decode_image(data, ImageSource.BYTES)


@pytest.mark.parametrize("data", [b"", b"not an image at all", b"\x00" * 1000])
def test_garbage_is_an_invalid_format(data: bytes) -> None:
    with pytest.raises(InvalidImageFormatException) as raised:
        decode_image(data, ImageSource.BYTES)
    assert raised.value.code == "InvalidImageFormatException"
    assert raised.value.status == 400


def test_png_signature_with_a_broken_header_is_an_invalid_format() -> None:
    with pytest.raises(InvalidImageFormatException, match="header cannot be read"):
        decode_image(b"\x89PNG\r\n\x1a\n" + b"garbage" * 20, ImageSource.BYTES)


def test_truncated_jpeg_is_an_invalid_format(jpeg_bytes: Callable[..., bytes]) -> None:
    data = jpeg_bytes(200, 200)
    with pytest.raises(InvalidImageFormatException, match="cannot be decoded"):
        decode_image(data[: len(data) // 2], ImageSource.BYTES)


def test_sniff_format_reads_magic_bytes(
    png_bytes: Callable[..., bytes], jpeg_bytes: Callable[..., bytes]
) -> None:
    assert sniff_format(png_bytes()) == "PNG"
    assert sniff_format(jpeg_bytes()) == "JPEG"


@pytest.mark.parametrize(("width", "height"), [(63, 64), (64, 63), (10, 10)])
def test_sides_under_64_pixels_are_rejected(width: int, height: int) -> None:
    with pytest.raises(InvalidParameterException, match="at least 64 pixels"):
        decode_image(encode(photo(width, height), "PNG"), ImageSource.BYTES)


@pytest.mark.parametrize(("width", "height"), [(4097, 300), (300, 4097)])
def test_sides_over_4096_pixels_are_too_large(width: int, height: int) -> None:
    with pytest.raises(ImageTooLargeException, match="at most 4096 pixels"):
        decode_image(encode(Image.new("RGB", (width, height)), "PNG"), ImageSource.BYTES)


def test_limits_are_inclusive() -> None:
    check_dimensions(64, 64)
    check_dimensions(4096, 4096)
    check_dimensions(64, 1280)  # exactly 20:1


def test_aspect_ratio_over_20_to_1_is_rejected() -> None:
    with pytest.raises(InvalidParameterException, match="at most 20:1"):
        check_dimensions(1281, 64)
    with pytest.raises(InvalidParameterException, match="at most 20:1"):
        decode_image(encode(Image.new("RGB", (64, 1300)), "PNG"), ImageSource.BYTES)


def test_bytes_over_4_mb_are_too_large_but_s3_objects_may_have_15_mb() -> None:
    with pytest.raises(ImageTooLargeException, match="Image.Bytes allows at most 4194304 bytes"):
        check_byte_size(MAX_INLINE_IMAGE_BYTES + 1, ImageSource.BYTES)
    check_byte_size(MAX_INLINE_IMAGE_BYTES + 1, ImageSource.S3_OBJECT)
    with pytest.raises(ImageTooLargeException, match="Image.S3Object allows at most 15728640 bytes"):
        check_byte_size(MAX_S3_IMAGE_BYTES + 1, ImageSource.S3_OBJECT)


def test_byte_limit_is_checked_before_the_format(png_bytes: Callable[..., bytes]) -> None:
    oversized = png_bytes() + b"\x00" * MAX_INLINE_IMAGE_BYTES
    with pytest.raises(ImageTooLargeException):
        decode_image(oversized, ImageSource.BYTES)


@pytest.mark.parametrize("mode", ["RGB", "RGBA", "L"])
def test_png_modes_decode_to_rgb(png_bytes: Callable[..., bytes], mode: str) -> None:
    image = decode_image(png_bytes(96, 80, mode), ImageSource.BYTES)
    assert (image.mode, image.size) == ("RGB", (96, 80))


def test_palette_png_decodes_to_rgb() -> None:
    data = encode(photo(70, 90).convert("P"), "PNG")
    assert decode_image(data, ImageSource.BYTES).mode == "RGB"


@pytest.mark.parametrize(
    ("orientation", "size"), [(1, (96, 80)), (3, (96, 80)), (6, (80, 96)), (8, (80, 96))]
)
def test_jpeg_exif_orientation_is_applied(
    jpeg_bytes: Callable[..., bytes], orientation: int, size: tuple[int, int]
) -> None:
    image = decode_image(jpeg_bytes(96, 80, orientation=orientation), ImageSource.BYTES)
    assert image.size == size


def test_png_orientation_is_not_applied() -> None:
    exif = Image.Exif()
    exif[0x0112] = 6
    data = encode(photo(96, 80), "PNG", exif=exif)
    assert decode_image(data, ImageSource.BYTES).size == (96, 80)


def test_draft_decodes_large_jpeg_at_a_scale_that_covers_the_target(jpeg_bytes: Callable[..., bytes]) -> None:
    data = jpeg_bytes(1600, 1200)
    image = decode_image(data, ImageSource.BYTES, draft_size=(224, 224))
    assert image.size == (400, 300)  # 1/4 scale: the smallest that is still >= 224 on both sides
    assert decode_image(data, ImageSource.BYTES).size == (1600, 1200)


def test_draft_respects_exif_rotation(jpeg_bytes: Callable[..., bytes]) -> None:
    data = jpeg_bytes(1600, 400, orientation=6)  # displayed as 400 wide, 1600 high
    image = decode_image(data, ImageSource.BYTES, draft_size=(100, 800))
    assert image.size == (200, 800)  # 1/2 scale keeps the displayed height at >= 800


def test_draft_is_ignored_for_png(png_bytes: Callable[..., bytes]) -> None:
    assert decode_image(png_bytes(300, 300), ImageSource.BYTES, draft_size=(64, 64)).size == (300, 300)
