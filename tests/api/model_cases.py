"""Requests generated from the botocore model: a valid baseline per operation, and for every
constrained member one request that breaks exactly one constraint.

Valid values come from the shapes themselves (enum values, minimum sizes); a patterned string
needs an example from :data:`EXAMPLES`, and a new pattern without one fails the generation, so
a botocore upgrade cannot silently shrink the table.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass
from typing import Any

from botocore.model import ListShape, MapShape, Shape, StringShape, StructureShape

from customlabels.api import model

PROJECT_ARN = "arn:aws:rekognition:us-east-1:123456789012:project/no-such-project/1700000000000"
EXAMPLES: dict[str, Any] = {
    "ProjectArn": PROJECT_ARN,
    "ProjectVersionArn": PROJECT_ARN.replace("/1700000000000", "/version/v1/1700000000001"),
    "DatasetArn": PROJECT_ARN.replace("/1700000000000", "/dataset/train/1700000000002"),
    "ResourceArn": PROJECT_ARN,
    "ProjectName": "no-such-project",
    "VersionName": "v1",
    "ProjectPolicyName": "policy",
    "ProjectPolicyRevisionId": "0123456789abcdef",
    "ProjectPolicyDocument": "{}",
    "KmsKeyId": "alias/my-key",
    "S3Bucket": "my-bucket",
    "VersionDescription": "A model",
    "TagKey": "key",
    "TagValue": "value",
    "DatasetLabel": "label",
    "QueryString": "images/",
}
# Candidates for breaking a pattern, tried in order until one fails it.
PATTERN_BREAKERS = ("#", " ", "\n", "\u0001", "arn:aws:s3:::x", "-x", "aws:x")
WRONG_TYPES = {
    "string": 12345,
    "integer": "1",
    "long": "1",
    "float": "1.5",
    "double": "1.5",
    "boolean": "true",
    "blob": 12345,
    "list": "not-a-list",
    "map": "not-a-map",
    "structure": "not-a-structure",
}


@dataclass(frozen=True)
class Case:
    operation: str
    path: str
    broken: str
    request: dict[str, Any]
    big: bool = False  # a request of megabytes (blob size limits)

    @property
    def id(self) -> str:
        return f"{self.operation}:{self.path}:{self.broken}"


def example(shape: Shape) -> Any:
    """A valid value of ``shape`` (only required members for structures)."""
    if shape.name in EXAMPLES:
        return EXAMPLES[shape.name]
    kind = shape.type_name
    if isinstance(shape, StructureShape):
        return {name: example(shape.members[name]) for name in shape.required_members}
    if isinstance(shape, ListShape):
        return [example(shape.member) for _ in range(max(1, shape.metadata.get("min", 0)))]
    if isinstance(shape, MapShape):
        return {} if not shape.metadata.get("min") else {example(shape.key): example(shape.value)}
    if isinstance(shape, StringShape):
        if shape.enum:
            return shape.enum[0]
        if "pattern" in shape.metadata:
            raise LookupError(f"add an example for the patterned string shape {shape.name}")
        return "x" * max(1, shape.metadata.get("min", 1))
    if kind in ("integer", "long"):
        return int(shape.metadata.get("min", 1))
    if kind in ("float", "double"):
        return float(shape.metadata.get("min", 0))
    if kind == "boolean":
        return True
    if kind == "blob":
        return base64.b64encode(b"x" * max(1, shape.metadata.get("min", 1))).decode()
    raise LookupError(f"no example for {shape.name} ({kind})")


def broken_values(shape: Shape) -> list[tuple[str, Any, bool]]:
    """Values of ``shape``'s type that break one of its constraints: (what, value, big)."""
    meta, kind = shape.metadata, shape.type_name
    values: list[tuple[str, Any, bool]] = [("type", WRONG_TYPES[kind], False)]
    low, high = meta.get("min"), meta.get("max")
    if isinstance(shape, StringShape):
        if low:
            values.append(("too-short", "x" * (low - 1), False))
        if high is not None:
            values.append(("too-long", "x" * (high + 1), False))
        if shape.enum:
            values.append(("enum", "NOT_A_VALUE", False))
        if "pattern" in meta:
            values.append(("pattern", _breaking(shape), False))
    elif kind in ("integer", "long", "float", "double"):
        if low is not None:
            values.append(("below-min", low - 1, False))
        if high is not None:
            values.append(("above-max", high + 1, False))
    elif isinstance(shape, ListShape):
        if low:
            values.append(("too-few", [example(shape.member)] * (low - 1), False))
        if high is not None:
            values.append(("too-many", [example(shape.member)] * (high + 1), False))
    elif isinstance(shape, MapShape) and high is not None:
        values.append(("too-many", {f"k{index}": example(shape.value) for index in range(high + 1)}, False))
    elif kind == "blob":
        values.append(("not-base64", "%%%not base64%%%", False))
        if high is not None:
            values.append(("too-big", base64.b64encode(b"x" * (high + 1)).decode(), True))
    return values


def _breaking(shape: StringShape) -> str:
    from customlabels.api.validation import _compiled

    pattern = _compiled(shape.metadata["pattern"])
    low, high = shape.metadata.get("min", 1), shape.metadata.get("max", 10**6)
    for candidate in PATTERN_BREAKERS:
        value = candidate * max(1, -(-low // len(candidate)))  # repeated up to the minimum length
        if low <= len(value) <= high and not pattern.fullmatch(value):
            return value
    raise LookupError(f"no value breaks the pattern of {shape.name}")


def cases(operation: str) -> list[Case]:
    """One case per broken constraint of every member reachable from the operation's input."""
    shape = model.operation(operation).input_shape
    assert isinstance(shape, StructureShape)
    found = [
        Case(operation, path, broken, request, big)
        for path, broken, request, big in _structure_cases(shape, example(shape), "")
    ]
    found.append(Case(operation, "NotAMember", "unknown-member", {**example(shape), "NotAMember": 1}))
    return found


def _structure_cases(
    shape: StructureShape, base: dict[str, Any], path: str
) -> list[tuple[str, str, Any, bool]]:
    out: list[tuple[str, str, Any, bool]] = []
    for name, member in shape.members.items():
        member_path = f"{path}.{name}" if path else name
        if name in shape.required_members:
            out.append(
                (member_path, "missing", {key: value for key, value in base.items() if key != name}, False)
            )
        present = base.get(name, example(member))
        for sub_path, broken, value, big in _member_cases(member, present, member_path):
            out.append((sub_path, broken, {**base, name: value}, big))
    return out


def _member_cases(shape: Shape, present: Any, path: str) -> list[tuple[str, str, Any, bool]]:
    out = [(path, broken, value, big) for broken, value, big in broken_values(shape)]
    if isinstance(shape, StructureShape):
        out.extend(_structure_cases(shape, present, path))
    elif isinstance(shape, ListShape):
        rest = present[1:]
        for sub_path, broken, value, big in _member_cases(shape.member, example(shape.member), f"{path}[0]"):
            out.append((sub_path, broken, [value, *rest], big))
    elif isinstance(shape, MapShape):
        for broken, key, big in broken_values(shape.key):
            if isinstance(key, str):
                out.append((f"{path}.key", broken, {key: example(shape.value)}, big))
        for broken, value, big in broken_values(shape.value):
            out.append((f"{path}.value", broken, {example(shape.key): value}, big))
    return out
