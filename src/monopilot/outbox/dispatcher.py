"""The outbox dispatcher: a worker service (one thread per worker process) running an
asyncio loop with one pooled HTTP client (`core.postclient`).

- Claims due messages in batches on a dedicated database thread (one connection), never
  more than `capacity` in flight, and sends each through its transport.
- Per-target limits (`gates`): concurrency and deliveries/s, shared by every worker through
  Redis when it is configured, per process otherwise; a message that would wait longer
  than `DEFER_AFTER` for its slot goes back to the queue untouched, and so does one whose
  lease is about to run out before it could be sent.
- Outcomes are recorded in batches (one transaction for up to 500 outcomes).
- Woken at once by commits in this process (`wake.wake`), by LISTEN/NOTIFY from any
  process on PostgreSQL, and by the doorbell socket from other processes on SQLite;
  otherwise it polls every `poll` seconds.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import logging
import math
import os
import socket
import threading
import time
import uuid
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from typing import Any, NamedTuple, TypeVar

from django.conf import settings
from django.db import connection
from django.utils import timezone

from monopilot.core import http
from monopilot.core.env import env_float, env_int
from monopilot.core.postclient import PostClient
from monopilot.outbox import delivery, gates, wake
from monopilot.outbox import transport as transports
from monopilot.outbox.transport import Job, Limits, Outcome, Verdict

logger = logging.getLogger(__name__)
T = TypeVar("T")

DEFER_AFTER = 5.0
# A claim takes 5 to 30 ms under load. A target whose requests are quick gets through
# hundreds of messages in that time: it may hold what it would send in this long (up to
# `FAST_TARGET_FACTOR` times its concurrency), so its queue does not run dry before the
# next claim comes back.
HOLD_AHEAD_SECONDS = 0.05
FAST_TARGET_FACTOR = 8
REQUEST_TIME_WEIGHT = 0.05  # of each new request in the moving average


def lease_seconds() -> float:
    """How long a claim lasts; a dead worker's messages are due again after it.
    (`MONOPILOT_OUTBOX_LEASE_SECONDS`, default twice the HTTP timeout plus 30 s.)"""
    default = 2 * http.default_timeout() + 30
    configured = getattr(settings, "MONOPILOT_OUTBOX_LEASE_SECONDS", None)
    if configured is None:
        configured = env_int("MONOPILOT_OUTBOX_LEASE_SECONDS", 0)
    return float(configured or default)


class Dispatcher:
    def __init__(
        self,
        *,
        worker_id: str | None = None,
        capacity: int = 1000,
        batch: int = 200,
        poll: float = 0.5,
        record_batch: int = 500,
        record_interval: float = 0.01,
        limits_redis_url: str | None = None,
    ) -> None:
        self.worker_id = worker_id or f"{socket.gethostname()}-{os.getpid()}-disp"
        self.capacity = capacity
        self.batch = batch
        self.poll = poll
        self.record_batch = record_batch
        self.record_interval = record_interval
        self.lease = lease_seconds()
        self.in_flight = 0
        # None: from settings (`gates.redis_url`); "": per-process limits.
        self.limits_redis_url = limits_redis_url
        self.gates: dict[uuid.UUID, gates.Gate] = {}
        self.tasks: set[asyncio.Task[None]] = set()
        self.queued: Counter[uuid.UUID] = Counter()  # per target: started here, not finished
        # Per target: how long its requests take here (a moving average, seconds).
        self.request_seconds: dict[uuid.UUID, float] = {}
        self.skipped: set[uuid.UUID] = set()  # targets the last claim left alone (full here)
        # The last claim that left full targets alone and found nothing else due: which
        # targets it skipped and when (loop time). Until something is published or a poll
        # interval passes, claiming again with those targets skipped is futile — and not
        # free: the database walks the whole backlog of the skipped targets to find that.
        self.others_idle: tuple[frozenset[uuid.UUID], float] | None = None
        self.news = False  # something was published since the last claim
        self.sent = 0

    # -- entry point ----------------------------------------------------------------------

    def run(self, stop: threading.Event) -> None:
        loop = asyncio.new_event_loop()
        try:
            with collector_settled():
                loop.run_until_complete(self._main(stop))
        finally:
            loop.close()

    async def _main(self, stop: threading.Event) -> None:
        loop = asyncio.get_running_loop()
        self.db = ThreadPoolExecutor(max_workers=1, thread_name_prefix="outbox-db")
        # PostgreSQL takes concurrent writers: outcomes are recorded on a connection of
        # their own, so a claim never waits behind a recording (and vice versa). SQLite has
        # one writer at a time: one thread does both there.
        self.record_db = (
            ThreadPoolExecutor(max_workers=1, thread_name_prefix="outbox-record")
            if connection.vendor == "postgresql"
            else self.db
        )
        self.wakeup = asyncio.Event()
        self.slot_free = asyncio.Event()
        self.results: asyncio.Queue[Outcome] = asyncio.Queue()

        def poke() -> None:
            loop.call_soon_threadsafe(self._published)

        wake.add_waker(poke)
        listener = self._start_listener(stop, poke)
        doorbell = self._open_doorbell(loop)
        self.client = PostClient()
        self.limiter = gates.make_limiter(worker_id=self.worker_id, url=self.limits_redis_url)
        recorder = asyncio.create_task(self._recorder())
        watcher = asyncio.create_task(self._watch_stop(stop))
        try:
            await self._claim_loop(stop)
        finally:
            wake.remove_waker(poke)
            try:
                await self._drain(timeout=10.0)
                recorder.cancel()
                watcher.cancel()
                await self._flush_results()
                await self._db(_close_connection)
                if self.record_db is not self.db:
                    await self._db(_close_connection, pool=self.record_db)
            except RuntimeError:
                # The process is exiting under us: what is unrecorded comes back when its
                # lease runs out (at-least-once), so there is nothing to save here.
                logger.warning("outbox dispatcher stopped by interpreter shutdown")
            finally:
                await self.client.close()
                await self.limiter.close()
                self.db.shutdown(wait=False)
                self.record_db.shutdown(wait=False)
            if listener:
                listener.join(timeout=2)
            if doorbell:
                loop.remove_reader(doorbell.fileno())
                doorbell.close()

    def _start_listener(self, stop: threading.Event, poke: Any) -> threading.Thread | None:
        if connection.vendor != "postgresql":
            return None
        thread = threading.Thread(
            target=wake.listen_forever, args=(stop, poke), name="outbox-listen", daemon=True
        )
        thread.start()
        return thread

    def _open_doorbell(self, loop: asyncio.AbstractEventLoop) -> wake.Doorbell | None:
        """SQLite: be rung by commits in other processes (PostgreSQL has LISTEN/NOTIFY)."""
        directory = wake.doorbell_dir()
        if directory is None:
            return None
        try:
            doorbell = wake.Doorbell(directory)
        except OSError:
            logger.warning("no outbox doorbell in %s; polling only", directory, exc_info=True)
            return None

        def rung() -> None:
            doorbell.drain()
            self._published()

        loop.add_reader(doorbell.fileno(), rung)
        return doorbell

    def _published(self) -> None:
        self.news = True
        self.wakeup.set()

    async def _watch_stop(self, stop: threading.Event) -> None:
        while not stop.is_set():
            await asyncio.sleep(0.2)
        self.wakeup.set()
        self.slot_free.set()

    async def _db(
        self, fn: Any, *args: Any, pool: ThreadPoolExecutor | None = None, **kwargs: Any
    ) -> Any:
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(
            pool or self.db, lambda: _with_connection(fn, *args, **kwargs)
        )

    # -- claiming -------------------------------------------------------------------------

    async def _claim_loop(self, stop: threading.Event) -> None:
        while not stop.is_set():
            free = self.capacity - self.in_flight
            if free <= 0:
                self.slot_free.clear()
                await self.slot_free.wait()
                continue
            self.wakeup.clear()
            full = self._full_targets()
            self.skipped = set(full)
            idle_for = self._others_idle_for(self.skipped)
            if idle_for > 0:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self.wakeup.wait(), timeout=idle_for)
                continue
            self.news = False
            limit = min(free, self.batch)
            try:
                jobs, verdicts = await self._db(self._claim_and_prepare, limit, full)
            except Exception:
                logger.exception("outbox claim failed; retrying")
                self.news = True  # what woke this claim is still unclaimed: no idle wait
                await asyncio.sleep(1.0)
                continue
            self._start(jobs, verdicts)
            short = len(jobs) < limit
            self._learn_others_idle(full, short, jobs)
            if short:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self.wakeup.wait(), timeout=self.poll)

    def _now(self) -> float:
        return asyncio.get_running_loop().time()

    def _learn_others_idle(self, full: list[uuid.UUID], short: bool, jobs: list[Job]) -> None:
        if full and short:
            self.others_idle = (frozenset(full), self._now())
        elif self.others_idle is not None:
            skipped_then = self.others_idle[0]
            if any(job.target_id not in skipped_then for job in jobs):
                self.others_idle = None  # another target had messages due after all

    def _others_idle_for(self, full: set[uuid.UUID]) -> float:
        """How long a claim skipping `full` would still find nothing (0: claim now).

        True while nothing was published since a claim that skipped no more than these
        targets came back short, and for one poll interval at most (messages of other
        targets whose retry time comes are found by polling, as when idle)."""
        if self.others_idle is None or self.news or not full:
            return 0.0
        skipped_then, at = self.others_idle
        if not skipped_then <= full:
            return 0.0  # a target it skipped may be claimed now
        return max(at + self.poll - self._now(), 0.0)

    def _full_targets(self) -> list[uuid.UUID]:
        """Targets with as much work here as their limits let start soon: the next claim
        leaves their messages in the queue. Without this, one slow or rate-limited
        endpoint with a backlog (the oldest messages) would fill every slot of the worker
        and the other endpoints — other organisations' too — would wait behind it."""
        full = []
        for target_id, queued in self.queued.items():
            gate = self.gates.get(target_id)
            if gate is not None and queued >= self._holding(target_id, gate.limits).most:
                full.append(target_id)
        return full

    def _claim_and_prepare(
        self, limit: int, skip_targets: list[uuid.UUID] | None = None
    ) -> tuple[list[Job], dict[uuid.UUID, Verdict]]:
        jobs = delivery.claim(
            worker=self.worker_id,
            limit=limit,
            lease_seconds=self.lease,
            skip_targets=skip_targets or (),
        )
        verdicts: dict[uuid.UUID, Verdict] = {}
        by_kind: dict[str, list[Job]] = {}
        for job in jobs:
            by_kind.setdefault(job.kind, []).append(job)
        for kind, group in by_kind.items():
            try:
                verdicts.update(transports.get(kind).prepare(group))
            except LookupError:
                for job in group:
                    verdicts[job.id] = Verdict("hold", f"no transport for {kind!r} here")
        for job in jobs:
            verdict = verdicts.get(job.id)
            if verdict is not None and verdict.action != "send":
                delivery.settle_without_send(job, verdict)
        return jobs, verdicts

    def _start(self, jobs: list[Job], verdicts: dict[uuid.UUID, Verdict]) -> None:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self.lease
        for job in jobs:
            verdict = verdicts.get(job.id)
            if verdict is not None and verdict.action != "send":
                continue
            job.lease_deadline = deadline
            self.in_flight += 1
            self.queued[job.target_id] += 1
            task = asyncio.create_task(self._send(job))
            self.tasks.add(task)  # keep a reference: the loop holds tasks only weakly
            task.add_done_callback(self.tasks.discard)

    # -- sending --------------------------------------------------------------------------

    async def _send(self, job: Job) -> None:
        try:
            outcome = await self._send_limited(job)
        except Exception as exc:  # a transport bug must not lose the message
            logger.exception("transport %s failed on %s", job.kind, job.id)
            outcome = Outcome(job=job, ok=False, started_at=timezone.now(), error=str(exc))
        finally:
            self.in_flight -= 1
            self._done_one(job.target_id)
            self.slot_free.set()
        self.results.put_nowait(outcome)

    def _done_one(self, target_id: uuid.UUID) -> None:
        self.queued[target_id] -= 1
        left = self.queued[target_id]
        if not left:
            del self.queued[target_id]
        gate = self.gates.get(target_id)
        if (
            target_id in self.skipped
            and gate
            and left <= self._holding(target_id, gate.limits).refill_at
        ):
            # Enough of what a skipped target may hold is done: claim for it again now,
            # not at the next poll (its messages may be all that is due).
            self.skipped.discard(target_id)
            self.wakeup.set()

    async def _send_limited(self, job: Job) -> Outcome:
        transport = transports.get(job.kind)
        gate = self._gate(job, transport.limits(job.target_id))
        granted, wait = await gate.reserve(DEFER_AFTER)
        if not granted:
            return _deferred(job, wait)
        if wait > 0:
            await asyncio.sleep(wait)
        permit = await gate.acquire()
        try:
            loop = asyncio.get_running_loop()
            if loop.time() + gate.limits.timeout + 1 > job.lease_deadline:
                return _deferred(job, 0)
            self.sent += 1
            started = loop.time()
            outcome = await transport.send(job, self.client)
            self._learn_request_time(job.target_id, loop.time() - started)
            return outcome
        finally:
            gate.release(permit)

    def _learn_request_time(self, target_id: uuid.UUID, seconds: float) -> None:
        known = self.request_seconds.get(target_id)
        self.request_seconds[target_id] = (
            seconds if known is None else known + (seconds - known) * REQUEST_TIME_WEIGHT
        )

    def _holding(self, target_id: uuid.UUID, limits: Limits) -> Holding:
        return target_holding(limits, self.request_seconds.get(target_id))

    def _gate(self, job: Job, limits: Limits) -> gates.Gate:
        """The target's gate, renewed when its limits were edited (a request in flight
        gives its permit back to the gate it came from)."""
        gate = self.gates.get(job.target_id)
        if gate is not None and gate.limits == limits:
            return gate
        if isinstance(gate, gates.RedisGate):
            gate.update(limits)  # the shared state lives on; the next calls use the new limits
            return gate
        gate = self.gates[job.target_id] = self.limiter.gate(job.kind, job.target_id, limits)
        return gate

    # -- recording ------------------------------------------------------------------------

    async def _recorder(self) -> None:
        while True:
            first = await self.results.get()
            batch = [first]
            await asyncio.sleep(self.record_interval)
            while not self.results.empty() and len(batch) < self.record_batch:
                batch.append(self.results.get_nowait())
            await self._record(batch)

    async def _record(self, batch: list[Outcome]) -> None:
        for attempt in range(5):
            try:
                await self._db(delivery.record, batch, worker=self.worker_id, pool=self.record_db)
                return
            except RuntimeError as exc:
                if "cannot schedule new futures" in str(exc):
                    raise  # the executor is gone: the process is exiting
                logger.exception("recording %d outcomes failed (try %d)", len(batch), attempt + 1)
                await asyncio.sleep(0.5 * (attempt + 1))
            except Exception:
                logger.exception("recording %d outcomes failed (try %d)", len(batch), attempt + 1)
                await asyncio.sleep(0.5 * (attempt + 1))
        # The leases run out and the messages are sent again: at-least-once holds.

    async def _flush_results(self) -> None:
        batch: list[Outcome] = []
        while not self.results.empty():
            batch.append(self.results.get_nowait())
        if batch:
            await self._record(batch)

    async def _drain(self, *, timeout: float) -> None:
        end = time.monotonic() + timeout
        while self.in_flight > 0 and time.monotonic() < end:
            await asyncio.sleep(0.05)


