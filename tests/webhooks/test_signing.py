"""Our HMAC-SHA256 (keyed states computed once per key) equals the standard library's for
any key and message, and the headers it makes verify with the official package."""

from __future__ import annotations

import hmac
import time

from hypothesis import given
from hypothesis import strategies as st
from standardwebhooks.webhooks import Webhook

from monopilot.webhooks import signing


@given(key=st.binary(max_size=150), message=st.binary(max_size=300))
def test_hmac_equals_the_standard_librarys_for_any_key_and_message(key, message) -> None:
    assert signing.hmac_sha256(key, message) == hmac.digest(key, message, "sha256")
    # again: the second call starts from the cached keyed states, which must not have moved
    assert signing.hmac_sha256(key, message) == hmac.digest(key, message, "sha256")


def test_signature_headers_verify_with_the_official_package_and_the_body_hmac() -> None:
    secret = signing.new_secret()
    key = signing.key_bytes(secret)
    body = b'{"type":"order.created","data":{"id":7}}'
    now = int(time.time())
    headers = signing.signature_headers([key], "msg_1", now, body)
    wire = {"webhook-id": "msg_1", "webhook-timestamp": str(now), **headers}
    assert Webhook(secret).verify(body, wire) == {"type": "order.created", "data": {"id": 7}}
    expected = hmac.new(key, body, "sha256").hexdigest()
    assert headers["X-MonoPilot-Signature"] == f"sha256={expected}"
