"""Per-target delivery limits: concurrency (requests in flight) and rate (deliveries/s).

An endpoint's limits protect the receiver, so they must hold for the endpoint as a whole,
however many worker processes on however many machines deliver to it:

- `LocalGate`: a FIFO permit counter and a next-free-slot clock in this process. Exact
  when one process delivers (embedded mode, a single worker); with N workers each would
  allow the full limit, so it is only the fallback when there is no Redis.
- `RedisGate` (when `MONOPILOT_RATE_LIMIT_REDIS_URL` or `REDIS_URL` is set): the same two
  limits kept in Redis and shared by every dispatcher. Concurrency is a sorted set of
  permits that expire (a worker killed mid-request cannot leak its permits for longer
  than the request timeout); the rate is a next-free-slot time (GCRA-style reservation).
  Both scripts read Redis's own clock, so the machines' clocks do not matter.

Calls are coalesced: every request that asks for a slot or a permit in the same turn of
the event loop shares one Redis round trip, so the cost per delivery stays small. A young
permit freed while others in this process wait is handed on without a round trip; older
ones go back to Redis, and a process giving permits back while other processes wait lets
them ask first (the acquire script keeps a short register of who is waiting).

If Redis fails, the gate falls back to its local limits for a few seconds (logged) rather
than stop delivering: the per-process limits are still limits.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import logging
import time
import uuid
from collections import deque
from typing import Any, Protocol

from monopilot.outbox.transport import Limits

logger = logging.getLogger(__name__)

LOCAL = ""  # the permit of a local semaphore (Redis permits are member names)
DEGRADED_SECONDS = 5.0
RETRY_ACQUIRE_SECONDS = 0.02  # a permit freed by another process is seen this late at most
MAX_PER_CALL = 500
PERMIT_GRACE = 5.0  # a permit outlives its request's timeout by this much, then expires
# A permit freed while others here wait goes straight to the next of them if it was granted
# less than this long ago (no round trip; it still expires in time, as this is well under
# PERMIT_GRACE). Past it, the permit goes back to Redis, so a busy process cannot keep an
# endpoint's permits from the other processes for longer than this.
HANDOVER_SECONDS = 0.5


class Gate(Protocol):
    limits: Limits

    async def reserve(self, horizon: float) -> tuple[bool, float]:
        """A rate slot: `(True, seconds to wait)`, or `(False, seconds until one would be
        free)` when that is further than `horizon` away (then nothing was reserved)."""

    async def acquire(self) -> str:
        """Wait for a concurrency permit and return it (give it back with `release`)."""

    def release(self, permit: str) -> None: ...


class Permits:
    """A first-come first-served counting semaphore with an O(1) fast path.

    (`asyncio.Semaphore.acquire` on Python 3.11 walks every waiter on each call; with
    hundreds of deliveries queued behind one endpoint that was a tenth of the dispatcher's
    time.) A released permit goes straight to the oldest waiter still waiting."""

    def __init__(self, limit: int) -> None:
        self.free = limit
        self.waiters: deque[asyncio.Future[None]] = deque()

    async def acquire(self) -> None:
        if self.free > 0 and not self.waiters:
            self.free -= 1
            return
        waiter = asyncio.get_running_loop().create_future()
        self.waiters.append(waiter)
        try:
            await waiter
        except asyncio.CancelledError:
            if waiter.done() and not waiter.cancelled():
                self.release()  # handed a permit just as it was cancelled: pass it on
            raise  # a cancelled waiter still in the queue is skipped by release()

    def release(self) -> None:
        while self.waiters:
            waiter = self.waiters.popleft()
            if not waiter.done():
                waiter.set_result(None)
                return
        self.free += 1


class LocalGate:
    def __init__(self, limits: Limits) -> None:
        self.limits = limits
        self.permits = Permits(max(limits.concurrency, 1))
        self._next_slot = 0.0

    async def reserve(self, horizon: float) -> tuple[bool, float]:
        return self.reserve_now(time.monotonic(), horizon)

    def reserve_now(self, now: float, horizon: float) -> tuple[bool, float]:
        rate = self.limits.rate_per_second
        if not rate:
            return True, 0.0
        slot = max(now, self._next_slot)
        if slot - now > horizon:
            return False, slot - now
        self._next_slot = slot + 1.0 / rate
        return True, slot - now

    async def acquire(self) -> str:
        await self.permits.acquire()
        return LOCAL

    def release(self, permit: str) -> None:
        self.permits.release()


# KEYS[1]: the next free slot (seconds, Redis clock). ARGV: rate/s, slots wanted, horizon s.
# Returns {slots granted, seconds from now to the first slot (as text: Lua numbers would be
# truncated to integers on the way out)}.
_RESERVE = """
local t = redis.call('TIME')
local now = tonumber(t[1]) + tonumber(t[2]) / 1000000
local rate = tonumber(ARGV[1])
local want = tonumber(ARGV[2])
local first = math.max(now, tonumber(redis.call('GET', KEYS[1]) or '0'))
local fit = math.floor((now + tonumber(ARGV[3]) - first) * rate) + 1
if fit < 0 then fit = 0 end
if fit > want then fit = want end
if fit > 0 then
  local nxt = first + fit / rate
  redis.call('SET', KEYS[1], string.format('%.6f', nxt), 'PX', math.ceil((nxt - now + 60) * 1000))
