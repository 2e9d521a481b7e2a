"""Check images against the guide's limits by reading their headers only, with a cache.

Training validation must look at every image a manifest names (``ERROR_INVALID_IMAGE``,
guide L6394-6418: PNG or JPEG, at most 15 MB, 64-4096 px a side, aspect ratio at most 20:1).
Reading whole images would make a 100,000-line manifest slow, so the checks use:

* the object size from a ``stat`` call (no download for files over 15 MB);
* Pillow's lazy ``Image.open`` on the first 64 KiB, which parses the header but no pixels. A
  JPEG's SOF marker can sit behind large EXIF/ICC segments; when the header is cut short, the
  window grows (x8) until Pillow finds it or the file ends;
* a cache keyed by ``(uri, etag, size)``, so a changed object is read again, plus a per-run
  memo by URI, since an object does not change during one validation.

Storage is reached only through the two callables passed in (see :mod:`.image_sources`).
"""

from __future__ import annotations

import io
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from enum import Enum

from PIL import Image

from . import quotas
from .exceptions import ObjectAccessDeniedError, ObjectNotFoundError

FIRST_READ_BYTES = 64 * 1024
_WINDOW_GROWTH = 8
_PILLOW_FORMATS = ("PNG", "JPEG")
_JPEG_FORMATS = frozenset({"JPEG", "MPO"})  # Pillow names multi-picture JPEGs (cameras) "MPO"
_PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
_JPEG_MAGIC = b"\xff\xd8\xff"


@dataclass(frozen=True, slots=True)
class ObjectStat:
    """What a storage edge knows about an object without reading it."""

    size: int
    etag: str | None = None


StatFn = Callable[[str], ObjectStat]
ReadRangeFn = Callable[[str, int, int], bytes]


class ImageProblem(Enum):
    NOT_FOUND = "the object does not exist"
    ACCESS_DENIED = "the object cannot be read (access denied)"
    TOO_LARGE = "the file is larger than 15 MB"
    UNSUPPORTED_FORMAT = "the file is not a PNG or JPEG image"
    CORRUPT = "the PNG/JPEG header cannot be read"
    ASPECT_RATIO = "the aspect ratio is above 20:1"
    DIMENSIONS = "a side is outside 64-4096 px"


@dataclass(frozen=True, slots=True)
class ImageInfo:
    """The header facts of one image and the first guide limit it breaks, if any."""

    uri: str
    size: int | None = None
    format: str | None = None
    width: int | None = None
    height: int | None = None
    problem: ImageProblem | None = None

    @property
    def ok(self) -> bool:
        return self.problem is None

    def describe(self) -> str:
        """A log line that says what was found and what is allowed."""
        found = f"{self.format or '?'} {self.width or '?'}x{self.height or '?'} px, {self.size or '?'} bytes"
        if self.problem is None:
            return f"{self.uri}: {found}"
        return (
            f"{self.uri}: {self.problem.value} ({found}); allowed: PNG or JPEG, at most 15 MB, "
            f"64-4096 px a side, aspect ratio at most 20:1"
        )


def check_image(uri: str, size: int, image_format: str | None, width: int, height: int) -> ImageInfo:
    """Apply the guide's image limits (L16345-16349) to header facts.

    The order makes every non-dimension problem win over a dimension problem, because only
    dimension problems have their own code (``ERROR_INVALID_IMAGE_DIMENSION``, L6420).
    """
    fmt = "JPEG" if image_format in _JPEG_FORMATS else image_format
    problem: ImageProblem | None = None
    if size > quotas.MAX_IMAGE_BYTES:
        problem = ImageProblem.TOO_LARGE
    elif fmt not in quotas.IMAGE_FORMATS:
        problem = ImageProblem.UNSUPPORTED_FORMAT
    elif max(width, height) > quotas.MAX_ASPECT_RATIO * min(width, height):
        problem = ImageProblem.ASPECT_RATIO
    elif min(width, height) < quotas.MIN_IMAGE_SIDE_PX or max(width, height) > quotas.MAX_IMAGE_SIDE_PX:
        problem = ImageProblem.DIMENSIONS
    return ImageInfo(uri, size, fmt, width, height, problem)


