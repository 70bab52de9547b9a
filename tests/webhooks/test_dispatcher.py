"""The dispatcher service on a thread (as in every worker process): woken by the commit,
per-endpoint concurrency and rate limits, clean stop."""

from __future__ import annotations

import itertools
import threading
import time
from collections.abc import Iterator

import pytest
from django.db import OperationalError, transaction

from monopilot.outbox.dispatcher import Dispatcher
from monopilot.outbox.models import Message
from monopilot.webhooks.receiver import Answer
from webhooks.helpers import emit

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def dispatcher() -> Iterator[Dispatcher]:
    stop = threading.Event()
    # A long poll: a quick delivery can only come from the wake-up after commit.
    service = Dispatcher(worker_id="test", poll=30.0)
    thread = threading.Thread(target=service.run, args=(stop,), daemon=True)
    thread.start()
    time.sleep(0.2)
    yield service
    stop.set()
    thread.join(15)
    assert not thread.is_alive()


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
    make_endpoint(receiver.url)
    with transaction.atomic():
        emit(org)
        time.sleep(0.3)
        assert receiver.count == 0  # nothing leaves before the commit
    assert receiver.wait_for(1, timeout=5)
    assert _wait(lambda: Message.objects.filter(status="delivered").count() == 1)


def test_per_endpoint_concurrency_limit(org, receiver, make_endpoint, dispatcher) -> None:
    make_endpoint(receiver.url, max_concurrency=2)
    receiver.script.extend(Answer(200, delay=0.2) for _ in range(6))
    with transaction.atomic():
        for n in range(6):
            emit(org, number=str(n))
    assert receiver.wait_for(6, timeout=10)
    assert receiver.max_in_flight == 2


def test_per_endpoint_rate_limit(org, receiver, make_endpoint, dispatcher) -> None:
    make_endpoint(receiver.url, rate_limit=10)
    with transaction.atomic():
        for n in range(6):
            emit(org, number=str(n))
    assert receiver.wait_for(6, timeout=10)
    times = sorted(r.at for r in receiver.requests)
    gaps = [b - a for a, b in itertools.pairwise(times)]
    assert min(gaps) > 0.07  # 10/s: about 100 ms apart
    assert _wait(lambda: Message.objects.filter(status="delivered").count() == 6)


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
