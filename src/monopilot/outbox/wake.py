"""Waking dispatchers right after a commit, so a message is attempted at once.

In-process: dispatchers register a callback; `wake()` calls them (embedded mode: web and
worker share a process). Across processes on PostgreSQL: `notify_in_transaction()` issues
`NOTIFY monopilot_outbox` inside the writing transaction — PostgreSQL delivers it only if
and when that transaction commits — and each dispatcher LISTENs on its own connection.
Across processes on SQLite (one machine, as the database is a local file): a doorbell.
Each dispatcher binds a Unix datagram socket in a directory named after the database file;
`wake()` (run after the commit) sends one byte to every other socket there. A socket left
by a killed process refuses the byte and is removed.
Polling stays as the fallback (a missed notification, another OS user's process).
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import os
import socket
import tempfile
import threading
import uuid
from collections.abc import Callable
from functools import lru_cache
from pathlib import Path

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
    directory = doorbell_dir()
    if directory is not None:
        ring(directory)


# --- SQLite: the doorbell between processes ----------------------------------------------


def doorbell_dir() -> Path | None:
    """Where the dispatchers of this SQLite database listen; None on other databases and
    on in-memory SQLite (one process only)."""
    if connection.vendor != "sqlite":
        return None
    return _doorbell_dir(str(connection.settings_dict.get("NAME") or ""))


@lru_cache(maxsize=8)
def _doorbell_dir(database: str) -> Path | None:
    if not database or database == ":memory:" or "mode=memory" in database:
        return None
    # Under the temp directory, not next to the database: a Unix socket path must stay
    # under ~100 bytes, whatever the data directory is.
    digest = hashlib.sha256(os.path.abspath(database).encode()).hexdigest()[:16]
    return Path(tempfile.gettempdir()) / f"monopilot-outbox-{digest}"


class Doorbell:
    """The listening end: a non-blocking datagram socket to register with an event loop."""

    def __init__(self, directory: Path) -> None:
        directory.mkdir(mode=0o700, parents=True, exist_ok=True)
        self.path = directory / f"{os.getpid()}-{uuid.uuid4().hex[:8]}.sock"
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        self.sock.setblocking(False)
        self.sock.bind(str(self.path))

    def fileno(self) -> int:
        return self.sock.fileno()

    def drain(self) -> int:
        """Read every pending ring (they all mean the same: look for due messages)."""
        rings = 0
        with contextlib.suppress(BlockingIOError, InterruptedError):
            while self.sock.recv(64):
                rings += 1
        return rings

    def close(self) -> None:
        self.sock.close()
        self.path.unlink(missing_ok=True)


def ring(directory: Path, *, include_self: bool = False) -> int:
    """Ring every dispatcher listening in `directory` (but this process's own, which
    `wake()` woke directly, unless `include_self`). Returns how many were rung."""
    own = f"{os.getpid()}-"
    try:
        names = [n for n in os.listdir(directory) if n.endswith(".sock")]
    except FileNotFoundError:
        return 0
    rung = 0
    with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as sender:
        sender.setblocking(False)
        for name in names:
            if name.startswith(own) and not include_self:
                continue
            path = directory / name
            try:
                sender.sendto(b"!", str(path))
                rung += 1
            except (ConnectionRefusedError, FileNotFoundError):
                path.unlink(missing_ok=True)  # its process is gone
            except BlockingIOError:
                rung += 1  # its queue is full: it has been rung already
            except OSError:
                logger.debug("outbox doorbell %s failed", path, exc_info=True)
    return rung


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
