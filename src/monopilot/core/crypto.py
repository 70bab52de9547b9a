"""Secrets at rest: Fernet (AES-128-CBC + HMAC) under a key derived from the environment."""

from __future__ import annotations

import base64
import hashlib
import hmac
from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken
from django.conf import settings


@lru_cache(maxsize=4)
def _fernet(key_material: str) -> Fernet:
    digest = hashlib.sha256(key_material.encode()).digest()
    return Fernet(base64.urlsafe_b64encode(digest))


def encrypt(plaintext: str) -> str:
    return _fernet(settings.MONOPILOT_ENCRYPTION_KEY).encrypt(plaintext.encode()).decode()


def decrypt(token: str) -> str:
    try:
        return _fernet(settings.MONOPILOT_ENCRYPTION_KEY).decrypt(token.encode()).decode()
    except InvalidToken as exc:
        raise ValueError("secret cannot be decrypted with the configured key") from exc


def peppered_digest(value: str, *, pepper_version: int = 1) -> str:
    """HMAC-SHA256 of a high-entropy token under the server-side pepper (hex)."""
    pepper = f"{settings.MONOPILOT_KEY_PEPPER}:{pepper_version}".encode()
    return hmac.new(pepper, value.encode(), hashlib.sha256).hexdigest()


def constant_time_equals(a: str, b: str) -> bool:
    return hmac.compare_digest(a.encode(), b.encode())
