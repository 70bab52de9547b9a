"""Health of the service for /healthz: database reachable, a worker alive, version."""

from __future__ import annotations

import time
from datetime import timedelta
from typing import Any

from django.db import connection
from django.utils import timezone

from monopilot import __version__
from monopilot.core.models import WorkerHeartbeat

WORKER_STALE_AFTER = timedelta(seconds=30)


def database_health() -> dict[str, Any]:
    started = time.perf_counter()
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as exc:  # reported, not raised: health must always answer
        return {"status": "down", "error": str(exc)[:200], "vendor": connection.vendor}
    latency = round((time.perf_counter() - started) * 1000, 2)
    return {"status": "ok", "vendor": connection.vendor, "latency_ms": latency}


def worker_health() -> dict[str, Any]:
    try:
        fresh = WorkerHeartbeat.objects.filter(seen_at__gte=timezone.now() - WORKER_STALE_AFTER)
        alive = fresh.count()
        last = WorkerHeartbeat.objects.order_by("-seen_at").values_list("seen_at", flat=True)[:1]
    except Exception as exc:
        return {"status": "down", "error": str(exc)[:200]}
    return {
        "status": "ok" if alive else "degraded",
        "alive": alive,
        "last_seen_at": last[0].isoformat() if last else None,
    }


def service_health() -> dict[str, Any]:
    database = database_health()
    worker = worker_health() if database["status"] == "ok" else {"status": "unknown"}
    if database["status"] != "ok":
        status = "down"
    elif worker["status"] != "ok":
        status = "degraded"
    else:
        status = "ok"
    return {
        "status": status,
        "version": __version__,
        "database": database,
        "worker": worker,
        "time": timezone.now().isoformat(),
    }
