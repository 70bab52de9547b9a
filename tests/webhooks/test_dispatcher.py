"""The dispatcher service on a thread (as in every worker process): woken by the commit,
per-endpoint concurrency and rate limits (per process, and shared by several dispatchers
through Redis), clean stop."""

from __future__ import annotations

import itertools
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any, TypeVar

import pytest
from django.db import OperationalError, transaction

from monopilot.outbox.dispatcher import Dispatcher, Holding
from monopilot.outbox.models import Message
from monopilot.outbox.transport import Limits
from monopilot.tenancy.models import Organization
from monopilot.webhooks import services
from monopilot.webhooks.receiver import Answer, Receiver
from webhooks.helpers import emit

pytestmark = pytest.mark.django_db(transaction=True)
T = TypeVar("T")


REDIS_URL = "redis://127.0.0.1:6379/9"


def _start(count: int, **kwargs: object) -> Iterator[list[Dispatcher]]:
    stop = threading.Event()
    services_ = [Dispatcher(worker_id=f"test-{n}", **kwargs) for n in range(count)]  # type: ignore[arg-type]
    threads = [threading.Thread(target=s.run, args=(stop,), daemon=True) for s in services_]
    for thread in threads:
        thread.start()
    time.sleep(0.2)
    yield services_
    stop.set()
    for thread in threads:
        thread.join(15)
        assert not thread.is_alive()


@pytest.fixture
def dispatcher() -> Iterator[Dispatcher]:
    # A long poll: a quick delivery can only come from the wake-up after commit.
    # Per-process limits (no Redis), as in embedded mode.
    for started in _start(1, poll=30.0, limits_redis_url=""):
        yield started[0]


@pytest.fixture
def two_dispatchers() -> Iterator[list[Dispatcher]]:
    """Two dispatchers, as two worker processes would be: own loop, own database thread,
    own Redis connection; the endpoint's limits are shared through Redis. Each holds at most
    3 messages, so both must take part."""
    yield from _start(2, poll=0.05, capacity=3, batch=3, limits_redis_url=REDIS_URL)


def _write(action: Callable[[], T]) -> T:
    """Run a write of the test's own, retried while the in-memory shared-cache SQLite of
    the test run answers "table is locked" (it does not wait) because a dispatcher
    thread holds the write lock for a claim."""
    end = time.monotonic() + 10
    while True:
        try:
            with transaction.atomic():
                return action()
        except OperationalError as exc:
            if "locked" not in str(exc) or time.monotonic() > end:
                raise
            time.sleep(0.02)


def _emit_many(org: Organization, count: int, **kwargs: Any) -> None:
    _write(lambda: [emit(org, number=str(n), **kwargs) for n in range(count)])


def _wait(predicate, timeout: float = 10.0) -> bool:
    """Poll the database; the in-memory shared-cache SQLite of the test run answers "table
    is locked" (no busy wait) while the dispatcher thread writes, so such reads retry."""
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        try:
            if predicate():
                return True
        except OperationalError:
            pass
        time.sleep(0.05)
    return False


def test_commit_wakes_the_dispatcher(org, receiver, make_endpoint, dispatcher) -> None:
    _write(lambda: make_endpoint(receiver.url))

    def publish_and_hold() -> None:
        emit(org)
        time.sleep(0.3)
        assert receiver.count == 0  # nothing leaves before the commit

    _write(publish_and_hold)
    assert receiver.wait_for(1, timeout=5)
    assert _wait(lambda: Message.objects.filter(status="delivered").count() == 1)


def test_per_endpoint_concurrency_limit(org, receiver, make_endpoint, dispatcher) -> None:
    _write(lambda: make_endpoint(receiver.url, max_concurrency=2))
    receiver.script.extend(Answer(200, delay=0.2) for _ in range(6))
    _emit_many(org, 6)
    assert receiver.wait_for(6, timeout=10)
    assert receiver.max_in_flight == 2


def test_the_dispatcher_learns_how_quick_each_endpoint_is(
    org, receiver, make_endpoint, dispatcher
) -> None:
    """A quick endpoint is claimed for again while its queue still holds what it sends in
    the meantime; a slow one keeps the small caps (its backlog must not crowd others)."""
    slow_receiver = Receiver()
    slow_url = slow_receiver.start()
    try:
        quick, _ = _write(lambda: make_endpoint(receiver.url, max_concurrency=10))
        slow, _ = _write(
            lambda: make_endpoint(slow_url, max_concurrency=10, event_types=["whtest.updated"])
        )
        slow_receiver.script.extend(Answer(200, delay=0.3) for _ in range(3))
        _emit_many(org, 20)
        _emit_many(org, 3, type="whtest.updated")
        assert receiver.wait_for(20, timeout=10) and slow_receiver.wait_for(3, timeout=10)
        assert _wait(lambda: slow.id in dispatcher.request_seconds)
        assert dispatcher.request_seconds[quick.id] < 0.05
        assert dispatcher.request_seconds[slow.id] > 0.25
        limits = Limits(concurrency=10)
        assert dispatcher._holding(slow.id, limits) == Holding(most=20, refill_at=10)
        assert dispatcher._holding(quick.id, limits).refill_at > 10
    finally:
        slow_receiver.stop()