def read_image_header(
    read_range: ReadRangeFn, uri: str, size: int, first_read_bytes: int = FIRST_READ_BYTES
) -> ImageInfo:
    """Read just enough of the object to learn its format and dimensions, then check them."""
    if size > quotas.MAX_IMAGE_BYTES:
        return ImageInfo(uri, size, problem=ImageProblem.TOO_LARGE)
    length = min(size, first_read_bytes)
    while True:
        data = read_range(uri, 0, length)
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", Image.DecompressionBombWarning)
                with Image.open(io.BytesIO(data), formats=_PILLOW_FORMATS) as image:
                    image_format, (width, height) = image.format, image.size
            return check_image(uri, size, image_format, width, height)
        except Image.DecompressionBombError:
            # Pillow refuses headers above ~179 megapixels: far beyond 4096 x 4096.
            return ImageInfo(uri, size, problem=ImageProblem.DIMENSIONS)
        except (OSError, SyntaxError, ValueError):
            magic_ok = data.startswith(_PNG_MAGIC) or data.startswith(_JPEG_MAGIC)
            if magic_ok and len(data) < size:
                length = min(size, length * _WINDOW_GROWTH)
                continue
            problem = ImageProblem.CORRUPT if magic_ok else ImageProblem.UNSUPPORTED_FORMAT
            return ImageInfo(uri, size, problem=problem)


class HeaderCache:
    """A bounded in-memory cache of :class:`ImageInfo` keyed by ``(uri, etag, size)``.

    Keep one per process (e.g. :data:`SHARED_HEADER_CACHE`) so that warm Lambda invocations
    and repeated validations of the same images skip the reads. Eviction is first-in
    first-out: cheap, and good enough for a working set of a few hundred thousand images.
    """

    def __init__(self, capacity: int = 200_000) -> None:
        if capacity < 1:
            raise ValueError(f"capacity must be at least 1, got {capacity}")
        self.capacity = capacity
        self._items: dict[tuple[str, str | None, int], ImageInfo] = {}

    def get(self, key: tuple[str, str | None, int]) -> ImageInfo | None:
        return self._items.get(key)

    def put(self, key: tuple[str, str | None, int], info: ImageInfo) -> None:
        if key not in self._items and len(self._items) >= self.capacity:
            del self._items[next(iter(self._items))]
        self._items[key] = info

    def __len__(self) -> int:
        return len(self._items)


SHARED_HEADER_CACHE = HeaderCache()


class ImageInspector:
    """Answers "is this image acceptable?" for validation, reading each image at most once.

    Args:
        stat: returns :class:`ObjectStat` for a URI; raises :class:`ObjectNotFoundError` or
            :class:`ObjectAccessDeniedError` (anything else propagates as a service error).
        read_range: ``read_range(uri, start, length) -> bytes``.
        cache: a :class:`HeaderCache` shared across runs; a private one by default.
    """

    def __init__(
        self,
        stat: StatFn,
        read_range: ReadRangeFn,
        *,
        cache: HeaderCache | None = None,
        first_read_bytes: int = FIRST_READ_BYTES,
    ) -> None:
        self._stat = stat
        self._read_range = read_range
        self._cache = cache if cache is not None else HeaderCache()
        self._first_read_bytes = first_read_bytes
        self._memo: dict[str, ImageInfo] = {}
        self.header_reads = 0
        self.readable_buckets: set[str] = set()
        self.denied_buckets: set[str] = set()

    def inspect(self, uri: str) -> ImageInfo:
        """The :class:`ImageInfo` for ``uri``; cached for this run and across runs."""
        info = self._memo.get(uri)
        if info is None:
            info = self._inspect(uri)
            self._memo[uri] = info
        return info

    def _inspect(self, uri: str) -> ImageInfo:
        bucket = uri[5:].partition("/")[0] if uri.startswith("s3://") else ""
        try:
            stat = self._stat(uri)
            key = (uri, stat.etag, stat.size)
            info = self._cache.get(key)
            if info is None:
                self.header_reads += 1
                info = read_image_header(self._read_range, uri, stat.size, self._first_read_bytes)
                self._cache.put(key, info)
        except ObjectNotFoundError:
            return ImageInfo(uri, problem=ImageProblem.NOT_FOUND)
        except ObjectAccessDeniedError:
            self.denied_buckets.add(bucket)
            return ImageInfo(uri, problem=ImageProblem.ACCESS_DENIED)
        self.readable_buckets.add(bucket)
        return info

    def buckets_without_access(self) -> set[str]:
        """Buckets where every image read was denied (``ERROR_INVALID_PERMISSIONS_IMAGES_S3_BUCKET``)."""
        return self.denied_buckets - self.readable_buckets
