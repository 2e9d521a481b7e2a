"""The offline pictures the sample projects are made of: nothing is downloaded.

DESIGN.md "Offline data and weights": scikit-image ships about twenty photographs and its own
logo, scikit-learn the 1,797 handwritten digits (8x8), and Matplotlib its logo as sample data.
scikit-image and scikit-learn come with the ``bench`` extra, Matplotlib with ``train``; they are
imported on first use, so importing :mod:`customlabels.samples` costs nothing.

Every loader returns RGB (or RGBA for logos) ``uint8`` arrays and caches them for the process.
"""

from __future__ import annotations

from functools import cache

import numpy as np
from PIL import Image

# scikit-image's photographs by their ``skimage.data`` function (all shipped in the wheel).
TEXTURES = ("brick", "coins", "grass", "gravel")
SUBJECTS = ("astronaut", "cat", "coffee", "rocket")
BACKGROUNDS = (
    "astronaut",
    "brick",
    "camera",
    "coffee",
    "coins",
    "grass",
    "gravel",
    "hubble_deep_field",
    "immunohistochemistry",
    "moon",
    "rocket",
    "chelsea",
)
LOGOS = ("scikit_image", "matplotlib")
DIGIT_NAMES = ("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine")


@cache
def photograph(name: str) -> np.ndarray:
    """scikit-image's photograph ``name`` as an RGB ``uint8`` array (grey ones are stacked).

    Raises:
        ValueError: scikit-image has no such photograph.
    """
    import skimage.data

    loader = getattr(skimage.data, name, None)
    if loader is None:
        raise ValueError(f"scikit-image ships no photograph named {name!r}")
    pixels = np.asarray(loader())
    if pixels.dtype == bool:
        pixels = pixels.astype(np.uint8) * 255
    if pixels.ndim == 2:
        pixels = np.stack([pixels] * 3, axis=-1)
    result = np.ascontiguousarray(pixels[..., :3].astype(np.uint8))
    result.setflags(write=False)
    return result


@cache
def logo(name: str) -> Image.Image:
    """A real logo, cropped to its visible pixels, as an RGBA image.

    ``scikit_image``: scikit-image's ``logo.png``; ``matplotlib``: Matplotlib's ``logo2.png``.

    Raises:
        ValueError: ``name`` is not one of :data:`LOGOS`.
    """
    if name == "scikit_image":
        import skimage.data

        image = Image.fromarray(np.asarray(skimage.data.logo()).astype(np.uint8))
    elif name == "matplotlib":
        from matplotlib import cbook

        image = Image.open(cbook.get_sample_data("logo2.png", asfileobj=False))
    else:
        raise ValueError(f"logo must be one of {LOGOS}, got {name!r}")
    image = image.convert("RGBA")
    visible = image.getchannel("A").point(lambda alpha: 255 if alpha > 16 else 0).getbbox()
    return image.crop(visible) if visible else image


@cache
def digits() -> tuple[np.ndarray, np.ndarray]:
    """scikit-learn's digits: images ``(1797, 8, 8)`` in 0..16 and their labels 0..9."""
    from sklearn.datasets import load_digits

    loaded = load_digits()
    return np.asarray(loaded.images), np.asarray(loaded.target)