def test_per_endpoint_rate_limit(org, receiver, make_endpoint, dispatcher) -> None:
    _write(lambda: make_endpoint(receiver.url, rate_limit=10))
    _emit_many(org, 6)
    assert receiver.wait_for(6, timeout=10)
    times = sorted(r.at for r in receiver.requests)
    gaps = [b - a for a, b in itertools.pairwise(times)]
    assert min(gaps) > 0.07  # 10/s: about 100 ms apart
    assert _wait(lambda: Message.objects.filter(status="delivered").count() == 6)


def test_limits_hold_across_dispatchers(org, receiver, make_endpoint, two_dispatchers) -> None:
    _write(lambda: make_endpoint(receiver.url, max_concurrency=2))
    receiver.script.extend(Answer(200, delay=0.4) for _ in range(10))
    _emit_many(org, 10)
    assert receiver.wait_for(10, timeout=20)
    assert receiver.max_in_flight == 2  # not 2 per dispatcher
    assert sum(d.sent for d in two_dispatchers) == 10
    assert all(d.sent for d in two_dispatchers)
    assert _wait(lambda: Message.objects.filter(status="delivered").count() == 10)


def test_rate_limit_holds_across_dispatchers(org, receiver, make_endpoint, two_dispatchers) -> None:
    _write(lambda: make_endpoint(receiver.url, rate_limit=20))
    _emit_many(org, 40)
    assert receiver.wait_for(40, timeout=30)
    times = sorted(r.at for r in receiver.requests)
    # 20/s for the endpoint, whichever dispatcher sent: any 21 deliveries span about a
    # second (two dispatchers with a limit each would fit them in half of it).
    assert min(later - earlier for earlier, later in zip(times, times[20:], strict=False)) > 0.85
    assert all(d.sent for d in two_dispatchers)
    assert _wait(lambda: Message.objects.filter(status="delivered").count() == 40)


@pytest.fixture
def small_dispatcher() -> Iterator[Dispatcher]:
    """Room for 20 messages at a time, claimed 10 at a time."""
    yield from _start(1, poll=0.05, capacity=20, batch=10, limits_redis_url="")


def test_a_slow_endpoints_backlog_does_not_hold_up_the_others(
    org, receiver, make_endpoint, small_dispatcher
) -> None:
    slow = Receiver()
    slow_url = slow.start()
    try:
        slow.script.extend(Answer(200, delay=0.5) for _ in range(40))
        _write(lambda: make_endpoint(slow_url, max_concurrency=1, event_types=["whtest.created"]))
        # 20 s of work at one request at a time: the oldest messages
        _emit_many(org, 40)
        _write(lambda: make_endpoint(receiver.url, event_types=["whtest.updated"]))
        _write(lambda: [emit(org, type="whtest.updated", number=f"F{n}") for n in range(5)])
        # Without a cap per endpoint the slow one's backlog would fill all 20 slots and
        # these would wait ~10 s for them to drain.
        assert receiver.wait_for(5, timeout=3)
        assert slow.count < 40  # its backlog is still being worked through
    finally:
        slow.stop()


def test_edited_limits_apply_without_a_restart(org, receiver, make_endpoint, dispatcher) -> None:
    endpoint, _ = _write(lambda: make_endpoint(receiver.url, max_concurrency=4))
    receiver.script.extend(Answer(200, delay=0.2) for _ in range(8))
    _emit_many(org, 4)
    assert receiver.wait_for(4, timeout=10)
    assert receiver.max_in_flight == 4
    _write(lambda: services.endpoint_update(endpoint=endpoint, max_concurrency=1))
    receiver.max_in_flight = 0
    _write(lambda: [emit(org, number=str(n)) for n in range(4, 8)])
    assert receiver.wait_for(8, timeout=10)
    assert receiver.max_in_flight == 1


def test_postgres_notify_reaches_listeners_only_after_commit(org) -> None:
    from django.db import connection

    from monopilot.outbox import wake

    if connection.vendor != "postgresql":
        pytest.skip("LISTEN/NOTIFY is PostgreSQL only; SQLite workers poll")
    heard = threading.Event()
    stop = threading.Event()
    listener = threading.Thread(target=wake.listen_forever, args=(stop, heard.set), daemon=True)
    listener.start()
    time.sleep(0.5)  # LISTEN is in place
    try:
        with transaction.atomic():
            wake.notify_in_transaction()
            assert not heard.wait(0.5)  # not before the commit
        assert heard.wait(5)
    finally:
        stop.set()
        listener.join(5)


