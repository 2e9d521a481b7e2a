"""The guide's quotas and fixed thresholds for manifests, datasets and images, in one place.

Every number the manifest code enforces is named here with the line of the guide it comes
from, so that a reader can check a limit against the guide without searching the code. Where
the guide gives no number (a threshold it only names), the constant says that it is our choice.
"""

from __future__ import annotations

# --- Manifest files ------------------------------------------------------------------------

MAX_MANIFEST_BYTES = 1024**3  # guide L16329, L16354, L3208: manifest file at most 1 GB
# guide L3209, L16334-16340: 250,000 images for detection; classification defaults to 250,000
# (raisable to 500,000). One default for both; callers pass a larger limit where raised.
MAX_MANIFEST_LINES = 250_000
MAX_CLASSIFICATION_LINES_RAISED = 500_000  # guide L16338: classification limit after an increase
MAX_LINES_SMALL_REGIONS_TRAINING = 28_000  # guide L16336, L16340: Mumbai and London, training
MAX_LINES_SMALL_REGIONS_TESTING = 7_000  # guide L16362, L16366: Mumbai and London, testing
MAX_JSON_LINE_CHARS = 100_000  # guide L4594: longer JSON Lines are dropped from the dataset

# guide L3195: invalid content is tolerated up to 20 %, counted cumulatively over all rules.
MAX_INVALID_LINE_FRACTION = 0.20
# guide L4546 names ERROR_TOO_MANY_RECORDS_IN_ERROR without a threshold; we apply the same
# 20 % rule (L3195) to the lines dropped for terminal content errors.
MAX_DROPPED_LINE_FRACTION = 0.20

# --- Labels ----------------------------------------------------------------------------------

MAX_LABELS_PER_MANIFEST = 250  # guide L16332, L16357, L3212
MIN_LABELS_CLASSIFICATION = 2  # guide L16330, L3211
MIN_LABELS_DETECTION = 1  # guide L16331 (L6018 says the opposite for "usable" labels; see README)
MIN_IMAGES_PER_LABEL_TRAINING = 1  # guide L16333, L3210
MAX_IMAGES_PER_LABEL_TESTING = 1_000  # guide L16359
MAX_LABELS_PER_IMAGE = 50  # guide L16342, L16369
MAX_LABEL_NAME_CHARS = 256  # guide L6976: ERROR_INVALID_LABEL_NAME_LENGTH
MIN_LABEL_OVERLAP_PERCENT = 50  # guide L3221, L5992, L6038: test/train label overlap

# --- Bounding boxes --------------------------------------------------------------------------

MIN_BOXES_PER_IMAGE = 0  # guide L16343
MAX_BOXES_PER_IMAGE = 50  # guide L16344, L6641: ERROR_TOO_MANY_BOUNDING_BOXES above this
MIN_BOX_SIDE_PX = 1  # guide L6603: a box must be larger than 1 x 1 px after the resize
TRAINING_RESIZE_MAX_SIDE_PX = 1280  # guide L6605: images with a side above 1280 px are resized

# --- Images ----------------------------------------------------------------------------------

IMAGE_FORMATS = frozenset({"PNG", "JPEG"})  # guide L2171, L16327
MIN_IMAGE_SIDE_PX = 64  # guide L16345, L6428
MAX_IMAGE_SIDE_PX = 4096  # guide L16347, L6428
MAX_IMAGE_BYTES = 15 * 1024 * 1024  # guide L16348: 15 MB in S3
MAX_IMAGE_BYTES_INLINE = 4 * 1024 * 1024  # guide L16380: raw bytes sent to DetectCustomLabels
MAX_ASPECT_RATIO = 20.0  # guide L16349, L6409: at most 20:1

# --- Dataset operations ----------------------------------------------------------------------

MAX_UPDATE_CHANGES_BYTES = 5_242_880  # botocore GroundTruthBlob max; API doc: "less than 5MB"
TEST_SPLIT_FRACTION = 0.20  # guide L2197, L12474, L5871: 20 % of training entries become test
MAX_CONTAINS_LABELS = 10  # botocore DatasetLabels: ListDatasetEntries ContainsLabels, 1-10
