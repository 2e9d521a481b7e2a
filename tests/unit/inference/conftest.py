"""Fixtures for the inference tests: the tiny models, exported once per session, and images."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from PIL import Image

from .builders import TinyModel, encode, export_model, photo


@pytest.fixture(scope="session")
def single_label_model(tmp_path_factory: pytest.TempPathFactory) -> TinyModel:
    return export_model(tmp_path_factory.mktemp("single_label"), "single_label")


@pytest.fixture(scope="session")
def multi_label_model(tmp_path_factory: pytest.TempPathFactory) -> TinyModel:
    return export_model(tmp_path_factory.mktemp("multi_label"), "multi_label")


@pytest.fixture(scope="session")
def detection_model(tmp_path_factory: pytest.TempPathFactory) -> TinyModel:
    return export_model(tmp_path_factory.mktemp("detection"), "detection")


@pytest.fixture
def png_bytes() -> Callable[..., bytes]:
    def make(width: int = 96, height: int = 80, mode: str = "RGB") -> bytes:
        return encode(photo(width, height, mode), "PNG")

    return make


@pytest.fixture
def jpeg_bytes() -> Callable[..., bytes]:
    def make(width: int = 96, height: int = 80, orientation: int | None = None) -> bytes:
        image = photo(width, height)
        if orientation is None:
            return encode(image, "JPEG", quality=90)
        exif = Image.Exif()
        exif[0x0112] = orientation  # Orientation tag
        return encode(image, "JPEG", quality=90, exif=exif)

    return make
