"""Signing: Standard Webhooks `v1` plus the PRD's X-MonoPilot-Signature.

- secret: `whsec_` + base64 of 32 random bytes; the HMAC key is the decoded 32 bytes.
- `webhook-signature: v1,<base64 HMAC-SHA256(key, f"{id}.{timestamp}.{body}")>`
- `X-MonoPilot-Signature: sha256=<hex HMAC-SHA256(key, body)>` — same key bytes (decoded
  secret), so receivers need one secret for both schemes.
- during a rotation both keys sign: the header lists both, space separated (new first).
"""

from __future__ import annotations

import base64
import hmac
import secrets
from collections.abc import Sequence

PREFIX = "whsec_"


def new_secret() -> str:
    return PREFIX + base64.b64encode(secrets.token_bytes(32)).decode()


def key_bytes(secret: str) -> bytes:
    return base64.b64decode(secret.removeprefix(PREFIX))


def sign_v1(key: bytes, msg_id: str, timestamp: int, body: bytes) -> str:
    signed = msg_id.encode() + b"." + str(timestamp).encode() + b"." + body
    # hmac.digest: the one-shot C path, several times faster than hmac.new(...).digest()
    return "v1," + base64.b64encode(hmac.digest(key, signed, "sha256")).decode()


def sign_body_hex(key: bytes, body: bytes) -> str:
    return "sha256=" + hmac.digest(key, body, "sha256").hex()


def signature_headers(
    keys: Sequence[bytes], msg_id: str, timestamp: int, body: bytes
) -> dict[str, str]:
    return {
        "webhook-signature": " ".join(sign_v1(k, msg_id, timestamp, body) for k in keys),
        "X-MonoPilot-Signature": " ".join(sign_body_hex(k, body) for k in keys),
    }