_collector_lock = threading.Lock()
_collector_users = 0
_collector_threshold: tuple[int, int, int] | None = None
YOUNG_COLLECTION_EVERY = 10_000


@contextlib.contextmanager
def collector_settled() -> Any:
    """While a dispatcher runs, the cyclic garbage collector leaves the process's existing
    objects alone and runs its young collections less often.

    Why: a full collection walks every object of the process (the whole Django app: ~130,000
    objects, 100 to 200 ms on this machine with the GIL held), and the dispatcher's
    allocations trigger one every second or so, stalling every request in flight. The
    objects that exist when the dispatcher starts are the application's own and live as
    long as the process: `gc.freeze()` moves them out of the collector's sight. Young
    collections every 10,000 new containers instead of 700 cost a few hundred kB at most.
    Measured: 8 % of a 10,000-event drain went to the collector before (decision 0200).
    Nested and concurrent dispatchers (tests) share one setting; the last one out restores
    the collector as it was."""
    global _collector_users, _collector_threshold
    with _collector_lock:
        if _collector_users == 0:
            _collector_threshold = young, *older = gc.get_threshold()
            gc.freeze()
            gc.set_threshold(max(young, YOUNG_COLLECTION_EVERY), *older)
        _collector_users += 1
    try:
        yield
    finally:
        with _collector_lock:
            _collector_users -= 1
            if _collector_users == 0 and _collector_threshold is not None:
                gc.set_threshold(*_collector_threshold)
                _collector_threshold = None
                gc.unfreeze()


