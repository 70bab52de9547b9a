"""Sliding-window rate limiting (FR-INT-004) for the three windows of a tier.

Each window keeps two counters (this fixed window and the previous one); the estimate is
`prev x (share of the previous window still inside the sliding window) + cur`, which is
what "61st request in the last minute" means to a client, at the cost of two integers per
window. Windows: 1 s (burst), 60 s and 3,600 s. Rejected requests are not counted.

Two backends: in-process (embedded default: one web process) and Redis (one Lua call per
request, shared by every web process on every machine). The Redis call also returns the
key's revocation stamp, so cache invalidation costs no extra round trip (see verify.py).
"""

from __future__ import annotations

import logging
import math
import threading
import time
from dataclasses import dataclass
from typing import Any, Protocol

from monopilot.apikeys.tiers import TierLimits

logger = logging.getLogger(__name__)

Window = tuple[int, int]  # (period seconds, limit)
MAX_LOCAL_ENTRIES = 100_000


@dataclass(frozen=True)
class Decision:
    allowed: bool
    limit: int
    remaining: int
    reset: int  # epoch seconds when the reported window frees up
    retry_after: int = 0
    stamp: str = ""

    def headers(self) -> dict[str, str]:
        headers = {
            "X-RateLimit-Limit": str(self.limit),
            "X-RateLimit-Remaining": str(self.remaining),
            "X-RateLimit-Reset": str(self.reset),
        }
        if not self.allowed:
            headers["Retry-After"] = str(self.retry_after)
        return headers


def windows(limits: TierLimits) -> list[Window]:
    return [(1, limits.burst), (60, limits.per_minute), (3600, limits.per_hour)]


def unlimited(limits: TierLimits, now: float | None = None) -> Decision:
    """Headers for a request that bypasses limiting (organisation trusted IP)."""
    now = time.time() if now is None else now
    return Decision(True, limits.per_minute, limits.per_minute, math.ceil(now / 60) * 60)


def decide(now: float, wins: list[Window], counts: list[tuple[int, int]]) -> Decision:
    """The decision from (cur, prev) counts read *before* this request was counted."""
    estimates = []
    for (period, limit), (cur, prev) in zip(wins, counts, strict=True):
        elapsed = now % period
        estimates.append((prev * (1 - elapsed / period) + cur, period, limit, cur, prev))
    denied = [e for e in estimates if e[0] + 1 > e[2]]
    if denied:
        retry = max(_retry_after(now, *e[1:]) for e in denied)
        est, period, limit, _, _ = max(denied, key=lambda e: e[1])
        return Decision(False, limit, 0, math.ceil(now + retry), retry)
    # Report the minute or hour window, whichever has less room left.
    est, period, limit, _, _ = min(estimates[1:], key=lambda e: e[2] - e[0])
    remaining = max(0, math.floor(limit - est - 1))
    return Decision(True, limit, remaining, (math.floor(now / period) + 1) * period)


def _retry_after(now: float, period: int, limit: int, cur: int, prev: int) -> int:
    end = (math.floor(now / period) + 1) * period
    if cur + 1 > limit:  # wait for the next window, until this one's share has decayed
        wait = (end - now) + period * (1 - (limit - 1) / max(cur, 1))
    else:
        wait = period * (1 - (limit - 1 - cur) / max(prev, 1)) - (now % period)
    return max(1, math.ceil(wait))


class Limiter(Protocol):
    def hit(self, ident: str, limits: TierLimits, now: float | None = None) -> Decision: ...

    def stamp(self, ident: str) -> str: ...

    def set_stamp(self, ident: str, value: int) -> None: ...

    def reset(self) -> None: ...


