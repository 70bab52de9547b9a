"""A background writer that batches log rows so request paths never wait on an insert.

`submit()` only appends the caller's entry to a deque (thread-safe, about a microsecond,
and it wakes no thread); the writer thread wakes every `interval`, masks and builds the rows
there, and writes them in one transaction (`core.fastsql`). A full buffer makes the caller
write its own row (slower, but nothing is dropped); a failed batch is retried row by row;
at exit the buffer is flushed.
"""

from __future__ import annotations

import atexit
import logging
import threading
from collections import deque
from typing import Any, Protocol

from django.db import close_old_connections, connection, transaction

from monopilot.core import fastsql
from monopilot.integration_logs.models import IntegrationLog

logger = logging.getLogger(__name__)


class PendingRow(Protocol):
    """Anything that builds its (masked) log row: LogEntry in services."""

    def to_row(self) -> IntegrationLog: ...

    def values(self) -> dict[str, Any]: ...


class BufferedLogWriter:
    # Every 0.5 s: each batch is a transaction (on PostgreSQL a WAL flush) that competes with
    # the requests being logged; woken every 50 ms it wrote 20x more batches and the API
    # gateway's added cost on PostgreSQL rose by ~250 µs. A log row half a second late is
    # still "live" in the console.
    def __init__(self, *, max_queue: int = 10_000, batch_size: int = 500, interval: float = 0.5):
        self._pending: deque[PendingRow] = deque()
        self._max_queue = max_queue
        self._batch_size = batch_size
        self._interval = interval
        self._write_lock = threading.Lock()  # one batch at a time: flush() waits for it
        self._start_lock = threading.Lock()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def submit(self, entry: PendingRow) -> None:
        if len(self._pending) >= self._max_queue:
            entry.to_row().save(force_insert=True)
            return
        self._pending.append(entry)
        if self._thread is None or not self._thread.is_alive():
            self._start()

    def flush(self) -> None:
        """Write everything submitted so far, in the calling thread (tests, shutdown)."""
        while self._write_batch():
            pass

    def stop(self) -> None:
        """Write what is pending, end the thread and release its connection."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=10)
            self._thread = None
        self.flush()
        self._stop.clear()

    def _start(self) -> None:
        with self._start_lock:
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(
                    target=self._run, name="integration-log-writer", daemon=True
                )
                self._thread.start()

    def _run(self) -> None:
        try:
            while not self._stop.wait(self._interval):
                while self._write_batch():
                    pass
        finally:
            connection.close()

    def _write_batch(self) -> bool:
        """Write up to one batch; False when nothing was pending."""
        with self._write_lock:
            batch: list[PendingRow] = []
            while self._pending and len(batch) < self._batch_size:
                batch.append(self._pending.popleft())
            if not batch:
                return False
            self._write(batch)
            return True

    def _write(self, batch: list[PendingRow]) -> None:
        close_old_connections()
        rows = []
        for entry in batch:
            try:
                rows.append(entry.values())
            except Exception:  # a row that cannot be built must not take the batch with it
                logger.exception("could not build an integration log row")
        try:
            _insert(rows)
        except Exception:  # a log failure must never kill the writer thread
            logger.exception("batch of %d log rows failed; writing one by one", len(rows))
            self._write_one_by_one(rows)

    @staticmethod
    def _write_one_by_one(rows: list[dict[str, Any]]) -> None:
        """One bad row must not take the other rows of its batch with it."""
        for row in rows:
            try:
                _insert([row])
            except Exception:
                logger.exception("could not write a log row (%s)", row.get("event_type"))


def _insert(rows: list[dict[str, Any]]) -> None:
    """The rows in one transaction, by the lean insert the dispatcher uses (`core.fastsql`):
    the ORM's bulk_create cost ~5x more CPU per row, and this thread's CPU is taken from
    the requests it logs (it runs beside them in the same process)."""
    with transaction.atomic():
        fastsql.insert(IntegrationLog, rows)


_writer: BufferedLogWriter | None = None
_writer_lock = threading.Lock()


def buffered_writer() -> BufferedLogWriter:
    global _writer
    if _writer is None:
        with _writer_lock:
            if _writer is None:
                _writer = BufferedLogWriter()
                atexit.register(_writer.flush)
    return _writer
