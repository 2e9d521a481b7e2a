"""Sample projects built from pictures that ship with scikit-image, scikit-learn and Matplotlib.

The guide's getting-started walkthrough (L1100-1360) starts from four sample projects, one per
model type; their AWS images are not redistributable, so these are open stand-ins made offline
(DESIGN.md "Offline data and weights"). ``tools/demo.py`` walks the guide's flow on them.

=================  ==========================================================================
``sources``        the offline pictures: photographs, logos, handwritten digits
``compose``        crops, pasting, boxes (pure, seeded)
``builders``       the four samples (:func:`textures`, :func:`photos`, :func:`logos`,
                   :func:`digits`) in two sizes (:data:`FULL`, :data:`QUICK`)
``sample``         :class:`SampleProject` and :func:`write_sample`: PNGs and manifests in a folder
``upload``         the S3 edge: a written sample into the data bucket
=================  ==========================================================================
"""

from customlabels.samples.builders import (
    BUILDERS,
    FULL,
    QUICK,
    SampleSize,
    build_all,
    digits,
    logos,
    photos,
    textures,
)
from customlabels.samples.compose import Box
from customlabels.samples.sample import SampleImage, SampleProject, WrittenSample, manifest_line, write_sample

__all__ = [
    "BUILDERS",
    "FULL",
    "QUICK",
    "Box",
    "SampleImage",
    "SampleProject",
    "SampleSize",
    "WrittenSample",
    "build_all",
    "digits",
    "logos",
    "manifest_line",
    "photos",
    "textures",
    "write_sample",
]
