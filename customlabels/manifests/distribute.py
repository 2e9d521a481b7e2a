"""Split training entries into train and test: DistributeDatasetEntries and the auto-split.

The guide says what happens, not how: 20 % of the training dataset's entries move to an empty
test dataset (L2236, L12474; the API reference: "moves 20% of the training dataset images to
the test dataset"), and training with a single dataset does the same split (L2197, L5871). Our
split is deterministic and label-balanced:

1. entries are ordered by a stable hash of ``source-ref`` (the same dataset always splits the
   same way, whatever the order of its lines);
2. each entry belongs to the stratum of its rarest label (unlabeled entries form one stratum);
3. the test share ``round(20 % of all entries)`` is spread over the strata in proportion to
   their sizes (largest remainder), never taking the last training image of a labeled stratum;
4. if an entry's other labels would lose all their training images, it goes back to training.

When no labeled entry can move (too few labeled images per label), the guide's error is raised:
``ERROR_INSUFFICIENT_IMAGES_PER_LABEL_FOR_DISTRIBUTE`` (L4578) or ``..._FOR_AUTOSPLIT`` (L5863).
"""

from __future__ import annotations

import hashlib
import math
from collections import Counter, defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

from . import quotas
from .codes import ErrorCode
from .exceptions import InvalidParameterError, ManifestContentError, ManifestError, ManifestFileError
from .model import ManifestEntry

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Split(Generic[T]):
    """``keep`` stays in training, ``move`` goes to test; both keep the input order."""

    keep: list[T]
    move: list[T]


def stable_rank(source_ref: str) -> bytes:
    """A hash of ``source-ref`` that orders entries the same way on every run and machine."""
    return hashlib.blake2b(source_ref.encode("utf-8"), digest_size=8).digest()


def split_for_test(
    items: Sequence[T],
    *,
    key: Callable[[T], str],
    labels: Callable[[T], set[str]],
    fraction: float = quotas.TEST_SPLIT_FRACTION,
) -> Split[T]:
    """Choose ``fraction`` of ``items`` for the test set, balanced over labels (see module doc)."""
    count = len(items)
    label_sets = [labels(item) for item in items]
    frequency = Counter(name for names in label_sets for name in names)
    order = sorted(range(count), key=lambda i: (stable_rank(key(items[i])), i))
    strata: dict[str, list[int]] = defaultdict(list)
    for index in order:
        names = label_sets[index]
        strata[min(names, key=lambda n: (frequency[n], n)) if names else ""].append(index)

    quota = {name: _quota(name, len(members), fraction) for name, members in strata.items()}
    missing = math.floor(count * fraction + 0.5) - sum(quota.values())
    by_remainder = sorted(strata, key=lambda s: (-((len(strata[s]) * fraction) % 1), -len(strata[s]), s))
    while missing > 0:
        grown = False
        for name in by_remainder:
            if missing > 0 and quota[name] < _capacity(name, len(strata[name])):
                quota[name] += 1
                missing -= 1
                grown = True
        if not grown:
            break
    moved = {index for name, members in strata.items() for index in members[: quota[name]]}
    _keep_one_training_image_per_label(moved, label_sets, order)
    return Split(
        keep=[item for i, item in enumerate(items) if i not in moved],
        move=[item for i, item in enumerate(items) if i in moved],
    )


def _capacity(stratum: str, size: int) -> int:
    # guide L16333: a training label needs at least one image, so a labeled stratum keeps one.
    return size - 1 if stratum else size


def _quota(stratum: str, size: int, fraction: float) -> int:
    return min(math.floor(size * fraction), _capacity(stratum, size))


def _keep_one_training_image_per_label(moved: set[int], label_sets: list[set[str]], order: list[int]) -> None:
    """Move entries back to training (last-ranked first) until every label has a training image.

    One pass is enough: moving an entry back only adds training images.
    """
    in_training = Counter(name for i, names in enumerate(label_sets) if i not in moved for name in names)
    for index in reversed(order):
        if index in moved and any(in_training[name] == 0 for name in label_sets[index]):
            moved.discard(index)
            in_training.update(label_sets[index])


def split_entries(
    entries: Sequence[ManifestEntry], *, code: ErrorCode, fraction: float = quotas.TEST_SPLIT_FRACTION
) -> Split[ManifestEntry]:
    """Split dataset entries; raise ``code`` when no labeled entry can go to test."""
    split = split_for_test(entries, key=_source_ref, labels=ManifestEntry.label_names, fraction=fraction)
    if not any(entry.label_names() for entry in split.move):
        error: type[ManifestError] = (
            ManifestFileError
            if code is ErrorCode.ERROR_INSUFFICIENT_IMAGES_PER_LABEL_FOR_DISTRIBUTE
            else ManifestContentError
        )
        labeled = sum(1 for entry in entries if entry.label_names())
        raise error(code, context=f"{labeled} labeled entries; each label needs 2 or more to be split 80/20")
    return split


def distribute_entries(
    training: Sequence[ManifestEntry], testing: Sequence[ManifestEntry]
) -> tuple[list[ManifestEntry], list[ManifestEntry]]:
    """DistributeDatasetEntries: move 20 % of the training entries into the empty test dataset.

    Returns the new (training, testing) entries.

    Raises:
        InvalidParameterError: the test dataset is not empty, or the training dataset is.
        ManifestFileError: ``ERROR_INSUFFICIENT_IMAGES_PER_LABEL_FOR_DISTRIBUTE``.
    """
    if testing:
        raise InvalidParameterError(
            f"The test dataset must be empty to distribute entries into it; it has {len(testing)} entries."
        )
    if not training:
        raise InvalidParameterError("The training dataset has no entries to distribute.")
    split = split_entries(training, code=ErrorCode.ERROR_INSUFFICIENT_IMAGES_PER_LABEL_FOR_DISTRIBUTE)
    return split.keep, split.move


def _source_ref(entry: ManifestEntry) -> str:
    return entry.source_ref or ""
