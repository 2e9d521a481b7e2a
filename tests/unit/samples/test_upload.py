"""Uploading a written sample keeps the keys its manifests name."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

import pytest

from customlabels.samples import SampleProject, write_sample
from customlabels.samples.upload import split_s3_uri, upload_files, upload_sample


class RecordingS3:
    """Records ``upload_file`` calls (called from several threads)."""

    def __init__(self) -> None:
        self.uploads: dict[tuple[str, str], tuple[str, dict[str, Any]]] = {}
        self._lock = threading.Lock()

    def upload_file(self, filename: str, bucket: str, key: str, ExtraArgs: dict[str, Any]) -> None:  # noqa: N803
        with self._lock:
            self.uploads[(bucket, key)] = (filename, ExtraArgs)


def test_every_file_goes_where_the_manifests_point(
    quick_samples: list[SampleProject], tmp_path: Path
) -> None:
    written = write_sample(quick_samples[2], tmp_path / "logos_1", "s3://data/assets/logos_1/")
    s3 = RecordingS3()
    progress: list[tuple[int, int]] = []
    uris = upload_sample(s3, written, on_progress=lambda done, total: progress.append((done, total)))
    assert len(uris) == len(written.files()) == len(s3.uploads)
    assert progress[-1] == (len(uris), len(uris))
    manifest_refs = [
        line.split('"source-ref": "', 1)[1].split('"', 1)[0]
        for line in written.train_manifest.read_text().splitlines()
    ]
    assert set(manifest_refs) <= set(uris)
    filename, extra = s3.uploads[("data", "assets/logos_1/train.manifest")]
    assert Path(filename) == written.train_manifest and extra == {}
    image_key = split_s3_uri(manifest_refs[0])
    assert s3.uploads[image_key][1] == {"ContentType": "image/png"}


def test_upload_files_keeps_the_order_given(tmp_path: Path) -> None:
    paths = []
    for index in range(5):
        paths.append(tmp_path / f"{index}.png")
        paths[-1].write_bytes(b"x")
    uris = [f"s3://b/batch/{index}.png" for index in range(5)]
    assert upload_files(RecordingS3(), list(zip(paths, uris, strict=True))) == uris


@pytest.mark.parametrize("bad", ["bucket/key", "s3:///key", "https://b/k"])
def test_s3_uris_are_checked(bad: str) -> None:
    with pytest.raises(ValueError, match="s3://bucket/key"):
        split_s3_uri(bad)