@pytest.fixture
def slow_polling_dispatcher() -> Iterator[Dispatcher]:
    """Polls only every 10 s: whatever it claims sooner, something woke it for."""
    for started in _start(1, poll=10.0, capacity=40, batch=20, limits_redis_url=""):
        yield started[0]


def _count_skipping_claims(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    from monopilot.outbox import delivery

    times: list[float] = []
    claim = delivery.claim

    def counting_claim(**kwargs: Any) -> Any:
        if kwargs.get("skip_targets"):
            times.append(time.monotonic())
        return claim(**kwargs)

    monkeypatch.setattr(delivery, "claim", counting_claim)
    return times


def test_a_full_endpoints_backlog_is_not_searched_after_every_claim(
    org, receiver, make_endpoint, slow_polling_dispatcher, monkeypatch
) -> None:
    """While an endpoint holds all it may, a claim leaves its messages alone — and to find
    that nothing else is due, the database walks that endpoint's whole backlog. Once it
    found nothing, the dispatcher does not ask again until something is published or a poll
    interval has passed, however often the full endpoint's own claims come round."""
    skipping_claims = _count_skipping_claims(monkeypatch)
    receiver.script.extend(Answer(200, delay=0.01) for _ in range(150))
    _write(lambda: make_endpoint(receiver.url, max_concurrency=1))  # holds 10 at most
    _emit_many(org, 150)
    assert receiver.wait_for(140, timeout=15)  # claimed for it about every 5 deliveries
    # One search found nothing else due; on PostgreSQL the commit's NOTIFY can arrive just
    # after the in-process wake-up and allow one more. Without the rule: one per claim.
    assert len(skipping_claims) <= 2


def _settle_beside_a_full_endpoint(
    org: Organization, make_endpoint: Any, dispatcher: Dispatcher
) -> Receiver:
    """An endpoint answering in 8 s that holds all it may (10 of 20), and a dispatcher whose
    last claim skipped it and found nothing else: it waits for news or its next poll. The
    caller stops the returned receiver. (The test's `receiver` allows loopback URLs.)"""
    slow = Receiver()
    slow_url = slow.start()
    slow.script.extend(Answer(200, delay=8.0) for _ in range(20))
    _write(lambda: make_endpoint(slow_url, max_concurrency=1, event_types=["whtest.updated"]))
    _emit_many(org, 20, type="whtest.updated")
    assert _wait(lambda: Message.objects.exclude(lease_token="").count() >= 10, timeout=3)
    # The claimed messages have started (their endpoint's gate exists): only now does the
    # dispatcher know the endpoint is full. A publication before that would be claimed by a
    # claim that skips nothing, and no skipping claim would come for 10 s.
    assert _wait(lambda: bool(dispatcher.gates), timeout=3)
    # One more for the full endpoint: the claim it wakes skips that endpoint, finds nothing
    # else due, and the dispatcher settles down to wait.
    _write(lambda: emit(org, type="whtest.updated", number="S21"))
    assert _wait(lambda: dispatcher.others_idle is not None, timeout=3)
    return slow


def test_a_publication_ends_the_wait_beside_a_full_endpoint(
    org, receiver, make_endpoint, slow_polling_dispatcher
) -> None:
    """No room comes free at the full endpoint and nothing is polled for 10 s; a message for
    another endpoint goes out at once all the same."""
    slow = _settle_beside_a_full_endpoint(org, make_endpoint, slow_polling_dispatcher)
    other = Receiver()
    try:
        _write(lambda: make_endpoint(other.start(), event_types=["whtest.other"]))
        _write(lambda: emit(org, type="whtest.other", number="F1"))
        assert other.wait_for(1, timeout=2)
    finally:
        slow.stop()
        other.stop()


def test_a_failed_claim_does_not_forget_the_publication(
    org, receiver, make_endpoint, slow_polling_dispatcher, monkeypatch
) -> None:
    """The claim a publication woke fails (the database went away for a moment): the retry
    a second later must claim, not wait for the next poll as if nothing had been published."""
    from monopilot.outbox import delivery

    slow = _settle_beside_a_full_endpoint(org, make_endpoint, slow_polling_dispatcher)
    other = Receiver()
    claim, failures = delivery.claim, []

    def failing_once(**kwargs: Any) -> Any:
        if not failures:
            failures.append(kwargs)
            raise OperationalError("server closed the connection unexpectedly")
        return claim(**kwargs)

    try:
        _write(lambda: make_endpoint(other.start(), event_types=["whtest.other"]))
        monkeypatch.setattr(delivery, "claim", failing_once)
        _write(lambda: emit(org, type="whtest.other", number="F1"))
        assert other.wait_for(1, timeout=4)  # one retry after 1 s; the poll is 10 s away
        assert len(failures) == 1
    finally:
        slow.stop()
        other.stop()
