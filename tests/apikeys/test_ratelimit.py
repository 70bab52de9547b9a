"""Sliding-window limits of the three tiers, in-process and on Redis (FR-INT-004)."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest

from monopilot.apikeys.ratelimit import LocalLimiter, RedisLimiter
from monopilot.apikeys.tiers import TIERS, TierLimits

REDIS_URL = "redis://127.0.0.1:6379/9"
BASIC = TIERS["basic"]
T0 = 1_800_000_000.0  # a minute boundary


def _redis_or_skip() -> RedisLimiter:
    limiter = RedisLimiter(REDIS_URL, prefix=f"test-rl-{uuid.uuid4().hex[:8]}")
    try:
        limiter._redis.ping()
    except Exception:
        pytest.fail("Redis is required on 127.0.0.1:6379 (make test expects it; .ci/run starts it)")
    return limiter


@pytest.fixture(params=["local", "redis"])
def limiter(request: pytest.FixtureRequest) -> Iterator[LocalLimiter | RedisLimiter]:
    lim: LocalLimiter | RedisLimiter = (
        LocalLimiter() if request.param == "local" else _redis_or_skip()
    )
    yield lim
    lim.reset()


def test_61st_request_in_a_minute_is_refused(limiter: LocalLimiter | RedisLimiter) -> None:
    # 2 requests a second stays under the burst; the minute window decides.
    for i in range(60):
        d = limiter.hit("k", BASIC, now=T0 + i * 0.5)
        assert d.allowed, i
    d = limiter.hit("k", BASIC, now=T0 + 30.0)
    assert not d.allowed
    assert (d.limit, d.remaining) == (60, 0)
    assert d.retry_after >= 1
    h = d.headers()
    assert h["X-RateLimit-Limit"] == "60" and h["X-RateLimit-Remaining"] == "0"
    assert int(h["Retry-After"]) == d.retry_after
    # A full window later the client is welcome again.
    assert limiter.hit("k", BASIC, now=T0 + 125.0).allowed


def test_burst_limits_within_a_second(limiter: LocalLimiter | RedisLimiter) -> None:
    results = [limiter.hit("b", BASIC, now=T0 + 0.01 * i).allowed for i in range(12)]
    assert results == [True] * 10 + [False] * 2
    assert limiter.hit("b", BASIC, now=T0 + 2.5).allowed


def test_remaining_counts_down_and_keys_are_separate(limiter: LocalLimiter | RedisLimiter) -> None:
    first = limiter.hit("a", BASIC, now=T0 + 1)
    second = limiter.hit("a", BASIC, now=T0 + 1.2)
    assert (first.remaining, second.remaining) == (59, 58)
    assert first.reset == int(T0) + 60
    assert limiter.hit("other", BASIC, now=T0 + 1.3).remaining == 59


def test_hour_window(limiter: LocalLimiter | RedisLimiter) -> None:
    small = TierLimits("tiny", per_minute=100, per_hour=5, burst=100)
    assert all(limiter.hit("h", small, now=T0 + i).allowed for i in range(5))
    d = limiter.hit("h", small, now=T0 + 10)
    assert not d.allowed and d.limit == 5 and d.retry_after > 60


def test_tiers_of_decisions() -> None:
    assert [(t.per_minute, t.per_hour, t.burst) for t in TIERS.values()] == [
        (60, 1_000, 10),
        (300, 10_000, 50),
        (1_000, 50_000, 200),
    ]


def test_redis_limit_is_shared_between_processes() -> None:
    """Two limiter instances (two web processes) share one budget through Redis."""
    a = _redis_or_skip()
    b = RedisLimiter(REDIS_URL, prefix=a._prefix)
    try:
        for i in range(30):
            assert a.hit("shared", BASIC, now=T0 + i).allowed
            assert b.hit("shared", BASIC, now=T0 + i + 0.5).allowed
        assert not a.hit("shared", BASIC, now=T0 + 30.2).allowed
        assert not b.hit("shared", BASIC, now=T0 + 30.3).allowed
    finally:
        a.reset()


def test_redis_outage_fails_open() -> None:
    dead = RedisLimiter("redis://127.0.0.1:1/0", prefix="x")
    d = dead.hit("k", BASIC, now=T0)
    assert d.allowed and d.limit == 60


def test_local_limiter_forgets_stale_windows(monkeypatch: pytest.MonkeyPatch) -> None:
    from monopilot.apikeys import ratelimit

    monkeypatch.setattr(ratelimit, "MAX_LOCAL_ENTRIES", 10)
    lim = LocalLimiter()
    for i in range(10):
        lim.hit(f"ip{i}", BASIC, now=T0)
    assert len(lim._state) == 30
    lim.hit("late", BASIC, now=T0 + 7200)  # two hours later everything old is stale
    assert len(lim._state) == 3
