"""Hands the API's log rows to the integration-log writer in batches, off the request path.

Submitting each row to the log writer wakes its thread once per request; with PostgreSQL
that thread then competes for the GIL with the request thread's own database calls and
costs the request milliseconds. Here the request thread only appends the raw fields to a
deque (thread-safe, ~1 µs); a daemon thread wakes every BATCH_SECONDS, masks and builds
the rows (`log_integration(defer=True)`) and hands them over together. In "sync" log mode
(tests) rows are written at once, as before. At exit the deque is drained.
"""

from __future__ import annotations

import atexit
import logging
import threading
import time
from collections import deque
from typing import Any

from django.conf import settings

from monopilot.integration_logs.services import log_integration

logger = logging.getLogger(__name__)

BATCH_SECONDS = 0.1


class LogBatcher:
    def __init__(self) -> None:
        self._rows: deque[dict[str, Any]] = deque()
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()

    def submit(self, fields: dict[str, Any]) -> None:
        if settings.MONOPILOT_LOG_WRITER != "buffered":
            log_integration(**fields)
            return
        self._rows.append(fields)
        if self._thread is None or not self._thread.is_alive():
            self._start()

    def drain(self) -> None:
        while self._rows:
            fields = self._rows.popleft()
            try:
                log_integration(defer=True, **fields)
            except Exception:  # one bad row must not stop the others
                logger.exception("could not log an API call")

    def _start(self) -> None:
        with self._lock:
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._run, name="api-log", daemon=True)
                self._thread.start()

    def _run(self) -> None:
        while True:
            time.sleep(BATCH_SECONDS)
            self.drain()


_batcher: LogBatcher | None = None


def batcher() -> LogBatcher:
    global _batcher
    if _batcher is None:
        _batcher = LogBatcher()
        atexit.register(_batcher.drain)
    return _batcher
