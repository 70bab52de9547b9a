"""Usage per key (FR-INT-002 AC-10) counted in memory and written off the request path.

The request path only increments a dict entry. A daemon thread writes every
FLUSH_SECONDS: request counts per key per day (upsert `count = count + n`, so several
processes add up correctly) and last used at/IP, which is written at most once a minute
per key. In "sync" log-writer mode (tests) there is no thread: the request path flushes a
key inline when its last write is a minute old, and tests call `flush()`.
"""

from __future__ import annotations

import atexit
import logging
import threading
import time
from collections import defaultdict
from datetime import date, datetime
from uuid import UUID

from django.conf import settings
from django.db import IntegrityError, close_old_connections, transaction
from django.db.models import F
from django.utils import timezone

from monopilot.apikeys.models import ApiKey, ApiKeyUsage

logger = logging.getLogger(__name__)

FLUSH_SECONDS = 15.0
LAST_USED_EVERY = 60.0


class UsageRecorder:
    def __init__(self, *, threaded: bool) -> None:
        self._lock = threading.Lock()
        self._counts: dict[tuple[UUID, UUID, date], int] = defaultdict(int)
        self._seen: dict[UUID, tuple[datetime, str]] = {}
        self._last_written: dict[UUID, float] = {}
        self._threaded = threaded
        self._thread: threading.Thread | None = None

    def record(self, *, key_id: UUID, org_id: UUID, ip: str) -> None:
        now = timezone.now()
        with self._lock:
            self._counts[(key_id, org_id, now.date())] += 1
            self._seen[key_id] = (now, ip)
        if self._threaded:
            self._ensure_thread()
        elif time.monotonic() - self._last_written.get(key_id, 0.0) > LAST_USED_EVERY:
            self.flush()

    def flush(self) -> None:
        with self._lock:
            counts, self._counts = self._counts, defaultdict(int)
            seen, self._seen = self._seen, {}
        if not counts and not seen:
            return
        try:
            self._write(counts, seen)
        except Exception:  # usage must never break the API; keep the counts for next time
            logger.exception("could not write API key usage")
            with self._lock:
                for k, n in counts.items():
                    self._counts[k] += n

    def _write(
        self, counts: dict[tuple[UUID, UUID, date], int], seen: dict[UUID, tuple[datetime, str]]
    ) -> None:
        with transaction.atomic():
            for (key_id, org_id, day), n in counts.items():
                _add(key_id, org_id, day, n)
                ApiKey.objects.filter(pk=key_id).update(request_count=F("request_count") + n)
            now = time.monotonic()
            for key_id, (at, ip) in seen.items():
                if now - self._last_written.get(key_id, 0.0) >= LAST_USED_EVERY:
                    ApiKey.objects.filter(pk=key_id).update(last_used_at=at, last_used_ip=ip)
                    self._last_written[key_id] = now
                else:  # keep it for a later flush unless a newer use arrived meanwhile
                    with self._lock:
                        self._seen.setdefault(key_id, (at, ip))

    def _ensure_thread(self) -> None:
        if self._thread is not None and self._thread.is_alive():
            return
        with self._lock:
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._run, name="apikey-usage", daemon=True)
                self._thread.start()

    def _run(self) -> None:
        while True:
            time.sleep(FLUSH_SECONDS)
            close_old_connections()
            self.flush()

    def forget(self) -> None:
        """Drop pending counts and write times (tests)."""
        with self._lock:
            self._counts.clear()
            self._seen.clear()
            self._last_written.clear()


def _add(key_id: UUID, org_id: UUID, day: date, n: int) -> None:
    updated = ApiKeyUsage.objects.filter(key_id=key_id, day=day).update(count=F("count") + n)
    if updated:
        return
    try:
        with transaction.atomic():
            ApiKeyUsage.objects.create(key_id=key_id, org_id=org_id, day=day, count=n)
    except IntegrityError:  # another process created the row first
        ApiKeyUsage.objects.filter(key_id=key_id, day=day).update(count=F("count") + n)


_recorder: UsageRecorder | None = None


def recorder() -> UsageRecorder:
    global _recorder
    if _recorder is None:
        _recorder = UsageRecorder(threaded=settings.MONOPILOT_LOG_WRITER == "buffered")
        atexit.register(_recorder.flush)
    return _recorder
