"""The four sample projects, one per model type the guide's samples show (L1047-1098).

==============  ===============  ==============================================================
guide sample    ours             pictures and labels
==============  ===============  ==============================================================
Rooms           ``textures``     single-label classification: crops of scikit-image's brick,
                                 coins, grass and gravel photographs, one label per image
Flowers         ``photos``       multi-label classification: crops of four photographs, two
                                 concepts per image like the guide's flower type and growth
                                 stage: the subject (astronaut, cat, coffee, rocket) and the
                                 style (colour, grayscale)
Logos           ``logos``        brand detection: scikit-image's and Matplotlib's logos pasted
                                 on photographs at random places and scales, with boxes
Circuit boards  ``digits``       object localization: handwritten digits (scikit-learn) pasted
                                 on photographs, with boxes
==============  ===============  ==============================================================

The guide's Logos sample trains on logo-only images with an image-level label and tests on
boxes (L1071); a customlabels detector learns from boxes (image-level lines are dropped when the
model type is object detection, L6016-6018), so both of our datasets carry boxes.

Every builder is a pure function of a :class:`SampleSize` and a seed: the same arguments give the
same pixels, labels and boxes. Training and test images never share pixels: texture crops come
from disjoint bands of the photographs, pasted digits from disjoint halves of scikit-learn's set.
"""

from __future__ import annotations

import zlib
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from PIL import Image

from customlabels.samples import sources
from customlabels.samples.compose import (
    Box,
    adjust_brightness,
    crop_resized,
    digit_ink,
    paste_ink,
    paste_logo,
    place,
)
from customlabels.samples.sample import SampleImage, SampleProject

CLASSIFICATION_SIDE = 96  # px; the guide's minimum is 64 (L2254)
DETECTION_SIDE = 160
STYLES = ("color", "grayscale")
DIGITS = (0, 1, 2)  # three shapes that do not look alike at 30 px
# Logo sizes in pixels on a DETECTION_SIDE canvas: the width range (the height follows the aspect).
LOGO_WIDTHS = {"scikit_image": (36, 72), "matplotlib": (72, 136)}
SPLITS = ("train", "test", "analyze", "batch")


@dataclass(frozen=True)
class SampleSize:
    """How many images each dataset of a sample gets."""

    train: int
    test: int
    analyze: int
    batch: int

    def count(self, split: str) -> int:
        return int(getattr(self, split))


# Sized for the demo on two CPU cores: AutoML trains up to 60 epochs on data this small.
FULL = SampleSize(train=48, test=20, analyze=2, batch=8)
QUICK = SampleSize(train=16, test=8, analyze=1, batch=3)


def _rng(seed: int, key: str, split: str) -> np.random.Generator:
    """A generator of its own for each (sample, split): changing one size leaves the others alone."""
    return np.random.default_rng([seed, zlib.crc32(key.encode()), zlib.crc32(split.encode())])


def _build(
    size: SampleSize, seed: int, key: str, make: Callable[[str, int, np.random.Generator], SampleImage]
) -> dict[str, tuple[SampleImage, ...]]:
    built = {}
    for split in SPLITS:
        rng = _rng(seed, key, split)
        built[split] = tuple(make(split, index, rng) for index in range(size.count(split)))
    return built


def textures(size: SampleSize = FULL, seed: int = 0) -> SampleProject:
    """Single-label classification (the guide's Rooms): one texture label per image."""
    labels = sources.TEXTURES

    def make(split: str, index: int, rng: np.random.Generator) -> SampleImage:
        label = labels[index % len(labels)]
        columns = (0.0, 0.6) if split == "train" else (0.6, 1.0)
        crop = crop_resized(
            sources.photograph(label), rng, CLASSIFICATION_SIDE, side=(0.2, 0.4), columns=columns
        )
        crop = crop.rotate(90 * int(rng.integers(4)))
        crop = adjust_brightness(crop, float(rng.uniform(0.8, 1.2)))
        return SampleImage(f"{label}-{index:03d}.png", crop, labels=(label,))

    built = _build(size, seed, "textures", make)
    return SampleProject(
        key="classification",
        name="textures",
        guide_sample="Rooms",
        description="image classification: which texture is this? (brick, coins, grass, gravel)",
        labels=tuple(sorted(labels)),
        detection=False,
        **built,
    )


