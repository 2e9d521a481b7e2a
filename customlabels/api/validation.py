"""Request validation against the botocore model, before any work is done.

Every constraint comes from the input shape: required members, member names, JSON types,
string lengths and patterns, enums, numeric ranges, list and map sizes, nested structures.
Violations are collected (not just the first) and reported as one ValidationException whose
message names each member, what was wrong and what is allowed, in the phrasing the service's
request framework uses ("Value '0' at 'MaxResults' failed to satisfy constraint: ...").

Two choices beyond the model, documented here because clients see them:

- Members the model does not declare are rejected (botocore's own client-side validation does
  the same), so a typo such as the guide's ``MaxLabels`` (L9945) fails instead of being ignored.
- Patterns must match the whole value (the service's behaviour: a project name with a space is
  refused although ``[a-zA-Z0-9_.\\-]+`` would match part of it). The model's Java-style
  ``\\p{L}``/``\\p{Z}``/``\\p{N}`` classes are expanded from ``unicodedata``; ``\\d`` is ASCII.
"""

from __future__ import annotations

import base64
import binascii
import re
import unicodedata
from functools import cache
from typing import Any

from botocore.model import ListShape, MapShape, Shape, StringShape, StructureShape

from customlabels.api.errors import ValidationException

_SHOWN_VALUE_CHARS = 64
# Unicode assigns letters, numbers and separators only in planes 0-3; 14 holds format tags.
_SCANNED_PLANES = (range(0x0, 0x40000), range(0xE0000, 0xF0000))


def validate(shape: Shape | None, value: dict[str, Any]) -> dict[str, Any]:
    """Check ``value`` against the input ``shape`` and return it with blobs decoded to bytes.

    Raises:
        ValidationException: listing every violated constraint.
    """
    if shape is None:
        return {}
    checker = _Checker()
    checked = checker.check(shape, value, "")
    if checker.problems:
        count = len(checker.problems)
        noun = "error" if count == 1 else "errors"
        raise ValidationException(f"{count} validation {noun} detected: " + "; ".join(checker.problems))
    return dict(checked)


class _Checker:
    def __init__(self) -> None:
        self.problems: list[str] = []

    def fail(self, value: Any, path: str, constraint: str) -> None:
        self.problems.append(f"Value {_show(value)} at '{path}' failed to satisfy constraint: {constraint}")

    def check(self, shape: Shape, value: Any, path: str) -> Any:
        kind = shape.type_name
        checker = getattr(self, f"_check_{kind}", None)
        if checker is None:
            return value
        return checker(shape, value, path)

    def _check_structure(self, shape: StructureShape, value: Any, path: str) -> Any:
        if not isinstance(value, dict):
            self.fail(value, path or shape.name, "Member must be a JSON object")
            return value
        members = shape.members
        for name in shape.required_members:
            if value.get(name) is None:
                self.fail(None, _join(path, name), "Member must not be null")
        result: dict[str, Any] = {}
        for name, item in value.items():
            if name not in members:
                allowed = ", ".join(members)
                self.problems.append(
                    f"Member '{_join(path, name)}' is not a parameter of {shape.name}; allowed: {allowed}"
                )
            elif item is not None:
                result[name] = self.check(members[name], item, _join(path, name))
        return result

    def _check_list(self, shape: ListShape, value: Any, path: str) -> Any:
        if not isinstance(value, list):
            self.fail(value, path, "Member must be a JSON array")
            return value
        self._check_size(shape, len(value), value, path, "items")
        member = shape.member
        return [self.check(member, item, f"{path}[{index}]") for index, item in enumerate(value)]

    def _check_map(self, shape: MapShape, value: Any, path: str) -> Any:
        if not isinstance(value, dict):
            self.fail(value, path, "Member must be a JSON object (map)")
            return value
        self._check_size(shape, len(value), value, path, "entries")
        key_shape, value_shape = shape.key, shape.value
        return {
            self.check(key_shape, key, f"{path}.key"): self.check(value_shape, item, f"{path}[{key!r}]")
            for key, item in value.items()
        }

    def _check_string(self, shape: StringShape, value: Any, path: str) -> Any:
        if not isinstance(value, str):
            self.fail(value, path, "Member must be a string")
            return value
        self._check_size(shape, len(value), value, path, "characters")
        enum = shape.enum
        if enum and value not in enum:
            self.fail(value, path, "Member must satisfy enum value set: [" + ", ".join(enum) + "]")
        pattern = shape.metadata.get("pattern")
        if pattern and not _compiled(pattern).fullmatch(value):
            self.fail(value, path, f"Member must satisfy regular expression pattern: {pattern}")
        return value

    def _check_integer(self, shape: Shape, value: Any, path: str) -> Any:
        if isinstance(value, bool) or not isinstance(value, int):
            self.fail(value, path, "Member must be an integer")
            return value
        self._check_range(shape, value, path)
        return value

    _check_long = _check_integer

    def _check_float(self, shape: Shape, value: Any, path: str) -> Any:
        if isinstance(value, bool) or not isinstance(value, int | float):
            self.fail(value, path, "Member must be a number")
            return value
        self._check_range(shape, value, path)
        return value

    _check_double = _check_float

    def _check_boolean(self, shape: Shape, value: Any, path: str) -> Any:
        if not isinstance(value, bool):
            self.fail(value, path, "Member must be a boolean")
        return value

    def _check_blob(self, shape: Shape, value: Any, path: str) -> Any:
        if not isinstance(value, str):
            self.fail(value, path, "Member must be a base64-encoded string")
            return value
        try:
            data = base64.b64decode(value, validate=True)
        except (binascii.Error, ValueError):
            self.fail(value, path, "Member must be a base64-encoded string")
            return value
        self._check_size(shape, len(data), f"<{len(data)} bytes>", path, "bytes")
        return data

    def _check_timestamp(self, shape: Shape, value: Any, path: str) -> Any:
        if isinstance(value, bool) or not isinstance(value, int | float):
            self.fail(value, path, "Member must be a timestamp in epoch seconds")
        return value

    def _check_size(self, shape: Shape, size: int, value: Any, path: str, unit: str) -> None:
        low, high = shape.metadata.get("min"), shape.metadata.get("max")
        if (low is not None and size < low) or (high is not None and size > high):
            self.fail(value, path, f"Member must have length {_bounds(low, high)} {unit}, got {size}")

    def _check_range(self, shape: Shape, value: float, path: str) -> None:
        low, high = shape.metadata.get("min"), shape.metadata.get("max")
        if (low is not None and value < low) or (high is not None and value > high):
            self.fail(value, path, f"Member must have value {_bounds(low, high)}")


