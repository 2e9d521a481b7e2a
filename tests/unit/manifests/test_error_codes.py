"""Every code the guide names is produced by at least one input, with the guide's message.

``SCENARIOS`` maps each :class:`ErrorCode` to the smallest input that produces it; the test
fails if a code has no scenario, so a new code cannot be added without one.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path

import pytest

from customlabels.manifests import (
    Category,
    ErrorCode,
    ImageInspector,
    LocalImageSource,
    ManifestEntry,
    ManifestError,
    ObjectAccessDeniedError,
    Purpose,
    distribute_entries,
    import_lines,
    manifest_lines,
    parse_entry,
    read_manifest,
    validate_for_training,
    validate_line,
)
from customlabels.manifests.codes import CATALOG, codes_in
from customlabels.manifests.training import bucket_owner_error, images_copy_error, write_validation_results

from .builders import box, classification, detection, dumps, image_bytes, write_image

SPEC = Path("/work/shared/spec/000_80d1b37cad120817.txt")


def line_codes(line: dict | str, images: ImageInspector | None = None) -> set[str]:
    """Codes on every level of one validated line (errors and warnings)."""
    result = validate_line(line if isinstance(line, str) else dumps(line), images=images)
    if result.entry is None:
        return {ErrorCode.ERROR_INVALID_JSON_LINE.value}
    return entry_codes(result.entry)


def entry_codes(entry: ManifestEntry) -> set[str]:
    found = {error.code for error in entry.all_errors()} | {warning.code for warning in entry.warnings}
    for attribute in entry.box_attributes:
        found |= {warning.code for warning in attribute.warnings}
    return found


def raised(action: Callable[[], object]) -> set[str]:
    with pytest.raises(ManifestError) as info:
        action()
    return {info.value.code}


def training_codes(training: list[dict], testing: list[dict] | None = None, **options: object) -> set[str]:
    outcome = validate_for_training(
        [dumps(line) for line in training],
        None if testing is None else [dumps(line) for line in testing],
        **options,  # type: ignore[arg-type]
    )
    return {error.code for error in (*outcome.training_errors, *outcome.testing_errors, *outcome.errors)}


def labeled(name: str, index: int = 0, bucket: str = "bucket") -> dict:
    return classification(f"s3://{bucket}/{name}/{index}.png", name)


def denied(_: str) -> object:
    raise ObjectAccessDeniedError("no")


def gif_inspector(tmp: Path) -> ImageInspector:
    write_image(tmp, "s3://bucket/a.gif", image_bytes(fmt="GIF"))
    return LocalImageSource(tmp).inspector()


def _read_twelve_bytes_allowing_ten(tmp: Path) -> object:
    write_image(tmp, "s3://bucket/x.manifest", b"0123456789AB")
    source = LocalImageSource(tmp)
    return read_manifest(
        "s3://bucket/x.manifest", stat=source.stat, read_range=source.read_range, max_bytes=10
    )


def _human_annotated_maybe() -> dict:
    line = classification()
    line["sport0-metadata"]["human-annotated"] = "maybe"  # guide L3022: "yes" or "no"
    return line


def _unsupported_type() -> dict:
    line = detection()
    line["bounding-box-metadata"]["type"] = "groundtruth/wrongtype"
    return line


def _usable_overlap() -> set[str]:
    train = [labeled("A"), labeled("B"), labeled("E"), labeled("A", 1), labeled("B", 1), labeled("E", 1)]
    train += [detection("s3://bucket/c.png", class_map={"0": "C", "1": "D"})]
    test = [labeled("A", 2), detection("s3://bucket/t.png", class_map={"0": "C", "1": "D"})]
    return training_codes(train, test)


C = ErrorCode
GOOD_TEST = [labeled("A", 9), labeled("B", 9)]
SCENARIOS: dict[ErrorCode, Callable[[Path], set[str]]] = {
    # Terminal dataset file errors (guide L4477-4483).
    C.ERROR_MANIFEST_INACCESSIBLE_OR_UNSUPPORTED_FORMAT: lambda tmp: raised(
        lambda: read_manifest("s3://bucket/output", stat=denied, read_range=denied)  # type: ignore[arg-type]
    ),
    C.ERROR_MANIFEST_SIZE_TOO_LARGE: lambda tmp: raised(lambda: _read_twelve_bytes_allowing_ten(tmp)),
    C.ERROR_MANIFEST_ROWS_EXCEEDS_MAXIMUM: lambda tmp: raised(
        lambda: import_lines([dumps(labeled("A")), dumps(labeled("B"))], max_entries=1)
    ),
    C.ERROR_INVALID_PERMISSIONS_MANIFEST_S3_BUCKET: lambda tmp: raised(
        lambda: read_manifest("s3://bucket/x.manifest", stat=denied, read_range=denied)  # type: ignore[arg-type]
    ),
    C.ERROR_TOO_MANY_RECORDS_IN_ERROR: lambda tmp: raised(
        lambda: import_lines([dumps(labeled("A")), "{oops"])
    ),
    C.ERROR_MANIFEST_TOO_MANY_LABELS: lambda tmp: raised(
        lambda: import_lines([dumps(labeled("A")), dumps(labeled("B"))], max_labels=1)
    ),
    C.ERROR_INSUFFICIENT_IMAGES_PER_LABEL_FOR_DISTRIBUTE: lambda tmp: raised(
        lambda: distribute_entries([parse_entry(labeled("A")), parse_entry(labeled("B"))], [])
    ),
    # Training file errors (no code in the guide, L5730).
    C.ERROR_EMPTY_MANIFEST: lambda tmp: raised(lambda: manifest_lines(b"\n", purpose=Purpose.TRAINING)),
    C.ERROR_CANNOT_WRITE_OUTPUT_S3_BUCKET: lambda tmp: raised(
        lambda: write_validation_results(
            validate_for_training([dumps(labeled("A"))], auto_split=True),
            lambda key, body: denied(key),  # type: ignore[arg-type]
        )
    ),
    # Terminal manifest content errors (guide L5782-6081).
    C.ERROR_TOO_MANY_INVALID_ROWS_IN_MANIFEST: lambda tmp: training_codes(
        [labeled("A"), labeled("B"), {"source-ref": "https://x/y.png"}], GOOD_TEST
    ),
    C.ERROR_IMAGES_IN_MULTIPLE_S3_BUCKETS: lambda tmp: training_codes(
        [labeled("A"), labeled("B", bucket="other-bucket")], GOOD_TEST
    ),
    C.ERROR_INVALID_PERMISSIONS_IMAGES_S3_BUCKET: lambda tmp: training_codes(
        [labeled("A"), labeled("B")],
        GOOD_TEST,
        images=ImageInspector(denied, denied),  # type: ignore[arg-type]
    ),
    C.ERROR_INVALID_IMAGES_S3_BUCKET_OWNER: lambda tmp: {bucket_owner_error("owner-1", "owner-2").code},  # type: ignore[union-attr]
    C.ERROR_INSUFFICIENT_IMAGES_PER_LABEL_FOR_AUTOSPLIT: lambda tmp: training_codes(
        [labeled("A"), labeled("B")], auto_split=True
    ),
    C.ERROR_MANIFEST_TOO_FEW_LABELS: lambda tmp: training_codes([labeled("A"), labeled("A", 1)], GOOD_TEST),
    C.ERROR_INSUFFICIENT_LABEL_OVERLAP: lambda tmp: training_codes(
        [labeled("A"), labeled("B")], [labeled("C"), labeled("D")]
    ),
    C.ERROR_MANIFEST_TOO_FEW_USABLE_LABELS: lambda tmp: training_codes(
        [labeled("A"), labeled("A", 1), labeled("A", 2), detection(class_map={"0": "B", "1": "B"})], GOOD_TEST
    ),
    C.ERROR_INSUFFICIENT_USABLE_LABEL_OVERLAP: lambda tmp: _usable_overlap(),
    C.ERROR_FAILED_IMAGES_S3_COPY: lambda tmp: {images_copy_error(0, 3).code},  # type: ignore[union-attr]
    # Non-terminal JSON Line errors (guide L6089-6982).
    C.ERROR_MISSING_SOURCE_REF: lambda tmp: line_codes({"sport0": 1}),
    C.ERROR_INVALID_SOURCE_REF_FORMAT: lambda tmp: line_codes(classification("https://bucket/a.png")),
    C.ERROR_NO_LABEL_ATTRIBUTES: lambda tmp: line_codes(
        {"source-ref": "s3://bucket/a.png", "bounding-box": {}}
    ),
    C.ERROR_INVALID_LABEL_ATTRIBUTE_FORMAT: lambda tmp: line_codes(
        detection(boxes=[{"class_id": 0, "top": 1}])
    ),
    C.ERROR_INVALID_LABEL_ATTRIBUTE_METADATA_FORMAT: lambda tmp: line_codes(_human_annotated_maybe()),
    C.ERROR_NO_VALID_LABEL_ATTRIBUTES: lambda tmp: line_codes(_unsupported_type()),
    C.ERROR_MISSING_BOUNDING_BOX_CONFIDENCE: lambda tmp: line_codes(
        {
            **detection(),
            "bounding-box-metadata": {**detection()["bounding-box-metadata"], "objects": [{"confidence": 1}]},
        }
    ),
    C.ERROR_MISSING_CLASS_MAP_ID: lambda tmp: line_codes(detection(boxes=[box(class_id=7)])),
    C.ERROR_INVALID_JSON_LINE: lambda tmp: line_codes('{"source-ref": "s3://bucket/a.png",'),
    C.ERROR_INVALID_IMAGE: lambda tmp: line_codes(classification("s3://bucket/a.gif"), gif_inspector(tmp)),
    C.ERROR_INVALID_IMAGE_DIMENSION: lambda tmp: line_codes(
        detection(boxes=[box(0, 1, 1, 20, 20)], size=(32, 32))
    ),
    C.ERROR_INVALID_BOUNDING_BOX: lambda tmp: line_codes(detection(boxes=[box(left=-1), box()])),
    C.ERROR_NO_VALID_ANNOTATIONS: lambda tmp: line_codes(detection(boxes=[box(left=600, width=100)])),
    C.ERROR_BOUNDING_BOX_TOO_SMALL: lambda tmp: line_codes(
        detection(boxes=[box(1, 0, 0, 1, 1), box()], size=(3000, 3000))  # the guide's example, L5553-5613
    ),
    C.ERROR_TOO_MANY_BOUNDING_BOXES: lambda tmp: line_codes(detection(boxes=[box()] * 51)),
    C.ERROR_UNSUPPORTED_USE_CASE_TYPE: lambda tmp: line_codes(_unsupported_type()),
    C.ERROR_INVALID_LABEL_NAME_LENGTH: lambda tmp: line_codes(classification("s3://bucket/a.png", "x" * 257)),
    # Warnings (guide L6720-6862).
    C.WARNING_UNANNOTATED_RECORD: lambda tmp: line_codes({"source-ref": "s3://bucket/a.png"}),
    C.WARNING_NO_ANNOTATIONS: lambda tmp: line_codes(detection(boxes=[])),
    C.WARNING_NO_ATTRIBUTE_ANNOTATIONS: lambda tmp: line_codes(detection(boxes=[])),
}


def test_every_code_has_a_scenario() -> None:
    assert set(SCENARIOS) == set(ErrorCode)


@pytest.mark.parametrize("code", list(ErrorCode), ids=lambda code: code.value)
def test_code_is_produced(code: ErrorCode, tmp_path: Path) -> None:
    assert code.value in SCENARIOS[code](tmp_path)


def test_catalog_holds_every_code_the_guide_names() -> None:
    if not SPEC.exists():
        pytest.skip("the guide is not available here")
    named = set(re.findall(r"\b((?:ERROR|WARNING)_[A-Z0-9_]+)", SPEC.read_text(encoding="utf-8")))
    named.discard("ERROR_")
    catalog = {code.value for code in ErrorCode}
    assert named <= catalog
    # Only the two code-less training file errors are ours (English guide anchors, L5730).
    assert catalog - named == {"ERROR_EMPTY_MANIFEST", "ERROR_CANNOT_WRITE_OUTPUT_S3_BUCKET"}


def test_guide_line_references_point_at_the_code() -> None:
    if not SPEC.exists():
        pytest.skip("the guide is not available here")
    guide = SPEC.read_text(encoding="utf-8").splitlines()
    for code, info in CATALOG.items():
        if code.value.startswith(("ERROR_EMPTY", "ERROR_CANNOT")):
            continue
        assert code.value in guide[info.guide_line - 1], code


@pytest.mark.parametrize(
    ("code", "message"),
    [
        (C.ERROR_MISSING_CLASS_MAP_ID, "One of more class ids is missing from the class map."),
        (C.ERROR_BOUNDING_BOX_TOO_SMALL, "The height and width of the bounding box is too small."),
        (C.ERROR_INVALID_IMAGE, "The image is invalid. Check S3 path and/or image properties."),
        (C.WARNING_NO_ANNOTATIONS, "No annotations were found."),
        (C.ERROR_TOO_MANY_INVALID_ROWS_IN_MANIFEST, "The manifest file contains too many invalid rows."),
    ],
)
def test_messages_are_the_guides(code: ErrorCode, message: str) -> None:
    assert CATALOG[code].message == message


def test_categories_match_the_guides_lists() -> None:
    # guide L4477-4483: seven dataset file errors; L4610-4624: thirteen dataset entry errors.
    assert len(codes_in(Category.DATASET_FILE)) == 7
    assert len(codes_in(Category.JSON_LINE)) == 17
    assert len(codes_in(Category.WARNING)) == 3


def test_invalid_json_line_is_replaced_by_its_error() -> None:
    result = validate_line("not json", 4)
    assert json.loads(result.to_line()) == {
        "errors": [{"code": "ERROR_INVALID_JSON_LINE", "message": "The JSON Line has an invalid format."}]
    }
