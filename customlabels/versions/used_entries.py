"""What training uses of a validated JSON Line, as a plain Ground Truth line.

Validation keeps a line whose label or box has a non-terminal error and drops just that part
(guide L5407-5409: a box with a negative ``left`` is skipped, the line's other boxes are used),
and the chosen model type filters out valid lines of the other format (L6016). The training job
must see exactly what remains, so this module rewrites each usable line with only its usable
attributes of the chosen use case and without any error information. The result is the training
manifest snapshot (``TrainingDataResult.Output``: "images that were actually used during
training") and the job's input.

Pure: no AWS calls.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace

from customlabels.manifests import ManifestEntry, Style, entry_to_line
from customlabels.manifests.model import Attribute
from customlabels.manifests.training import UseCase


def used_entry(entry: ManifestEntry, use_case: UseCase) -> ManifestEntry:
    """``entry`` with only what a model of ``use_case`` trains on, and no errors or warnings."""
    attributes: list[Attribute] = []
    if use_case is UseCase.IMAGE_LEVEL_LABELS:
        attributes.extend(label for label in entry.image_labels if label.usable)
    elif use_case is UseCase.OBJECT_LOCALIZATION:
        attributes.extend(
            replace(attribute, boxes=attribute.usable_boxes, warnings=[])
            for attribute in entry.box_attributes
            if attribute.usable_boxes
        )
    return replace(entry, attributes=attributes, errors=[], warnings=[])


def used_manifest(entries: Iterable[ManifestEntry], use_case: UseCase) -> str:
    """The JSON Lines (with a final newline) of the usable part of ``entries``."""
    lines = [entry_to_line(used_entry(entry, use_case), Style.PLAIN) for entry in entries]
    return "".join(line + "\n" for line in lines)