def _join(path: str, name: str) -> str:
    return f"{path}.{name}" if path else name


def _bounds(low: float | None, high: float | None) -> str:
    if low is not None and high is not None:
        return f"between {low} and {high}"
    if low is not None:
        return f"greater than or equal to {low}"
    return f"less than or equal to {high}"


def _show(value: Any) -> str:
    if value is None:
        return "null"
    text = value if isinstance(value, str) else repr(value)
    if len(text) > _SHOWN_VALUE_CHARS:
        text = text[:_SHOWN_VALUE_CHARS] + "..."
    return f"'{text}'"


@cache
def _compiled(pattern: str) -> re.Pattern[str]:
    """A model pattern as a Python regex (``\\p{X}`` classes expanded, ASCII ``\\d``)."""
    return re.compile(_expand_unicode_classes(pattern), re.ASCII)


def _expand_unicode_classes(pattern: str) -> str:
    out: list[str] = []
    in_class = False
    index = 0
    while index < len(pattern):
        char = pattern[index]
        if char == "\\" and pattern.startswith("\\p{", index):
            end = pattern.index("}", index)
            ranges = _category_ranges(pattern[index + 3 : end])
            out.append(ranges if in_class else f"[{ranges}]")
            index = end + 1
            continue
        if char == "\\":
            out.append(pattern[index : index + 2])
            index += 2
            continue
        if char == "[" and not in_class:
            in_class = True
        elif char == "]" and in_class:
            in_class = False
        out.append(char)
        index += 1
    return "".join(out)


def _category_ranges(category: str) -> str:
    """Character-class ranges of every code point whose Unicode category starts with ``category``."""
    spans = _major_category_spans().get(category)
    if not spans:
        raise ValueError(f"unsupported Unicode category {category!r}")
    return "".join(
        re.escape(chr(low)) if low == high else f"{re.escape(chr(low))}-{re.escape(chr(high))}"
        for low, high in spans
    )


@cache
def _major_category_spans() -> dict[str, list[tuple[int, int]]]:
    """Runs of code points by major category (L, N, Z, ...), from one scan of the assigned planes."""
    spans: dict[str, list[tuple[int, int]]] = {}
    for plane in _SCANNED_PLANES:
        current, start = "", plane.start
        for code in plane:
            major = unicodedata.category(chr(code))[0]
            if major != current:
                if current:
                    spans.setdefault(current, []).append((start, code - 1))
                current, start = major, code
        spans.setdefault(current, []).append((start, plane.stop - 1))
    return spans
