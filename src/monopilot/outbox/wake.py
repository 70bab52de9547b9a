"""Waking dispatchers right after a commit, so a message is attempted at once.

In-process: dispatchers register a callback; `wake()` calls them (embedded mode: web and
worker share a process). Across processes on PostgreSQL: `notify_in_transaction()` issues
`NOTIFY monopilot_outbox` inside the writing transaction — PostgreSQL delivers it only if
and when that transaction commits — and each dispatcher LISTENs on its own connection.
Polling stays as the fallback (SQLite with several processes, a missed notification).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

from django.db import connection

logger = logging.getLogger(__name__)

CHANNEL = "monopilot_outbox"
_wakers: set[Callable[[], None]] = set()
_lock = threading.Lock()


def add_waker(callback: Callable[[], None]) -> None:
    with _lock:
        _wakers.add(callback)


def remove_waker(callback: Callable[[], None]) -> None:
    with _lock:
        _wakers.discard(callback)


def wake() -> None:
    with _lock:
        callbacks = list(_wakers)
    for callback in callbacks:
        try:
            callback()
        except Exception:  # a closed loop must not break the publisher's commit
            logger.debug("outbox waker failed", exc_info=True)


def notify_in_transaction() -> None:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(f"NOTIFY {CHANNEL}")


def listen_forever(stop: threading.Event, on_notify: Callable[[], None]) -> None:
    """Block on LISTEN (PostgreSQL only) and call `on_notify` for each notification."""
    import psycopg

    params = connection.get_connection_params()
    params.pop("cursor_factory", None)
    params.pop("context", None)
    while not stop.is_set():
        try:
            with psycopg.connect(**params, autocommit=True) as conn:
                conn.execute(f"LISTEN {CHANNEL}")
                while not stop.is_set():
                    for _ in conn.notifies(timeout=1.0, stop_after=1):
                        on_notify()
        except Exception:
            logger.warning("outbox LISTEN connection lost; retrying in 1 s", exc_info=True)
            stop.wait(1.0)
