"""Opaque, tamper-checked pagination tokens.

A token is ``v1.<payload>.<mac>``: the payload is the listing position (base64url JSON, e.g. the
last index key returned), the mac an HMAC-SHA256 over the payload and the listing's *scope* (the
operation and the request's fixed inputs, such as the project ARN and filters). A token that was
edited, truncated, issued by another deployment, or issued for a different listing therefore
fails the check, and the caller gets InvalidPaginationTokenException rather than a confusing page.

The key is 32 random bytes kept in the data bucket (``_meta/secret/pagination-key``), created once
with ``If-None-Match: *`` so that concurrent cold starts agree on one key, and cached per process.
Tokens thus survive Lambda restarts and work across concurrent instances, and rotating the key
(deleting the object) only invalidates outstanding tokens. They do not expire.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import secrets
from typing import Any, Protocol

_VERSION = "v1"
_MAC_BYTES = 16
KEY_DOCUMENT = "secret/pagination-key"


class InvalidToken(ValueError):
    """The token was not issued by :class:`PageTokens` for this scope."""


class PageTokens:
    """Issues and reads pagination tokens signed with one secret key."""

    def __init__(self, key: bytes) -> None:
        if len(key) < 16:
            raise ValueError("the pagination key must be at least 16 bytes")
        self._key = key

    def issue(self, scope: str, position: dict[str, Any]) -> str:
        """A token that resumes the listing ``scope`` at ``position``."""
        payload = _b64encode(json.dumps(position, separators=(",", ":"), sort_keys=True).encode())
        return f"{_VERSION}.{payload}.{_b64encode(self._mac(scope, payload))}"

    def read(self, scope: str, token: str | None) -> dict[str, Any] | None:
        """The position stored in ``token``; ``None`` for no token or an empty one (first page).

        Raises:
            InvalidToken: the token is malformed, forged, or belongs to another listing.
        """
        if not token:
            return None
        parts = token.split(".")
        if len(parts) != 3 or parts[0] != _VERSION:
            raise InvalidToken("malformed pagination token")
        _, payload, mac = parts
        try:
            given = _b64decode(mac)
        except ValueError:
            raise InvalidToken("malformed pagination token") from None
        if not hmac.compare_digest(given, self._mac(scope, payload)):
            raise InvalidToken("pagination token does not belong to this request")
        try:
            position = json.loads(_b64decode(payload))
        except ValueError:
            raise InvalidToken("malformed pagination token") from None
        if not isinstance(position, dict):
            raise InvalidToken("malformed pagination token")
        return position

    def _mac(self, scope: str, payload: str) -> bytes:
        message = f"{scope}\n{payload}".encode()
        return hmac.new(self._key, message, hashlib.sha256).digest()[:_MAC_BYTES]


class KeyStore(Protocol):
    """The two store operations the key needs (see :class:`customlabels.store.MetadataStore`)."""

    def read_bytes(self, key: str) -> bytes | None: ...

    def create_bytes(self, key: str, data: bytes) -> bool: ...


def load_or_create_key(store: KeyStore) -> bytes:
    """The deployment's pagination key: read it, or create it if nobody has yet.

    ``create_bytes`` writes only if the object is absent; when another instance wins the race,
    its key is read back, so every instance signs with the same key.
    """
    existing = store.read_bytes(KEY_DOCUMENT)
    if existing:
        return existing
    candidate = secrets.token_bytes(32)
    if store.create_bytes(KEY_DOCUMENT, candidate):
        return candidate
    winner = store.read_bytes(KEY_DOCUMENT)
    if not winner:
        raise RuntimeError("pagination key vanished after a concurrent create")
    return winner


def _b64encode(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _b64decode(text: str) -> bytes:
    try:
        return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except (binascii.Error, ValueError) as error:
        raise ValueError(str(error)) from None
