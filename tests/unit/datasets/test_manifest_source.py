"""How the manifest reader names S3's refusals: the answers LocalStack cannot give.

LocalStack enforces neither bucket policies nor IAM, so the 403 ``AccessDenied`` of a real bucket
(``"403"`` on HEAD, which has no body) is only reachable with a client that answers it; the
refusal LocalStack does give (an archived object) is tested on its S3 in ``tests/datasets``.
"""

from __future__ import annotations

from typing import Any

import pytest
from botocore.exceptions import ClientError

from customlabels.datasets.manifest_source import S3ManifestReader
from customlabels.manifests import ManifestFileError

MANIFEST = {"Bucket": "b", "Name": "train.manifest"}


class Refusing:
    """An S3 client whose HEAD answers ``head`` and whose GET answers ``get`` (None: the object)."""

    def __init__(self, head: str | None, get: str | None) -> None:
        self._head, self._get = head, get

    @staticmethod
    def _refuse(code: str, operation: str) -> ClientError:
        status = 404 if code in {"404", "NoSuchKey"} else 403
        response: Any = {
            "Error": {"Code": code, "Message": code},
            "ResponseMetadata": {"HTTPStatusCode": status},
        }
        return ClientError(response, operation)

    def head_object(self, **_: Any) -> dict[str, Any]:
        if self._head is not None:
            raise self._refuse(self._head, "HeadObject")
        return {"ContentLength": 2}

    def get_object(self, **_: Any) -> dict[str, Any]:
        if self._get is not None:
            raise self._refuse(self._get, "GetObject")
        raise AssertionError("not reached")


@pytest.mark.parametrize(
    ("head", "get", "code"),
    [
        ("403", None, "ERROR_INVALID_PERMISSIONS_MANIFEST_S3_BUCKET"),
        (None, "AccessDenied", "ERROR_INVALID_PERMISSIONS_MANIFEST_S3_BUCKET"),
        (None, "AllAccessDisabled", "ERROR_INVALID_PERMISSIONS_MANIFEST_S3_BUCKET"),
        ("404", None, "ERROR_MANIFEST_INACCESSIBLE_OR_UNSUPPORTED_FORMAT"),
        (None, "NoSuchKey", "ERROR_MANIFEST_INACCESSIBLE_OR_UNSUPPORTED_FORMAT"),
    ],
)
def test_s3_refusals_become_the_guides_file_errors(head: str | None, get: str | None, code: str) -> None:
    with pytest.raises(ManifestFileError) as caught:
        S3ManifestReader(Refusing(head, get)).read(MANIFEST)
    assert caught.value.code == code
