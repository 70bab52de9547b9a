"""Per-endpoint delivery limits shared through Redis by several dispatchers (each
`RedisLimiter` here stands for one worker process), and the local fallback."""

from __future__ import annotations

import asyncio
import itertools
import logging
import uuid
from collections.abc import Awaitable, Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest

from monopilot.outbox import gates
from monopilot.outbox.transport import Limits

REDIS_URL = "redis://127.0.0.1:6379/9"


def run(test: Callable[[], Awaitable[Any]]) -> Any:
    # In a thread of its own: another test (Playwright) may keep a loop in this one.
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, test()).result()


async def _limiters(count: int) -> list[gates.RedisLimiter]:
    prefix = f"test-outbox-{uuid.uuid4().hex[:8]}"
    limiters = [
        gates.RedisLimiter(REDIS_URL, worker_id=f"w{i}", prefix=prefix) for i in range(count)
    ]
    try:
        await limiters[0].client.ping()
    except Exception:
        pytest.fail("Redis is required on 127.0.0.1:6379 (make test expects it; .ci/run starts it)")
    return limiters


async def _close(limiters: list[gates.RedisLimiter]) -> None:
    for limiter in limiters:
        await limiter.close()


def test_concurrency_is_shared_by_every_process() -> None:
    async def scenario() -> None:
        limiters = await _limiters(2)
        target = uuid.uuid4()
        a, b = (lim.gate("webhook", target, Limits(concurrency=3)) for lim in limiters)
        waiting = [asyncio.create_task(g.acquire()) for g in (a, b) for _ in range(4)]
        done, pending = await asyncio.wait(waiting, timeout=0.3)
        assert len(done) == 3 and len(pending) == 5  # 8 asked across two processes, 3 may go
        holders = {t.result() for t in done}
        assert len(holders) == 3 and gates.LOCAL not in holders
        # One permit back (by whichever process held it) lets exactly one more through.
        first = next(iter(done))
        owner = a if first in waiting[:4] else b
        owner.release(first.result())
        done2, pending = await asyncio.wait(pending, timeout=0.3)
        assert len(done2) == 1 and len(pending) == 4
        for task in pending:
            task.cancel()
        await asyncio.gather(*pending, return_exceptions=True)
        await _close(limiters)

    run(scenario)


