"""Masking of secrets before anything reaches the integration log (FR-INT-005 AC-6)."""

from __future__ import annotations

import re
from typing import Any

REDACTED = "***REDACTED***"

SECRET_KEYS = frozenset(
    {
        "password", "api_key", "api_secret", "authorization", "x-api-key", "credit_card",
        "ssn", "secret", "client_secret", "token", "access_token", "refresh_token",
        "password_hash", "cookie", "set-cookie", "x-csrftoken", "webhook-signature",
        "x-monopilot-signature", "signing_secret", "key",
    }
)  # fmt: skip

_BEARER = re.compile(r"^(\s*\w+\s+)?(\S{0,11})\S*$")
_INLINE_KEY = re.compile(r"\b(mp_(?:live|test)_[A-Za-z0-9]{3})[A-Za-z0-9]+")
_INLINE_SECRET = re.compile(r"\b(whsec_)[A-Za-z0-9+/=_-]+")


def mask_authorization(value: str) -> str:
    """Keep only the scheme and the key prefix: 'Bearer mp_live_abc***'."""
    match = _BEARER.match(value or "")
    if not match:
        return REDACTED
    scheme, head = match.group(1) or "", match.group(2) or ""
    return f"{scheme}{head}***"


def mask_text(text: str) -> str:
    """Mask API keys and webhook secrets that appear inside free text.

    NUL characters are dropped too: PostgreSQL cannot store them in text or jsonb.
    """
    text = _INLINE_KEY.sub(r"\1***", text.replace("\x00", ""))
    return _INLINE_SECRET.sub(r"\1***", text)


def mask(value: Any) -> Any:
    """Return a copy of a JSON-like value with secret fields replaced, recursively."""
    if isinstance(value, dict):
        return {
            str(key).replace("\x00", ""): _mask_field(str(key), item) for key, item in value.items()
        }
    if isinstance(value, list):
        return [mask(item) for item in value]
    if isinstance(value, str):
        return mask_text(value)
    return value


def _mask_field(key: str, item: Any) -> Any:
    lowered = key.lower()
    if lowered == "authorization" and isinstance(item, str):
        return mask_authorization(item)
    if lowered in SECRET_KEYS:
        return REDACTED
    return mask(item)


def mask_headers(headers: dict[str, str]) -> dict[str, str]:
    masked: dict[str, str] = mask({k: v for k, v in headers.items()})
    return masked
