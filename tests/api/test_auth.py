"""Authentication, limits, usage and logging at the gateway (FR-INT-002/004)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

from django.utils import timezone

from monopilot.api.testing import ApiClient
from monopilot.apikeys.keyformat import checksum
from monopilot.apikeys.models import ApiKey, ApiKeyUsage
from monopilot.apikeys.services import (
    api_key_reactivate,
    api_key_regenerate,
    api_key_revoke,
    api_key_suspend,
    api_key_update,
)
from monopilot.apikeys.usage import recorder
from monopilot.integration_logs.models import IntegrationLog
from monopilot.tenancy.models import Organization

ME = "/api/v1/me"
MakeKey = Callable[..., tuple[ApiKey, str]]


def _err(response: Any) -> tuple[int, str, str]:
    body = response.json()["error"]
    return response.status_code, body["code"], body["message"]


def test_bearer_and_x_api_key(org: Organization, make_key: MakeKey) -> None:
    _, plain = make_key(org, ["read:products"])
    assert ApiClient(plain).get(ME).status_code == 200
    r = ApiClient().get(ME, **{"X-API-Key": plain})
    assert r.status_code == 200 and r.json()["scopes"] == ["read:products"]
    assert r.json()["organization_id"] == str(org.pk)


def test_missing_malformed_and_unknown_keys(org: Organization, make_key: MakeKey) -> None:
    _, plain = make_key(org)
    assert _err(ApiClient().get(ME)) == (401, "missing_api_key", "API key required")
    for bad in ("nonsense", plain[:-1] + ("x" if plain[-1] != "x" else "y"), "mp_live_" + "A" * 38):
        assert _err(ApiClient(bad).get(ME))[2] == "Invalid API key"
    r = ApiClient().get(ME, Authorization=f"Basic {plain}")
    assert _err(r) == (401, "invalid_api_key", "Invalid API key")


def test_suspended_expired_revoked_regenerated(org: Organization, make_key: MakeKey) -> None:
    key, plain = make_key(org)
    client = ApiClient(plain)
    assert client.get(ME).status_code == 200  # now cached
    api_key_suspend(key=key, by=None)
    assert _err(client.get(ME)) == (401, "api_key_suspended", "API key has been suspended")
    api_key_reactivate(key=key, by=None)
    assert client.get(ME).status_code == 200
    ApiKey.objects.filter(pk=key.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    key.refresh_from_db()
    api_key_update(key=key, by=None, name="renamed")  # any change drops caches
    assert _err(client.get(ME)) == (401, "api_key_expired", "API key has expired")
    ApiKey.objects.filter(pk=key.pk).update(expires_at=None)
    key.refresh_from_db()
    new = api_key_regenerate(key=key, by=None)
    assert _err(client.get(ME))[2] == "Invalid API key"  # old secret dead at once
    assert ApiClient(new.plaintext).get(ME).status_code == 200
    api_key_revoke(key=key, by=None, reason="gone")
    assert _err(ApiClient(new.plaintext).get(ME)) == (
        401,
        "api_key_revoked",
        "API key has been revoked",
    )


def test_ip_allow_list(org: Organization, make_key: MakeKey) -> None:
    _, plain = make_key(org, allowed_ips=["10.20.0.0/16", "2001:db8::/32"])
    assert ApiClient(plain, ip="10.20.3.4").get(ME).status_code == 200
    assert ApiClient(plain, ip="2001:db8::1").get(ME).status_code == 200
    status, code, message = _err(ApiClient(plain, ip="192.0.2.1").get(ME))
    assert (status, code) == (403, "ip_not_allowed")
    assert message == "IP address 192.0.2.1 is not allowed to use this API key"


def test_module_gate_answers_402(org: Organization, make_key: MakeKey) -> None:
    _, plain = make_key(org)
    org.modules_enabled = []
    org.save()
    from monopilot.apikeys.verify import cache

    cache.clear()
    status, code, message = _err(ApiClient(plain).get(ME))
    assert (status, code) == (402, "module_disabled")
    assert "Integrations module is not enabled" in message


def test_rate_limit_headers_and_429(org: Organization, make_key: MakeKey) -> None:
    _, plain = make_key(org, rate_limit_tier="basic")
    client = ApiClient(plain)
    first = client.get(ME)
    assert first["X-RateLimit-Limit"] == "60"
    assert first["X-RateLimit-Remaining"] == "59"
    assert int(first["X-RateLimit-Reset"]) > timezone.now().timestamp()
    codes = [client.get(ME).status_code for _ in range(12)]
    assert 429 in codes  # the burst of 10/s is exhausted
    r = client.get(ME)
    assert _err(r)[:2] == (429, "rate_limited")
    assert int(r["Retry-After"]) >= 1 and r["X-RateLimit-Remaining"] == "0"
    assert IntegrationLog.objects.filter(http_status=429, status="warning").exists()


def test_org_default_tier_and_key_override(org: Organization, make_key: MakeKey) -> None:
    org.default_rate_limit_tier = "standard"
    org.save()
    _, plain = make_key(org)
    assert ApiClient(plain).get(ME)["X-RateLimit-Limit"] == "300"
    _, premium = make_key(org, rate_limit_tier="premium")
    assert ApiClient(premium).get(ME)["X-RateLimit-Limit"] == "1000"


def test_trusted_ips_bypass_limits_not_auth(org: Organization, make_key: MakeKey) -> None:
    org.trusted_ips = ["127.0.0.0/8"]
    org.save()
    _, plain = make_key(org, rate_limit_tier="basic")
    client = ApiClient(plain)
    assert all(client.get(ME).status_code == 200 for _ in range(25))
    assert ApiClient("mp_live_bad").get(ME).status_code == 401


def test_usage_and_last_used(org: Organization, make_key: MakeKey) -> None:
    key, plain = make_key(org)
    client = ApiClient(plain, ip="10.9.8.7")
    for _ in range(3):
        client.get(ME)
    recorder().flush()
    key.refresh_from_db()
    assert key.last_used_ip == "10.9.8.7" and key.last_used_at is not None
    assert key.request_count == 3
    assert ApiKeyUsage.objects.get(key=key, day=timezone.now().date()).count == 3


def test_every_call_is_logged_masked(org: Organization, make_key: MakeKey) -> None:
    key, plain = make_key(org)
    ApiClient(plain).get(ME, **{"User-Agent": "pytest"})
    row = IntegrationLog.objects.get(api_key_id=key.pk, event_type__startswith="GET")
    assert row.integration_type == "api" and row.direction == "inbound"
    assert row.http_status == 200 and row.status == "success" and row.duration_ms is not None
    assert plain not in str(row.request_body)
    assert row.request_body["headers"]["Authorization"].startswith("Bearer mp_live_")
    body = plain[:-6]
    body = body[:20] + ("A" if body[20] != "A" else "B") + body[21:]
    r = ApiClient(body + checksum(body)).get(ME)  # a wrong secret with a known prefix
    assert r.status_code == 401  # ... is refused and logged against the key's organisation
    assert IntegrationLog.objects.filter(org=org, http_status=401).exists()


def test_failed_attempts_are_throttled_per_ip(db: None) -> None:
    client = ApiClient("mp_live_nope")
    codes = [client.get(ME).status_code for _ in range(60)]
    assert 429 in codes and codes[0] == 401


def test_unknown_path_is_json_404(api: ApiClient) -> None:
    r = api.get("/api/v1/nothing-here")
    assert _err(r) == (404, "not_found", "Endpoint not found")


def test_path_with_newline_is_json_404(api: ApiClient) -> None:
    r = api.get("/api/v1/invoices/by-number/%0Ax")
    assert r.status_code == 404 and r["Content-Type"].startswith("application/json")


def test_method_not_allowed_is_json(api: ApiClient) -> None:
    r = api.put("/api/v1/me", {})
    assert r.status_code == 405 and r.json()["error"]["code"] == "method_not_allowed"
    assert "GET" in r["Allow"] and "X-RateLimit-Limit" in r


def test_oversized_body_is_a_json_error(api: ApiClient, settings: Any) -> None:
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 100
    r = api.post("/api/v1/suppliers", {"code": "x" * 200, "name": "a", "payment_terms": "7"})
    assert r.status_code == 400 and r.json()["error"]["code"] == "request_too_large"