class LocalLimiter:
    """In-process limiter: correct for one web process (the embedded deployment)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._state: dict[tuple[str, int], list[int]] = {}  # -> [window index, cur, prev]
        self._stamps: dict[str, str] = {}

    def hit(self, ident: str, limits: TierLimits, now: float | None = None) -> Decision:
        now = time.time() if now is None else now
        wins = windows(limits)
        with self._lock:
            if len(self._state) > MAX_LOCAL_ENTRIES:
                self._prune(now)
            states = [self._roll(ident, period, now) for period, _ in wins]
            decision = decide(now, wins, [(s[1], s[2]) for s in states])
            if decision.allowed:
                for state in states:
                    state[1] += 1
            stamp = self._stamps.get(ident, "")
        if stamp:
            return Decision(**{**decision.__dict__, "stamp": stamp})
        return decision

    def _prune(self, now: float) -> None:
        """Forget windows that no longer count (many client IPs must not grow memory)."""
        stale = [k for k, s in self._state.items() if s[0] < math.floor(now / k[1]) - 1]
        for key in stale:
            del self._state[key]

    def _roll(self, ident: str, period: int, now: float) -> list[int]:
        index = math.floor(now / period)
        state = self._state.get((ident, period))
        if state is None:
            state = self._state[(ident, period)] = [index, 0, 0]
        elif state[0] != index:
            state[2] = state[1] if state[0] == index - 1 else 0
            state[0], state[1] = index, 0
        return state

    def stamp(self, ident: str) -> str:
        return self._stamps.get(ident, "")

    def set_stamp(self, ident: str, value: int) -> None:
        self._stamps[ident] = str(value)

    def reset(self) -> None:
        with self._lock:
            self._state.clear()
            self._stamps.clear()


# KEYS: cur/prev counter per window, then the stamp key. ARGV: per window period.
_LUA = """
local counts = redis.call('MGET', unpack(KEYS))
local n = (#ARGV - 1) / 2
local now = tonumber(ARGV[1])
local allowed = 1
for i = 1, n do
  local period = tonumber(ARGV[1 + i])
  local limit = tonumber(ARGV[1 + n + i])
  local cur = tonumber(counts[2 * i - 1] or '0')
  local prev = tonumber(counts[2 * i] or '0')
  if prev * (1 - (now % period) / period) + cur + 1 > limit then allowed = 0 end
end
if allowed == 1 then
  for i = 1, n do
    redis.call('INCR', KEYS[2 * i - 1])
    redis.call('EXPIRE', KEYS[2 * i - 1], 2 * tonumber(ARGV[1 + i]) + 1)
  end
end
counts[#counts + 1] = allowed
return counts
"""


class RedisLimiter:
    """Shared limiter: one EVALSHA per request; correct across processes and machines."""

    def __init__(self, url: str, prefix: str = "mp:rl") -> None:
        import redis

        self._redis = redis.Redis.from_url(url, socket_timeout=0.5, socket_connect_timeout=0.5)
        self._prefix = prefix
        self._script: Any = self._redis.register_script(_LUA)

    def hit(self, ident: str, limits: TierLimits, now: float | None = None) -> Decision:
        now = time.time() if now is None else now
        wins = windows(limits)
        keys = []
        for period, _ in wins:
            index = math.floor(now / period)
            base = f"{self._prefix}:{{{ident}}}:{period}:"
            keys += [base + str(index), base + str(index - 1)]
        keys.append(self._stamp_key(ident))
        argv = [repr(now), *(p for p, _ in wins), *(lim for _, lim in wins)]
        try:
            raw = self._script(keys=keys, args=argv)
        except Exception:  # fail open: an outage of Redis must not take the API down
            logger.warning("rate limiter unavailable; request allowed", exc_info=True)
            return unlimited(limits, now)
        counts = [int(c or 0) for c in raw[: 2 * len(wins)]]
        pairs = [(counts[2 * i], counts[2 * i + 1]) for i in range(len(wins))]
        decision = decide(now, wins, pairs)
        stamp = raw[2 * len(wins)]
        stamp_text = stamp.decode() if isinstance(stamp, bytes) else (stamp or "")
        # The script decides with the same arithmetic; trust its verdict on a race.
        if not raw[-1] and decision.allowed:
            decision = Decision(False, decision.limit, 0, decision.reset, 1)
        return Decision(**{**decision.__dict__, "stamp": stamp_text})

    def _stamp_key(self, ident: str) -> str:
        return f"{self._prefix}:{{{ident}}}:stamp"

    def stamp(self, ident: str) -> str:
        try:
            value = self._redis.get(self._stamp_key(ident))
        except Exception:
            return ""
        return value.decode() if isinstance(value, bytes) else ""

    def set_stamp(self, ident: str, value: int) -> None:
        try:
            self._redis.set(self._stamp_key(ident), str(value), ex=86_400)
        except Exception:
            logger.warning("could not publish API key stamp", exc_info=True)

    def reset(self) -> None:
        for key in self._redis.scan_iter(f"{self._prefix}:*"):
            self._redis.delete(key)


_limiter: Limiter | None = None
_limiter_lock = threading.Lock()


def get_limiter() -> Limiter:
    global _limiter
    if _limiter is None:
        with _limiter_lock:
            if _limiter is None:
                _limiter = _build()
    return _limiter


def _build() -> Limiter:
    from django.conf import settings

    url = getattr(settings, "MONOPILOT_RATE_LIMIT_REDIS_URL", "") or settings.REDIS_URL
    return RedisLimiter(url) if url else LocalLimiter()


def set_limiter(limiter: Limiter | None) -> None:
    """Swap the process limiter (tests, bench)."""
    global _limiter
    _limiter = limiter
