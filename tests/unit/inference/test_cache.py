"""The model cache: one download per artifact version, one loaded model per process."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from customlabels.inference.cache import ModelCache
from customlabels.inference.predictor import Predictor

from .builders import TinyModel

ARN = "arn:aws:rekognition:us-east-1:000000000000:project/p/version/v1/1700000000000"
OTHER_ARN = "arn:aws:rekognition:us-east-1:000000000000:project/p/version/v2/1700000000001"


class Store:
    """A fake object store: ``fetch`` copies from a local model directory and counts the calls."""

    def __init__(self, source: Path, fail_on: str | None = None) -> None:
        self.source = source
        self.fail_on = fail_on
        self.fetched: list[str] = []

    def fetch(self, uri: str, dest: Path) -> None:
        self.fetched.append(uri)
        name = uri.rsplit("/", 1)[-1]
        if name == self.fail_on:
            dest.write_bytes(b"partial")
            raise ConnectionError(f"lost the connection while reading {uri}")
        shutil.copy(self.source / name, dest)


class CountingLoader:
    def __init__(self) -> None:
        self.loaded: list[Path] = []

    def __call__(self, model_dir: Path) -> Predictor:
        self.loaded.append(model_dir)
        return Predictor(model_dir, threads=1)


def test_second_get_reuses_the_loaded_model(single_label_model: TinyModel, tmp_path: Path) -> None:
    store, loader = Store(single_label_model.model_dir), CountingLoader()
    cache = ModelCache(store.fetch, tmp_path, loader=loader)
    first = cache.get(ARN, "s3://bucket/models/v1/", '"etag-1"')
    second = cache.get(ARN, "s3://bucket/models/v1/", '"etag-1"')
    assert second is first
    assert len(loader.loaded) == 1
    assert store.fetched == ["s3://bucket/models/v1/model.json", "s3://bucket/models/v1/model.onnx"]


def test_files_on_disk_are_not_downloaded_again(single_label_model: TinyModel, tmp_path: Path) -> None:
    store = Store(single_label_model.model_dir)
    ModelCache(store.fetch, tmp_path).get(ARN, "s3://bucket/v1", "etag-1")
    fresh_process = ModelCache(store.fetch, tmp_path, loader=CountingLoader())
    fresh_process.get(ARN, "s3://bucket/v1", "etag-1")
    assert len(store.fetched) == 2


def test_a_new_etag_reloads_and_drops_the_old_files(single_label_model: TinyModel, tmp_path: Path) -> None:
    store, loader = Store(single_label_model.model_dir), CountingLoader()
    cache = ModelCache(store.fetch, tmp_path, loader=loader)
    cache.get(ARN, "s3://bucket/v1", "etag-1")
    cache.get(ARN, "s3://bucket/v1", "etag-2")
    assert len(loader.loaded) == 2
    assert not cache.local_dir(ARN, "etag-1").exists()
    assert (cache.local_dir(ARN, "etag-2") / "model.onnx").is_file()


def test_only_one_model_stays_loaded(single_label_model: TinyModel, tmp_path: Path) -> None:
    store, loader = Store(single_label_model.model_dir), CountingLoader()
    cache = ModelCache(store.fetch, tmp_path, loader=loader)
    cache.get(ARN, "s3://bucket/v1", "e")
    cache.get(OTHER_ARN, "s3://bucket/v2", "e")
    cache.get(ARN, "s3://bucket/v1", "e")
    assert len(loader.loaded) == 3  # switching back loads again, from disk
    assert len(store.fetched) == 4


def test_a_failed_download_leaves_nothing_behind(single_label_model: TinyModel, tmp_path: Path) -> None:
    cache = ModelCache(Store(single_label_model.model_dir, fail_on="model.onnx").fetch, tmp_path)
    with pytest.raises(ConnectionError):
        cache.get(ARN, "s3://bucket/v1", "etag-1")
    model_dir = cache.local_dir(ARN, "etag-1")
    assert not model_dir.exists()
    assert list(model_dir.parent.iterdir()) == []  # no scratch directory either


@pytest.mark.parametrize("etag", ['"..', "../../etc", "/abs", ""])
def test_local_dir_stays_inside_the_cache_for_any_etag(tmp_path: Path, etag: str) -> None:
    path = ModelCache(lambda uri, dest: None, tmp_path).local_dir(ARN, etag)
    assert path.parent.parent == tmp_path
    assert path.name.isalnum()
