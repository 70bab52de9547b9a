"""A background writer that batches log rows so request paths never wait on an insert.

Rows are queued in memory and written with bulk_create every few milliseconds. If the
queue is full the caller writes its own row (slower, but nothing is dropped); at exit the
queue is flushed.
"""

from __future__ import annotations

import atexit
import logging
import queue
import threading

from django.db import close_old_connections, connection

from monopilot.integration_logs.models import IntegrationLog

logger = logging.getLogger(__name__)


class BufferedLogWriter:
    IDLE_CLOSE_AFTER = 1.0

    def __init__(self, *, max_queue: int = 10_000, batch_size: int = 500, interval: float = 0.05):
        self._queue: queue.Queue[IntegrationLog] = queue.Queue(maxsize=max_queue)
        self._batch_size = batch_size
        self._interval = interval
        self._idle = threading.Event()
        self._idle.set()
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self._stopping = False

    def submit(self, row: IntegrationLog) -> None:
        self._ensure_thread()
        try:
            self._idle.clear()
            self._queue.put_nowait(row)
        except queue.Full:
            row.save(force_insert=True)

    def flush(self, timeout: float = 10.0) -> None:
        """Block until every queued row is written (tests, shutdown)."""
        if self._thread is None:
            return
        self._queue.join()

    def _ensure_thread(self) -> None:
        if self._thread is not None and self._thread.is_alive():
            return
        with self._lock:
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(
                    target=self._run, name="integration-log-writer", daemon=True
                )
                self._thread.start()

    def stop(self) -> None:
        """Write what is queued, then end the thread and release its connection."""
        if self._thread is None:
            return
        self._stopping = True
        self._thread.join(timeout=10)
        self._thread = None

    def _run(self) -> None:
        while True:
            try:
                batch = [self._queue.get(timeout=self.IDLE_CLOSE_AFTER)]
            except queue.Empty:
                # Idle: give the connection back rather than hold it open for hours.
                connection.close()
                if self._stopping:
                    return
                continue
            try:
                while len(batch) < self._batch_size:
                    batch.append(self._queue.get(timeout=self._interval))
            except queue.Empty:
                pass
            self._write(batch)

    def _write(self, batch: list[IntegrationLog]) -> None:
        try:
            close_old_connections()
            IntegrationLog.objects.bulk_create(batch)
        except Exception:  # a log failure must never kill the writer thread
            logger.exception("batch of %d log rows failed; writing one by one", len(batch))
            self._write_one_by_one(batch)
        finally:
            for _ in batch:
                self._queue.task_done()

    @staticmethod
    def _write_one_by_one(batch: list[IntegrationLog]) -> None:
        """One bad row must not take the other rows of its batch with it."""
        for row in batch:
            try:
                IntegrationLog.objects.bulk_create([row])
            except Exception:
                logger.exception("could not write integration log row %s", row.pk)


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
