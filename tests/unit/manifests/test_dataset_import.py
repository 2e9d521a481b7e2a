"""Dataset creation from a manifest: file errors, dropped lines, stored entries (L4455-4624)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from customlabels.manifests import (
    ErrorCode,
    ManifestFileError,
    ObjectStat,
    Purpose,
    import_lines,
    manifest_lines,
    read_manifest,
)
from customlabels.manifests.image_sources import LocalImageSource
from customlabels.manifests.manifest_file import check_manifest_name
from customlabels.manifests.validation import split_lines

from .builders import DATA, box, classification, detection, dumps, write_image


def labeled(name: str, index: int = 0) -> str:
    return dumps(classification(f"s3://bucket/{name}/{index}.png", name))


def test_guide_manifest_imports_every_line() -> None:
    lines = manifest_lines((DATA / "guide_examples.manifest").read_bytes())
    result = import_lines(lines)
    assert (len(result.entries), result.dropped, result.total_lines) == (5, [], 5)
    assert result.labels() == {"Echo Dot", "Echo", "Sunrise", "football", "ball", "camellia", "with_leaves"}
    stored = [json.loads(line) for line in result.entry_lines()]
    assert all(line["cl-metadata"] == {"is_labeled": True} for line in stored)


def test_terminal_content_errors_drop_lines_silently() -> None:
    lines = [labeled("A", index) for index in range(20)]
    lines[3] = dumps({"sport0": 1})  # missing source-ref
    lines[7] = dumps(classification("https://bucket/a.png"))  # bad source-ref
    lines[9] = "{not json"
    lines[11] = lines[0]  # the same image twice: the first line wins
    result = import_lines(lines)
    assert [(d.line_number, d.code) for d in result.dropped] == [
        (4, "ERROR_MISSING_SOURCE_REF"),
        (8, "ERROR_INVALID_SOURCE_REF_FORMAT"),
        (10, "ERROR_INVALID_JSON_LINE"),
        (12, None),
    ]
    assert "already referenced by line 1" in result.dropped[3].reason
    assert len(result.entries) == 16


def test_over_long_lines_are_dropped() -> None:
    line = classification("s3://bucket/a.png", "A", padding="x" * 100_000)
    result = import_lines([dumps(line)] + [labeled("A", index) for index in range(1, 6)])
    assert result.dropped[0].code is None and "at most 100000" in result.dropped[0].reason


def test_non_terminal_errors_stay_on_the_entry() -> None:
    lines = [labeled("A"), dumps(detection("s3://bucket/b.png", [box(left=-1)]))]
    result = import_lines(lines)
    assert len(result.entries) == 2
    stored = json.loads(result.entry_lines()[1])
    assert stored["cl-errors"] == [
        {"code": "ERROR_NO_VALID_ANNOTATIONS", "message": "No valid annotations found."}
    ]
    assert stored["bounding-box"]["annotations"][0]["cl-errors"][0]["code"] == "ERROR_INVALID_BOUNDING_BOX"


def test_twenty_percent_of_dropped_lines_is_tolerated() -> None:
    lines = [labeled("A", index) for index in range(4)] + ["{"]
    assert len(import_lines(lines).dropped) == 1
    with pytest.raises(ManifestFileError) as info:
        import_lines(lines + ["{"])
    assert info.value.message == "The manifest file has too many terminal errors."
    assert "2 of 6" in str(info.value)


def test_row_and_label_limits() -> None:
    with pytest.raises(ManifestFileError, match="too many rows") as rows:
        import_lines([labeled("A", index) for index in range(3)], max_entries=2)
    assert rows.value.code == "ERROR_MANIFEST_ROWS_EXCEEDS_MAXIMUM"
    many = [labeled(f"L{index}") for index in range(251)]
    with pytest.raises(ManifestFileError, match="too many labels"):
        import_lines(many)
    assert len(import_lines(many[:250]).labels()) == 250


def test_empty_manifest() -> None:
    with pytest.raises(ManifestFileError) as dataset:
        manifest_lines(b"\n\n")
    assert dataset.value.code == "ERROR_MANIFEST_INACCESSIBLE_OR_UNSUPPORTED_FORMAT"
    with pytest.raises(ManifestFileError) as training:
        manifest_lines(b"", purpose=Purpose.TRAINING)
    assert training.value.message == "The manifest file is empty."
    with pytest.raises(ManifestFileError):
        import_lines([])


def test_blank_lines_inside_count_but_trailing_ones_do_not() -> None:
    # guide L3196: empty lines are dataset objects too.
    assert split_lines("a\r\n\nb\n\n \n") == ["a", "", "b"]
    result = import_lines([labeled("A", i) for i in range(5)] + [""] + [labeled("A", 9)])
    assert [d.code for d in result.dropped] == ["ERROR_INVALID_JSON_LINE"]


def test_manifest_must_be_utf8() -> None:
    with pytest.raises(ManifestFileError) as info:
        manifest_lines(b"\xff\xfe{")
    assert info.value.code == ErrorCode.ERROR_MANIFEST_INACCESSIBLE_OR_UNSUPPORTED_FORMAT.value
    assert manifest_lines(b"\xef\xbb\xbf" + labeled("A").encode()) == [labeled("A")]


@pytest.mark.parametrize("name", ["s3://bucket/output", "s3://bucket/dir.v2/output", "s3://bucket/out."])
def test_manifest_needs_an_extension(name: str) -> None:
    with pytest.raises(ManifestFileError) as info:
        check_manifest_name(name)
    assert info.value.message == "The manifest file extension or contents are invalid."


def test_read_manifest_through_an_edge(tmp_path: Path) -> None:
    write_image(tmp_path, "s3://bucket/train.manifest", (DATA / "guide_examples.manifest").read_bytes())
    source = LocalImageSource(tmp_path)
    lines = read_manifest("s3://bucket/train.manifest", stat=source.stat, read_range=source.read_range)
    assert len(lines) == 5
    with pytest.raises(ManifestFileError) as missing:
        read_manifest("s3://bucket/none.manifest", stat=source.stat, read_range=source.read_range)
    assert missing.value.code == "ERROR_MANIFEST_INACCESSIBLE_OR_UNSUPPORTED_FORMAT"
    with pytest.raises(ManifestFileError) as big:
        read_manifest(
            "s3://bucket/big.manifest",
            stat=lambda uri: ObjectStat(2 * 1024**3),
            read_range=source.read_range,
        )
    assert big.value.message == "The manifest file size exceeds the maximum supported size."
    assert big.value.status_message_code == "CLIENT_ERROR"


def test_images_are_checked_only_when_asked(tmp_path: Path) -> None:
    # guide L4610-4624: ERROR_INVALID_IMAGE is not a dataset-time error.
    lines = [dumps(classification("s3://bucket/none.png"))]
    assert not import_lines(lines).entries[0].has_errors
    checked = import_lines(lines, images=LocalImageSource(tmp_path).inspector())
    assert [e.code for e in checked.entries[0].errors] == ["ERROR_INVALID_IMAGE"]
