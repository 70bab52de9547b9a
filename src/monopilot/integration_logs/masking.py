"""Masking of secrets before anything reaches the integration log (FR-INT-005 AC-6)."""

from __future__ import annotations

import json
import re
from typing import Any

from monopilot.core.rawjson import RawJSON

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
    if "mp_" not in text and "whsec_" not in text and "\x00" not in text:
        return text  # nothing to mask (the common case: skip two regex passes)
    text = _INLINE_KEY.sub(r"\1***", text.replace("\x00", ""))
    return _INLINE_SECRET.sub(r"\1***", text)


# What in JSON text could make `mask` change the decoded value: a secret key name as an
# object key (looked for in the lower-cased text, as `mask` lower-cases keys), an inline API
# key or webhook secret, or a \u escape that could spell one of those: printable ASCII, NUL
# (dropped by `mask`), and the only two other characters whose lower case is ASCII
# (U+0130 and U+212A KELVIN SIGN, which lower-cases to "k").
_SECRET_KEY_IN_TEXT = re.compile(
    r'"(?:' + "|".join(re.escape(k) for k in sorted(SECRET_KEYS)) + r')"\s*:'
)
_ESCAPED_ASCII_OR_NUL = re.compile(r"\\u(?:00[2-7][0-9a-fA-F]|0000|0130|212[aA])")


def _may_need_masking(text: str) -> bool:
    return (
        "mp_live_" in text
        or "mp_test_" in text
        or "whsec_" in text
        or _ESCAPED_ASCII_OR_NUL.search(text) is not None
        or _SECRET_KEY_IN_TEXT.search(text.lower()) is not None
    )


def mask_json_text(text: str | bytes) -> Any:
    """Mask a JSON document given as text; raises ValueError when it is not JSON.

    When the text holds nothing `mask` would change, it is returned as `RawJSON` (stored
    verbatim: no walk, no re-encoding); otherwise the decoded, masked value.
    """
    if isinstance(text, bytes):
        text = text.decode("utf-8")
    value = json.loads(text)  # validates, also on the fast path
    if not _may_need_masking(text):
        return RawJSON(text)
    return mask(value)


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