class Holding(NamedTuple):
    most: int  # a worker holding this many messages of a target leaves its others queued
    refill_at: int  # …and claims for it again once it holds no more than this


def target_holding(limits: Limits, request_seconds: float | None = None) -> Holding:
    """How many messages of one target a worker holds: at most twice what may be in flight
    (at least 10), claiming again when half are done; no more than its rate lets start
    within `DEFER_AFTER`. A slow target keeps these small caps: what a worker holds of it
    must start before the lease runs out, and other targets must not wait behind it.

    A target whose requests are quick (`request_seconds`, as measured here) would empty
    that queue before the next claim comes back: the worker claims again while it still
    holds what the target sends in `HOLD_AHEAD_SECONDS` (up to `FAST_TARGET_FACTOR` times
    what may be in flight), and holds that plus one round in flight at most."""
    concurrency = limits.concurrency
    most = max(2 * concurrency, 10)
    refill_at = most // 2
    if request_seconds is not None:
        per_second = concurrency / max(request_seconds, 1e-4)
        ahead = min(math.ceil(per_second * HOLD_AHEAD_SECONDS), FAST_TARGET_FACTOR * concurrency)
        if ahead > refill_at:
            refill_at, most = ahead, max(most, ahead + concurrency)
    if limits.rate_per_second:
        most = min(most, max(math.ceil(limits.rate_per_second * DEFER_AFTER), 1))
        refill_at = min(refill_at, most // 2)
    return Holding(most, refill_at)


def _deferred(job: Job, wait: float) -> Outcome:
    now = timezone.now()
    return Outcome(job=job, ok=False, started_at=now, deferred_until=now + timedelta(seconds=wait))


def _close_connection() -> None:
    connection.close()  # runs on the database thread: closes that thread's connection


def _with_connection(fn: Any, *args: Any, **kwargs: Any) -> Any:
    """Keep the database thread's connection open between batches (reconnecting per batch
    costs more than the batch); drop it after an error so the next call starts clean."""
    try:
        return fn(*args, **kwargs)
    except Exception:
        connection.close()
        raise


def run_service(stop: threading.Event) -> None:
    """Entry point registered with core.worker (one dispatcher per worker process).

    `MONOPILOT_OUTBOX_POLL_SECONDS` (default 0.5): how often it looks for due messages when
    nothing woke it (commits wake it: in-process, LISTEN/NOTIFY, or the SQLite doorbell).
    """
    Dispatcher(poll=env_float("MONOPILOT_OUTBOX_POLL_SECONDS", 0.5)).run(stop)


def drain_once(*, limit: int = 200, worker: str = "inline") -> list[Outcome]:
    """Claim, send and record one batch in the calling thread, ignoring per-target limits.

    For tests (nothing else calls it: it ignores the endpoints' limits); workers use
    `Dispatcher`.
    """
    dispatcher = Dispatcher(worker_id=worker)
    jobs, verdicts = dispatcher._claim_and_prepare(limit)
    to_send = [j for j in jobs if verdicts.get(j.id) is None or verdicts[j.id].action == "send"]
    if not to_send:
        return []

    async def send_all() -> list[Outcome]:
        client = PostClient()
        try:
            sends = (transports.get(job.kind).send(job, client) for job in to_send)
            return list(await asyncio.gather(*sends))
        finally:
            await client.close()

    outcomes = asyncio.run(send_all())
    delivery.record(outcomes, worker=worker)
    return outcomes