end
return {fit, string.format('%.6f', first - now)}
"""

# KEYS[1]: permits in flight (member → expiry, Redis clock); KEYS[2]: processes that
# wanted more than they got (process → when, Redis clock). ARGV: limit, permit lifetime in
# seconds, this process's name, then the names of the permits wanted, in order. Returns
# {how many were granted (the first ones), how many *other* processes are waiting}.
_ACQUIRE = """
local t = redis.call('TIME')
local now = tonumber(t[1]) + tonumber(t[2]) / 1000000
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
local wanted = #ARGV - 3
local free = tonumber(ARGV[1]) - redis.call('ZCARD', KEYS[1])
if free > wanted then free = wanted end
if free < 0 then free = 0 end
local expires = now + tonumber(ARGV[2])
for i = 1, free do redis.call('ZADD', KEYS[1], expires, ARGV[3 + i]) end
if free > 0 then
  redis.call('PEXPIRE', KEYS[1], math.ceil((tonumber(ARGV[2]) + 60) * 1000))
end
if free < wanted then
  redis.call('ZADD', KEYS[2], now, ARGV[3])
else
  redis.call('ZREM', KEYS[2], ARGV[3])
end
redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', now - 1)
redis.call('PEXPIRE', KEYS[2], 60000)
local others = redis.call('ZCARD', KEYS[2])
if free < wanted then others = others - 1 end
return {free, others}
"""


class _Degraded(Exception):
    """Redis did not answer: use the local limits for a while."""


class RedisGate:
    def __init__(self, limiter: RedisLimiter, key: str, limits: Limits) -> None:
        self.limiter = limiter
        self.limits = limits
        self.fallback = LocalGate(limits)
        self._rate_key = f"{key}:rate"
        self._permit_key = f"{key}:inflight"
        self._waiters_key = f"{key}:waiting"
        self._reservations: list[asyncio.Future[tuple[bool, float]]] = []
        self._waiting: deque[tuple[str, asyncio.Future[str]]] = deque()
        self._to_release: list[str] = []
        self._granted_at: dict[str, float] = {}  # permits held here → when Redis granted them
        self._others_waiting = False  # as of the last answer from Redis
        self._yield_until = 0.0
        self._poke = asyncio.Event()
        self._tasks: set[asyncio.Task[None]] = set()
        self._pumping = False
        self._releasing = False

    def update(self, limits: Limits) -> None:
        """New endpoint settings: the shared state stays, the next call uses the limits."""
        self.limits = limits
        self.fallback = LocalGate(limits)

    # -- rate -----------------------------------------------------------------------------

    async def reserve(self, horizon: float) -> tuple[bool, float]:
        if not self.limits.rate_per_second:
            return True, 0.0
        if self.limiter.degraded():
            return await self.fallback.reserve(horizon)
        future: asyncio.Future[tuple[bool, float]] = asyncio.get_running_loop().create_future()
        self._reservations.append(future)
        if len(self._reservations) == 1:
            self._spawn(self._reserve_batch(horizon))
        try:
            return await future
        except _Degraded:
            return await self.fallback.reserve(horizon)

    async def _reserve_batch(self, horizon: float) -> None:
        await asyncio.sleep(0)  # let the rest of this turn's callers join the batch
        batch, self._reservations = (
            self._reservations[:MAX_PER_CALL],
            self._reservations[MAX_PER_CALL:],
        )
        if self._reservations:
            self._spawn(self._reserve_batch(horizon))
        rate = float(self.limits.rate_per_second or 0)
        try:
            granted, first = await self.limiter.reserve(self._rate_key, rate, len(batch), horizon)
        except Exception:
            self.limiter.degrade("reserving rate slots")
            for future in batch:
                _settle(future, exc=_Degraded())
            return
        for i, future in enumerate(batch):
            _settle(future, (i < granted, first + i / rate))

    # -- concurrency ----------------------------------------------------------------------

    async def acquire(self) -> str:
        if self.limiter.degraded():
            return await self.fallback.acquire()
        future: asyncio.Future[str] = asyncio.get_running_loop().create_future()
        self._waiting.append((self.limiter.permit_name(), future))
        if not self._pumping:
            self._pumping = True
            self._spawn(self._pump())
        try:
            return await future
        except _Degraded:
            return await self.fallback.acquire()

    async def _pump(self) -> None:
        """Ask Redis for permits for everyone waiting until no one is: again when a permit
        of ours went back, else every RETRY_ACQUIRE_SECONDS (one freed elsewhere). After
        giving permits back while other processes wait, it lets them ask first."""
        try:
            await asyncio.sleep(0)
            while self._waiting:
                self._poke.clear()
                pause = self._yield_until - time.monotonic()
                if pause > 0:
                    await asyncio.sleep(pause)
                # No more can be granted than the limit: ask for no more than that.
                ask = min(MAX_PER_CALL, max(self.limits.concurrency, 1))
                batch = [
                    (name, fut)
                    for name, fut in itertools.islice(self._waiting, ask)
                    if not fut.done()
                ]
                try:
                    granted, others = await self.limiter.acquire(
                        self._permit_key,
                        self._waiters_key,
                        self.limits.concurrency,
                        self.limits.timeout + PERMIT_GRACE,
                        [name for name, _ in batch],
                    )
                except Exception:
                    self.limiter.degrade("acquiring permits")
                    while self._waiting:
                        _settle(self._waiting.popleft()[1], exc=_Degraded())
                    return
                self._others_waiting = others > 0
                granted_at = time.monotonic()
                for name, future in batch[:granted]:
                    self._granted_at[name] = granted_at
                    if not _settle(future, name):
                        self.release(name)  # its waiter gave up (or got a handed-over one)
                self._drop_settled()
                if self._waiting:
                    with contextlib.suppress(TimeoutError):
                        await asyncio.wait_for(self._poke.wait(), RETRY_ACQUIRE_SECONDS)
        finally:
            self._pumping = False

    def _drop_settled(self) -> None:
        self._waiting = deque(item for item in self._waiting if not item[1].done())

    def release(self, permit: str) -> None:
        if permit == LOCAL:
            self.fallback.release(permit)
            return
        if self._hand_over(permit):
            return
        self._granted_at.pop(permit, None)
        self._to_release.append(permit)
        if self._waiting and self._others_waiting:
            # Our waiters could take it back at once; the other processes go first.
            self._yield_until = time.monotonic() + 2 * RETRY_ACQUIRE_SECONDS
        if not self._releasing:
            self._releasing = True
            self._spawn(self._release_batch())

    def _hand_over(self, permit: str) -> bool:
        """Give a young permit to the next waiter here: no round trip, and it still expires
        in time (the window is well under PERMIT_GRACE)."""
        granted_at = self._granted_at.get(permit)
        window = min(HANDOVER_SECONDS, PERMIT_GRACE / 2)
        if granted_at is None or time.monotonic() - granted_at >= window:
            return False
        while self._waiting:
            if _settle(self._waiting.popleft()[1], permit):
                return True
        return False

    async def _release_batch(self) -> None:
        try:
            await asyncio.sleep(0)
            while self._to_release:
                batch, self._to_release = self._to_release, []
                try:
                    await self.limiter.release(self._permit_key, batch)
                except Exception:
                    # The permits expire by themselves (request timeout + PERMIT_GRACE).
                    self.limiter.degrade("releasing permits")
        finally:
            self._releasing = False
            self._poke.set()  # our waiters may ask again now (after yielding, if they must)

    def _spawn(self, coroutine: Any) -> None:
        task = asyncio.get_running_loop().create_task(coroutine)
        self._tasks.add(task)  # the loop holds tasks only weakly
        task.add_done_callback(self._tasks.discard)


def _settle(
    future: asyncio.Future[Any], value: Any = None, *, exc: Exception | None = None
) -> bool:
    if future.done():
        return False
    if exc is not None:
        future.set_exception(exc)
    else:
        future.set_result(value)
    return True


class RedisLimiter:
    """The Redis side shared by the gates of one dispatcher (one connection pool)."""

    def __init__(self, url: str, *, worker_id: str, prefix: str = "mp:outbox") -> None:
        import redis.asyncio as redis

        self.client = redis.Redis.from_url(url, socket_timeout=2, socket_connect_timeout=2)
        self.prefix = prefix
        self._reserve = self.client.register_script(_RESERVE)
        self._acquire = self.client.register_script(_ACQUIRE)
        self._names = itertools.count()
        self._worker = f"{worker_id}:{uuid.uuid4().hex[:8]}"
        self._degraded_until = 0.0

    def gate(self, kind: str, target_id: uuid.UUID, limits: Limits) -> RedisGate:
        # The braces make both keys of a target hash to the same Redis Cluster slot.
        return RedisGate(self, f"{self.prefix}:{{{kind}:{target_id}}}", limits)

    def permit_name(self) -> str:
        return f"{self._worker}:{next(self._names)}"

    def degraded(self) -> bool:
        return time.monotonic() < self._degraded_until

    def degrade(self, doing: str) -> None:
        if not self.degraded():
            logger.warning(
                "Redis failed while %s; per-process delivery limits for %.0f s",
                doing,
                DEGRADED_SECONDS,
                exc_info=True,
            )
        self._degraded_until = time.monotonic() + DEGRADED_SECONDS

    async def reserve(self, key: str, rate: float, count: int, horizon: float) -> tuple[int, float]:
        granted, first = await self._reserve(keys=[key], args=[repr(rate), count, repr(horizon)])
        return int(granted), float(first)

    async def acquire(
        self, key: str, waiters_key: str, limit: int, lifetime: float, names: list[str]
    ) -> tuple[int, int]:
        args: list[str | int] = [max(limit, 1), repr(lifetime), self._worker, *names]
        granted, others = await self._acquire(keys=[key, waiters_key], args=args)
        return int(granted), int(others)

    async def release(self, key: str, names: list[str]) -> None:
        await self.client.zrem(key, *names)

    async def close(self) -> None:
        await self.client.aclose()


class LocalLimiter:
    def gate(self, kind: str, target_id: uuid.UUID, limits: Limits) -> LocalGate:
        return LocalGate(limits)

    async def close(self) -> None:
        return None


def redis_url() -> str:
    """Where shared limits live: the API rate limiter's Redis, or the cache's (settings)."""
    from django.conf import settings

    return str(getattr(settings, "MONOPILOT_RATE_LIMIT_REDIS_URL", "") or settings.REDIS_URL or "")


def make_limiter(*, worker_id: str, url: str | None = None) -> RedisLimiter | LocalLimiter:
    url = redis_url() if url is None else url
    return RedisLimiter(url, worker_id=worker_id) if url else LocalLimiter()