def photos(size: SampleSize = FULL, seed: int = 0) -> SampleProject:
    """Multi-label classification (the guide's Flowers): a subject label and a style label."""
    subjects = sources.SUBJECTS
    pairs = [(subject, style) for style in STYLES for subject in subjects]

    def make(split: str, index: int, rng: np.random.Generator) -> SampleImage:
        subject, style = pairs[index % len(pairs)]
        crop = crop_resized(sources.photograph(subject), rng, CLASSIFICATION_SIDE, side=(0.55, 1.0))
        crop = adjust_brightness(crop, float(rng.uniform(0.8, 1.2)))
        if style == "grayscale":
            crop = crop.convert("L").convert("RGB")
        return SampleImage(f"{subject}-{style}-{index:03d}.png", crop, labels=(subject, style))

    built = _build(size, seed, "photos", make)
    return SampleProject(
        key="multi_label",
        name="photos",
        guide_sample="Flowers",
        description="multi-label classification: the subject and the style of a photograph",
        labels=tuple(sorted((*subjects, *STYLES))),
        detection=False,
        **built,
    )


def _background(rng: np.random.Generator) -> Image.Image:
    name = sources.BACKGROUNDS[int(rng.integers(len(sources.BACKGROUNDS)))]
    return crop_resized(sources.photograph(name), rng, DETECTION_SIDE, side=(0.3, 1.0))


def logos(size: SampleSize = FULL, seed: int = 0) -> SampleProject:
    """Brand detection (the guide's Logos): one or both logos on a photograph, with boxes."""
    brands = sources.LOGOS

    def make(split: str, index: int, rng: np.random.Generator) -> SampleImage:
        canvas = _background(rng)
        # every image shows one brand in turn; every third one shows both
        chosen = list(brands) if index % 3 == 2 else [brands[index % len(brands)]]
        boxes: list[Box] = []
        for brand in chosen:
            mark = sources.logo(brand)
            low, high = LOGO_WIDTHS[brand]
            width = int(rng.integers(low, high + 1))
            height = max(1, round(width * mark.height / mark.width))
            box = place(rng, canvas.size, width, height, boxes, brand)
            if box is not None:
                paste_logo(canvas, mark, box)
                boxes.append(box)
        return SampleImage(f"{split}-{index:03d}.png", canvas, boxes=tuple(boxes))

    built = _build(size, seed, "logos", make)
    return SampleProject(
        key="brands",
        name="logos",
        guide_sample="Logos",
        description="brand detection: where are the scikit-image and Matplotlib logos?",
        labels=tuple(sorted(brands)),
        detection=True,
        **built,
    )


def digits(size: SampleSize = FULL, seed: int = 0) -> SampleProject:
    """Object localization (the guide's Circuit boards): digits on photographs, with boxes."""
    images, targets = sources.digits()
    wanted = np.flatnonzero(np.isin(targets, DIGITS))
    half = len(wanted) // 2
    pools = {"train": wanted[:half], "test": wanted[half:], "analyze": wanted[half:], "batch": wanted[half:]}
    names = {digit: sources.DIGIT_NAMES[digit] for digit in DIGITS}

    def make(split: str, index: int, rng: np.random.Generator) -> SampleImage:
        canvas = _background(rng)
        pool = pools[split]
        taken: list[Box] = []
        boxes: list[Box] = []
        for slot in range(1 + index % 3):
            # the first digit of an image cycles through the labels, so every label is used
            digit = DIGITS[(index + slot) % len(DIGITS)]
            candidates = pool[targets[pool] == digit]
            chosen = int(candidates[int(rng.integers(len(candidates)))])
            height = int(rng.integers(30, 57))
            width = round(height * float(rng.uniform(0.8, 1.0)))
            spot = place(rng, canvas.size, width, height, taken, names[digit])
            if spot is None:
                continue
            taken.append(spot)
            tight = paste_ink(canvas, digit_ink(images[chosen], width, height), spot.left, spot.top)
            boxes.append(Box(names[digit], tight.left, tight.top, tight.width, tight.height))
        return SampleImage(f"{split}-{index:03d}.png", canvas, boxes=tuple(boxes))

    built = _build(size, seed, "digits", make)
    return SampleProject(
        key="localization",
        name="digits",
        guide_sample="Circuit boards",
        description="object localization: where are the handwritten zeros, ones and twos?",
        labels=tuple(sorted(names.values())),
        detection=True,
        **built,
    )


BUILDERS: dict[str, Callable[[SampleSize, int], SampleProject]] = {
    "classification": textures,
    "multi_label": photos,
    "brands": logos,
    "localization": digits,
}


def build_all(size: SampleSize = FULL, seed: int = 0) -> list[SampleProject]:
    """The four samples, in the guide's order (L1146-1147)."""
    return [build(size, seed) for build in BUILDERS.values()]
