"""The guide's checks on a DetectCustomLabels input image, and its decoding to RGB.

The checks run cheapest first, so that a bad request costs no decoding: the byte count, then the
format from the file's magic bytes, then the size from the header (Pillow opens lazily), and only
then the pixels. "MB" is 1024 * 1024 bytes, as botocore's ``ImageBlob`` (5242880 = "5 MBs") counts it.

Error names follow what the service answers: a format other than PNG/JPEG or undecodable data is
``InvalidImageFormatException``; too many bytes or more than 4096 px on a side is
``ImageTooLargeException`` ("the image size or resolution exceeds the allowed limit"); an image
under 64 px or flatter than 20:1 is ``InvalidParameterException``, which is what Rekognition
answers for images below its minimum size (boto/botocore#1366).
"""

from __future__ import annotations

import enum
import io
import warnings

from PIL import ExifTags, Image, ImageOps

from customlabels.inference.errors import (
    ImageTooLargeException,
    InvalidImageFormatException,
    InvalidParameterException,
)

MEGABYTE = 1024 * 1024
MAX_INLINE_IMAGE_BYTES = 4 * MEGABYTE  # guide L8858, L16380: raw bytes under 4 MB
MAX_S3_IMAGE_BYTES = 15 * MEGABYTE  # guide L16382: S3 objects up to 15 MB
MIN_IMAGE_SIDE = 64  # guide L16383: at least 64 x 64 px, for bytes and S3 alike
MAX_IMAGE_SIDE = 4096  # guide L16384: at most 4096 x 4096 px
MAX_ASPECT_RATIO = 20.0  # guide L16386: at most 20:1

_PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
_JPEG_SIGNATURE = b"\xff\xd8\xff"


class ImageSource(enum.Enum):
    """Where the image came from; the byte limit depends on it."""

    BYTES = "Image.Bytes"
    S3_OBJECT = "Image.S3Object"

    @property
    def max_bytes(self) -> int:
        return MAX_INLINE_IMAGE_BYTES if self is ImageSource.BYTES else MAX_S3_IMAGE_BYTES


def sniff_format(data: bytes) -> str:
    """Return ``"PNG"`` or ``"JPEG"`` from the magic bytes; raise InvalidImageFormatException otherwise.

    The magic bytes decide, not a file name or content type, because the API receives neither
    for ``Image.Bytes`` (guide L16385: PNG and JPEG only).
    """
    if data.startswith(_PNG_SIGNATURE):
        return "PNG"
    if data.startswith(_JPEG_SIGNATURE):
        return "JPEG"
    raise InvalidImageFormatException(
        "The image format is not supported: only PNG and JPEG images are allowed"
    )


def check_byte_size(size: int, source: ImageSource) -> None:
    """Raise ImageTooLargeException when ``size`` bytes is over the limit for ``source``."""
    if size > source.max_bytes:
        raise ImageTooLargeException(
            f"The image is {size} bytes; {source.value} allows at most "
            f"{source.max_bytes} bytes ({source.max_bytes // MEGABYTE} MB)"
        )


def check_dimensions(width: int, height: int) -> None:
    """Raise when a side is outside 64-4096 px or the aspect ratio is over 20:1."""
    if width > MAX_IMAGE_SIDE or height > MAX_IMAGE_SIDE:
        raise ImageTooLargeException(
            f"The image is {width}x{height} pixels; each side must be at most {MAX_IMAGE_SIDE} pixels"
        )
    if width < MIN_IMAGE_SIDE or height < MIN_IMAGE_SIDE:
        raise InvalidParameterException(
            f"The image is {width}x{height} pixels; each side must be at least {MIN_IMAGE_SIDE} pixels"
        )
    ratio = max(width, height) / min(width, height)
    if ratio > MAX_ASPECT_RATIO:
        raise InvalidParameterException(
            f"The image is {width}x{height} pixels, an aspect ratio of {ratio:.1f}:1; "
            f"the aspect ratio must be at most {MAX_ASPECT_RATIO:.0f}:1"
        )


def decode_image(
    data: bytes,
    source: ImageSource,
    *,
    draft_size: tuple[int, int] | None = None,
) -> Image.Image:
    """Check ``data`` against the guide's limits and decode it to an upright RGB image.

    Args:
        data: the encoded image, as sent in ``Image.Bytes`` or read from ``Image.S3Object``.
        source: where it came from, which sets the byte limit (4 MB or 15 MB).
        draft_size: (width, height) the caller will resize to. When given, a JPEG is decoded
            at the smallest 1/2, 1/4 or 1/8 scale that still covers it (libjpeg's DCT scaling),
            which makes large photos several times cheaper to decode.

    JPEG orientation from EXIF is applied, as Rekognition does ("bounding box coordinates are
    translated to represent object locations after the orientation information in the Exif
    metadata is used"); PNG orientation is not, as Rekognition does not correct PNG images.
    The guide itself says nothing about orientation.

    Raises:
        ImageTooLargeException, InvalidImageFormatException, InvalidParameterException.
    """
    check_byte_size(len(data), source)
    image_format = sniff_format(data)
    image = _open_header(data, image_format)
    check_dimensions(*image.size)
    if draft_size is not None and image_format == "JPEG":
        image.draft("RGB", _draft_request(image, draft_size))
    try:
        image.load()
    except (OSError, SyntaxError, ValueError) as error:
        raise InvalidImageFormatException(
            f"The {image_format} image cannot be decoded ({error}); send a complete, valid PNG or JPEG"
        ) from error
    if image_format == "JPEG":
        ImageOps.exif_transpose(image, in_place=True)
    return image if image.mode == "RGB" else image.convert("RGB")


def _open_header(data: bytes, image_format: str) -> Image.Image:
    """Parse the header only: Pillow's ``open`` is lazy, so no pixels are decoded yet."""
    try:
        with warnings.catch_warnings():
            # A header that claims a huge size is reported below as too large, not as a warning.
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            return Image.open(io.BytesIO(data), formats=[image_format])
    except Image.DecompressionBombError as error:
        raise ImageTooLargeException(
            f"The image has too many pixels; each side must be at most {MAX_IMAGE_SIDE} pixels"
        ) from error
    except (OSError, SyntaxError, ValueError) as error:
        raise InvalidImageFormatException(
            f"The image starts like a {image_format} file but its header cannot be read; "
            "send a valid PNG or JPEG"
        ) from error


def _draft_request(image: Image.Image, size: tuple[int, int]) -> tuple[int, int]:
    """The draft size in the file's own orientation: EXIF orientations 5-8 swap width and height."""
    orientation = image.getexif().get(ExifTags.Base.Orientation, 1)
    return (size[1], size[0]) if orientation in (5, 6, 7, 8) else size