def test_a_dead_workers_permits_expire(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(gates, "PERMIT_GRACE", 0.2)

    async def scenario() -> None:
        limiters = await _limiters(2)
        target = uuid.uuid4()
        limits = Limits(concurrency=1, timeout=0.1)
        dead, alive = (lim.gate("webhook", target, limits) for lim in limiters)
        await dead.acquire()  # ... and its process dies without giving it back
        started = asyncio.get_running_loop().time()
        await asyncio.wait_for(alive.acquire(), timeout=3)
        waited = asyncio.get_running_loop().time() - started
        assert 0.2 <= waited < 2.0  # the permit lived request timeout + grace (0.3 s)
        await _close(limiters)

    run(scenario)


def test_rate_slots_are_shared_and_spaced() -> None:
    async def scenario() -> None:
        limiters = await _limiters(2)
        target = uuid.uuid4()
        a, b = (lim.gate("webhook", target, Limits(rate_per_second=20)) for lim in limiters)
        results = await asyncio.gather(*(g.reserve(10.0) for g in (a, b) for _ in range(10)))
        assert all(granted for granted, _ in results)
        waits = sorted(wait for _, wait in results)
        gaps = [later - earlier for earlier, later in itertools.pairwise(waits)]
        # 20 slots, 1/20 s apart, whichever process reserved them.
        assert min(gaps) == pytest.approx(0.05, abs=0.005)
        assert waits[-1] == pytest.approx(0.95, abs=0.05)
        await _close(limiters)

    run(scenario)


def test_slots_beyond_the_horizon_are_refused_and_not_taken() -> None:
    async def scenario() -> None:
        (limiter,) = await _limiters(1)
        gate = limiter.gate("webhook", uuid.uuid4(), Limits(rate_per_second=10))
        results = await asyncio.gather(*(gate.reserve(0.5) for _ in range(10)))
        granted = [wait for ok, wait in results if ok]
        refused = [wait for ok, wait in results if not ok]
        assert len(granted) == 6  # 0.0, 0.1 … 0.5
        assert all(wait > 0.5 for wait in refused)
        # The refused ones reserved nothing: the next slot is still 0.6 s away.
        ok, wait = await gate.reserve(1.0)
        assert ok and wait == pytest.approx(0.6, abs=0.05)
        await limiter.close()

    run(scenario)


def test_callers_in_one_turn_share_one_round_trip() -> None:
    async def scenario() -> None:
        (limiter,) = await _limiters(1)
        calls = _count_calls(limiter)
        gate = limiter.gate("webhook", uuid.uuid4(), Limits(concurrency=100))
        permits = await asyncio.gather(*(gate.acquire() for _ in range(50)))
        assert calls == [50] and len(set(permits)) == 50
        for permit in permits:
            gate.release(permit)
        await asyncio.sleep(0.05)
        assert await limiter.client.zcard(gate._permit_key) == 0  # all given back, in one go
        await limiter.close()

    run(scenario)


def _count_calls(limiter: gates.RedisLimiter) -> list[int]:
    calls: list[int] = []
    real_acquire = limiter.acquire

    async def counting(*args: Any) -> tuple[int, int]:
        calls.append(len(args[-1]))
        return await real_acquire(*args)

    limiter.acquire = counting  # type: ignore[method-assign]
    return calls


def test_a_busy_gate_hands_permits_on_and_leaves_none_behind() -> None:
    async def scenario() -> None:
        (limiter,) = await _limiters(1)
        calls = _count_calls(limiter)
        gate = limiter.gate("webhook", uuid.uuid4(), Limits(concurrency=3))
        in_flight = peak = 0

        async def deliver() -> None:
            nonlocal in_flight, peak
            permit = await gate.acquire()
            in_flight += 1
            peak = max(peak, in_flight)
            await asyncio.sleep(0.005)
            in_flight -= 1
            gate.release(permit)  # to the next waiter here, or back to Redis

        await asyncio.wait_for(asyncio.gather(*(deliver() for _ in range(60))), timeout=10)
        assert peak == 3
        # 60 deliveries in ~0.1 s: the 3 permits were handed on here, not fetched 60 times.
        assert len(calls) <= 5
        await asyncio.sleep(0.05)
        assert await limiter.client.zcard(gate._permit_key) == 0  # none left behind
        await limiter.close()

    run(scenario)


def test_a_busy_process_does_not_keep_the_permits_from_another() -> None:
    async def scenario() -> None:
        limiters = await _limiters(2)
        target = uuid.uuid4()
        a, b = (lim.gate("webhook", target, Limits(concurrency=2)) for lim in limiters)
        loop = asyncio.get_running_loop()
        started = loop.time()
        first_for_b: list[float] = []
        in_flight = peak = 0

        async def deliver(gate: gates.RedisGate, mine: list[float] | None) -> None:
            nonlocal in_flight, peak
            permit = await gate.acquire()
            if mine is not None and not mine:
                mine.append(loop.time() - started)
            in_flight += 1
            peak = max(peak, in_flight)
            await asyncio.sleep(0.01)
            in_flight -= 1
            gate.release(permit)

        busy_a = [asyncio.create_task(deliver(a, None)) for _ in range(200)]  # ~1 s of work
        await asyncio.sleep(0.05)  # a holds both permits and keeps handing them on
        busy_b = [asyncio.create_task(deliver(b, first_for_b)) for _ in range(20)]
        await asyncio.wait_for(asyncio.gather(*busy_a, *busy_b), timeout=15)
        assert peak == 2
        # b got a permit once a's hand-over window ran out, not after a had finished.
        assert first_for_b and first_for_b[0] < gates.HANDOVER_SECONDS + 0.4
        await _close(limiters)

    run(scenario)


def test_redis_down_falls_back_to_local_limits(caplog: pytest.LogCaptureFixture) -> None:
    async def scenario() -> None:
        limiter = gates.RedisLimiter("redis://127.0.0.1:1/0", worker_id="w")
        gate = limiter.gate("webhook", uuid.uuid4(), Limits(concurrency=2, rate_per_second=100))
        tasks = [asyncio.create_task(gate.acquire()) for _ in range(3)]
        done, pending = await asyncio.wait(tasks, timeout=3)
        assert len(done) == 2 and {t.result() for t in done} == {gates.LOCAL}
        gate.release(gates.LOCAL)
        done, _ = await asyncio.wait(pending, timeout=1)
        assert len(done) == 1
        assert (await gate.reserve(1.0))[0]
        await limiter.close()

    with caplog.at_level(logging.WARNING, logger="monopilot.outbox.gates"):
        run(scenario)
    warnings = [r for r in caplog.records if "per-process delivery limits" in r.getMessage()]
    assert len(warnings) == 1  # said once, not per delivery


def test_local_gate_refuses_beyond_the_horizon_without_reserving() -> None:
    gate = gates.LocalGate(Limits(rate_per_second=10))
    assert [gate.reserve_now(100.0, 0.25)[0] for _ in range(5)] == [True, True, True, False, False]
    assert gate.reserve_now(100.0, 1.0) == (True, pytest.approx(0.3))


def test_limiter_comes_from_settings(settings: Any) -> None:
    settings.MONOPILOT_RATE_LIMIT_REDIS_URL = ""
    settings.REDIS_URL = ""
    assert isinstance(gates.make_limiter(worker_id="w"), gates.LocalLimiter)
    settings.REDIS_URL = REDIS_URL
    assert isinstance(gates.make_limiter(worker_id="w"), gates.RedisLimiter)
    assert isinstance(gates.make_limiter(worker_id="w", url=""), gates.LocalLimiter)


def test_local_permits_are_first_come_first_served_and_survive_cancellation() -> None:
    async def scenario() -> None:
        permits = gates.Permits(1)
        await permits.acquire()  # taken at once
        order: list[str] = []

        async def waiter(name: str) -> None:
            await permits.acquire()
            order.append(name)

        first = asyncio.create_task(waiter("first"))
        cancelled = asyncio.create_task(waiter("cancelled"))
        last = asyncio.create_task(waiter("last"))
        await asyncio.sleep(0)
        cancelled.cancel()  # still waiting: skipped when the permit comes round
        await asyncio.sleep(0)
        permits.release()
        await first
        permits.release()
        await last
        assert order == ["first", "last"]
        # A waiter handed the permit but cancelled before it ran passes the permit on.
        handed = asyncio.create_task(waiter("handed"))
        after = asyncio.create_task(waiter("after"))
        await asyncio.sleep(0)
        permits.release()  # to "handed"…
        handed.cancel()  # …which is cancelled before it resumes
        await asyncio.wait_for(after, 2)  # hangs if the permit was lost
        assert order == ["first", "last", "after"]
        permits.release()
        assert permits.free == 1 and not permits.waiters

    run(scenario)
