"""A bucket of its own for each test that needs real S3 (LocalStack), and a test clock.

The ``bucket`` and ``admin_s3`` fixtures live in ``tests/conftest.py``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Bucket:
    """A bucket of its own for one test, and a client that is not recorded, for inspecting it."""

    name: str
    admin: Any

    def object_keys(self, prefix: str = "") -> list[str]:
        """Every key under ``prefix``, in S3's (lexicographic) order."""
        paginator = self.admin.get_paginator("list_objects_v2")
        pages = paginator.paginate(Bucket=self.name, Prefix=prefix)
        return [item["Key"] for page in pages for item in page.get("Contents", [])]


class Clock:
    """Epoch milliseconds that advance by one on every reading."""

    def __init__(self, start: int = 1_700_000_000_000) -> None:
        self.now = start

    def __call__(self) -> int:
        self.now += 1
        return self.now
