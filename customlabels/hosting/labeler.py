"""Batch labeling with running models: the :class:`~customlabels.batch_labeling.Labeler` of a deployment.

An image under ``<input prefix><project>/<version>/`` is labeled by the model named
``<version>`` of ``<project>`` with DetectCustomLabels' semantics: each label's assumed threshold
(no MinConfidence), every result, sorted by confidence. The image is an S3 object, so the
guide's S3 limits apply (15 MB, L16382). What the service would answer as an error (a model that
does not exist or is not RUNNING, a file that is no PNG or JPEG, an image too small or too large)
becomes the image's error result; a model whose files are broken is our fault and becomes an
``InternalServerError`` result.
"""

from __future__ import annotations

import io
import logging
from pathlib import Path
from typing import Any

from PIL import ExifTags, Image

from customlabels.batch_labeling import Labeled, LabelingError
from customlabels.hosting.models import ModelLookup, ServingModels, s3_fetch
from customlabels.inference.cache import ModelCache
from customlabels.inference.detect import detect_custom_labels
from customlabels.inference.errors import InferenceError, ModelArtifactError
from customlabels.inference.images import ImageSource
from customlabels.resources.repository import Repository
from customlabels.settings import Settings
from customlabels.store import MetadataStore

logger = logging.getLogger(__name__)

_SWAPPED_ORIENTATIONS = (5, 6, 7, 8)  # EXIF orientations that turn the image by 90 degrees


class ModelLabeler:
    """Labels one image with a running model (called by the batch function for each upload)."""

    def __init__(self, lookup: ModelLookup, models: ServingModels) -> None:
        self._lookup = lookup
        self._models = models

    @classmethod
    def from_settings(cls, settings: Settings, s3: Any) -> ModelLabeler:
        """The labeler of a deployment: its models in ``settings.data_bucket``, cached in /tmp."""
        repository = Repository(MetadataStore(s3, settings.data_bucket))
        lookup = ModelLookup(
            repository, region=settings.region, account=settings.account_id, ttl_s=settings.model_status_ttl_s
        )
        cache = ModelCache(s3_fetch(s3), Path(settings.model_cache_dir))
        return cls(lookup, ServingModels(cache, settings.data_bucket))

    def __call__(self, project: str, version: str, image: bytes) -> Labeled:
        """The model's answer for ``image``.

        Raises:
            LabelingError: the service's error for this image or model.
        """
        try:
            model = self._lookup.running_by_name(project, version)
            predictor = self._models.predictor(model)
            response = detect_custom_labels(predictor, image, source=ImageSource.S3_OBJECT)
        except InferenceError as error:
            raise LabelingError(error.code, error.message) from error
        except ModelArtifactError as error:
            logger.error("the model %s/%s cannot be loaded: %s", project, version, error)
            raise LabelingError("InternalServerError", "The model's files cannot be loaded.") from error
        return Labeled(response, predictor.spec.task.value, upright_size(image))


def upright_size(data: bytes) -> tuple[int, int]:
    """``(width, height)`` of an already checked image as served: after its EXIF orientation (JPEG)."""
    with Image.open(io.BytesIO(data)) as opened:
        width, height = opened.size
        if opened.format == "JPEG":
            orientation: Any = opened.getexif().get(ExifTags.Base.Orientation, 1)
            if orientation in _SWAPPED_ORIENTATIONS:
                return height, width
    return width, height
