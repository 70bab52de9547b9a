"""Usage bookkeeping and cross-process cache invalidation."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import timedelta

import pytest
from django.contrib.staticfiles import finders
from django.utils import timezone

from monopilot.api.errors import ApiError
from monopilot.apikeys.models import ApiKey, ApiKeyUsage
from monopilot.apikeys.ratelimit import RedisLimiter, set_limiter
from monopilot.apikeys.selectors import api_key_usage
from monopilot.apikeys.usage import UsageRecorder
from monopilot.apikeys.verify import authenticate
from monopilot.tenancy.models import Organization

MakeKey = Callable[..., tuple[ApiKey, str]]


def test_last_used_written_at_most_once_a_minute(org: Organization, make_key: MakeKey) -> None:
    key, _ = make_key(org)
    rec = UsageRecorder(threaded=False)
    rec.record(key_id=key.pk, org_id=org.pk, ip="10.0.0.1")  # first use: written at once
    key.refresh_from_db()
    first = key.last_used_at
    assert first is not None and key.last_used_ip == "10.0.0.1"
    rec.record(key_id=key.pk, org_id=org.pk, ip="10.0.0.2")
    rec.flush()
    key.refresh_from_db()
    assert (key.last_used_at, key.last_used_ip) == (first, "10.0.0.1")  # not yet a minute
    assert key.request_count == 2  # counts are not throttled
    rec._last_written[key.pk] -= 61
    rec.flush()
    key.refresh_from_db()
    assert key.last_used_ip == "10.0.0.2"


def test_daily_counts_add_up_across_recorders(org: Organization, make_key: MakeKey) -> None:
    key, _ = make_key(org)
    for _ in range(2):  # two web processes
        rec = UsageRecorder(threaded=False)
        for _ in range(3):
            rec.record(key_id=key.pk, org_id=org.pk, ip="10.0.0.1")
        rec.flush()
    assert ApiKeyUsage.objects.get(key=key).count == 6
    stats = api_key_usage(key=key)
    assert stats.total_requests == 6 and stats.daily == [(timezone.now().date(), 6)]
    assert stats.avg_requests_per_day == 6.0


def test_revocation_reaches_other_processes_through_the_stamp(
    org: Organization, make_key: MakeKey
) -> None:
    """Process A has the key cached; process B revokes it and publishes the stamp."""
    limiter = RedisLimiter("redis://127.0.0.1:6379/9", prefix=f"test-st-{uuid.uuid4().hex[:8]}")
    try:
        limiter._redis.ping()
    except Exception:
        pytest.fail("Redis is required on 127.0.0.1:6379 (make test expects it; .ci/run starts it)")
    set_limiter(limiter)
    try:
        key, plain = make_key(org)
        assert authenticate(plain, "10.0.0.1").principal.key_id == key.pk  # cached in "A"
        # "B": change the row and publish the new stamp, without touching A's cache.
        ApiKey.objects.filter(pk=key.pk).update(status="revoked", stamp=key.stamp + 1)
        limiter.set_stamp(str(key.pk), key.stamp + 1)
        with pytest.raises(ApiError) as info:
            authenticate(plain, "10.0.0.1")
        assert info.value.message == "API key has been revoked"
    finally:
        limiter.reset()


def test_expiry_is_checked_on_every_request_even_when_cached(
    org: Organization, make_key: MakeKey
) -> None:
    _, plain = make_key(org, expires_at=timezone.now() + timedelta(hours=1))
    authenticate(plain, "10.0.0.1")
    with pytest.raises(ApiError, match="API key has expired"):
        authenticate(plain, "10.0.0.1", now=timezone.now() + timedelta(hours=2))


def test_swagger_assets_are_our_own_static_files() -> None:
    for name in ("swagger-ui-bundle.js", "swagger-ui.css", "swagger-ui-init.js"):
        assert finders.find(f"api/swagger/{name}"), name
