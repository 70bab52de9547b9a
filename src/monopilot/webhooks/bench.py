"""Webhook delivery benchmark: latency commit → receiver, deliveries/s, and the raw limit.

One run, on this machine, against the configured database:
1. a loopback receiver in its own process (aiohttp server);
2. the raw limit: plain concurrent POSTs (aiohttp, the fastest client measured) to it;
3. latency: events published one per transaction at a steady pace while the dispatcher
   (in-process, as in embedded mode) runs; each commit time is compared with the time the
   receiver first saw that message;
4. throughput: N events queued behind a paused endpoint, then resumed: deliveries/s is N
   over the time from the resume commit to the last first receipt.
"""

from __future__ import annotations

import asyncio
import json
import os
import statistics
import subprocess
import sys
import threading
import time
import urllib.request
from typing import Any

import aiohttp
from django.conf import settings
from django.core.management import call_command
from django.db import connection, transaction
from django.utils import timezone

from monopilot.events import catalogue
from monopilot.events.services import publish
from monopilot.outbox.dispatcher import Dispatcher
from monopilot.outbox.models import Message
from monopilot.tenancy.models import Organization, Plan
from monopilot.webhooks import services
from monopilot.webhooks.models import Endpoint

EVENT_TYPE = "bench.ping"
GOALS = {"p50_ms": 50, "p99_ms": 250, "deliveries_per_s": 1000, "ratio": 0.5}


def _register_type() -> None:
    if EVENT_TYPE not in catalogue.names():
        catalogue.register(
            catalogue.EventType(
                name=EVENT_TYPE,
                description="benchmark event",
                schema=catalogue.obj({"n": catalogue.INT}),
                example={"n": 1},
                category="bench",
            )
        )


class ReceiverProcess:
    def __enter__(self) -> ReceiverProcess:
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "monopilot.webhooks.receiver", "--port", "0"],
            stdout=subprocess.PIPE,
            text=True,
        )
        assert self.proc.stdout is not None
        line = self.proc.stdout.readline().strip()
        self.url = f"http://127.0.0.1:{int(line.split()[1])}"
        return self

    def stats(self) -> dict[str, Any]:
        with urllib.request.urlopen(self.url + "/_stats", timeout=30) as response:  # noqa: S310
            result: dict[str, Any] = json.load(response)
        return result

    def __exit__(self, *exc: object) -> None:
        self.proc.terminate()
        self.proc.wait(10)


async def _raw_posts(url: str, total: int, concurrency: int, body: bytes) -> float:
    async with aiohttp.ClientSession() as session:
        remaining = total

        async def worker() -> None:
            nonlocal remaining
            while remaining > 0:
                remaining -= 1
                async with session.post(url, data=body, headers=_HEADERS) as response:
                    await response.read()

        started = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(concurrency)))
        return total / (time.perf_counter() - started)


_HEADERS = {"Content-Type": "application/json", "X-MonoPilot-Event": EVENT_TYPE}


def raw_limit(url: str, *, total: int, concurrency: int = 50) -> float:
    body = json.dumps({"id": "x" * 36, "type": EVENT_TYPE, "data": {"n": 1}}).encode()
    asyncio.run(_raw_posts(url + "/raw", min(total, 500), concurrency, body))  # warm-up
    return asyncio.run(_raw_posts(url + "/raw", total, concurrency, body))


def _org() -> Organization:
    org, _ = Organization.objects.get_or_create(
        slug="bench-webhooks",
        defaults={
            "name": "Benchmark",
            "plan": Plan.ENTERPRISE,
            "modules_enabled": ["integrations"],
        },
    )
    return org


def _percentiles(values: list[float]) -> dict[str, float]:
    if not values:
        return {"p50": 0.0, "p95": 0.0, "p99": 0.0, "max": 0.0}
    ordered = sorted(values)
    cuts = statistics.quantiles(ordered, n=100, method="inclusive")
    return {
        "p50": round(cuts[49], 1),
        "p95": round(cuts[94], 1),
        "p99": round(cuts[98], 1),
        "max": round(ordered[-1], 1),
    }


def _wait_unique(rx: ReceiverProcess, want: int, timeout: float) -> dict[str, Any]:
    end = time.monotonic() + timeout
    stats = rx.stats()
    while stats["unique"] < want and time.monotonic() < end:
        time.sleep(0.05)
        stats = rx.stats()
    return stats


def run(*, events: int = 5000, latency_events: int = 300, pace: float = 200.0) -> dict[str, Any]:
    call_command("migrate", verbosity=0, interactive=False, skip_checks=True)
    _register_type()
    settings.MONOPILOT_ALLOW_PRIVATE_URLS = True
    org = _org()
    with ReceiverProcess() as rx:
        raw = raw_limit(rx.url, total=max(events, 2000))
        stop = threading.Event()
        dispatcher = Dispatcher(worker_id="bench")
        thread = threading.Thread(target=dispatcher.run, args=(stop,), daemon=True)
        thread.start()
        endpoint, _ = services.endpoint_create(
            org=org,
            name=f"bench {timezone.now():%Y%m%d-%H%M%S-%f}",
            url=rx.url + "/hook",
            event_types=[EVENT_TYPE],
            max_concurrency=50,
        )
        try:
            latency = _latency_phase(org, endpoint, rx, latency_events, pace)
            throughput = _throughput_phase(org, endpoint, rx, events, base=latency_events)
        finally:
            stop.set()
            thread.join(15)
            services.endpoint_pause(endpoint=endpoint)
            Message.objects.filter(target_id=endpoint.id).delete()
            endpoint.deleted_at = timezone.now()
            endpoint.save(update_fields=["deleted_at"])
    result = {
        "database": connection.vendor,
        "client": f"aiohttp {aiohttp.__version__}",
        "cpus": os.cpu_count(),
        "events": events,
        "latency_events": latency_events,
        "latency_ms": latency,
        **throughput,
        "raw_posts_per_s": round(raw),
        "ratio_to_raw": round(throughput["deliveries_per_s"] / raw, 3),
    }
    result["goals_met"] = {
        "p50 < 50 ms": latency["p50"] < GOALS["p50_ms"],
        "p99 < 250 ms": latency["p99"] < GOALS["p99_ms"],
        ">= 1000 deliveries/s": result["deliveries_per_s"] >= GOALS["deliveries_per_s"],
        ">= 50% of raw": result["ratio_to_raw"] >= GOALS["ratio"],
    }
    return result


def _latency_phase(
    org: Organization, endpoint: Endpoint, rx: ReceiverProcess, count: int, pace: float
) -> dict[str, float]:
    committed: dict[str, float] = {}
    for n in range(count):
        with transaction.atomic():
            event = publish(org=org, type=EVENT_TYPE, data={"n": n})
        committed[str(event.id)] = time.time()
        time.sleep(1.0 / pace)
    stats = _wait_unique(rx, count, timeout=60)
    ids = dict(Message.objects.filter(target_id=endpoint.id).values_list("id", "event_id"))
    seen = stats["first_seen"]
    samples = [
        (seen[f"msg_{mid.hex}"] - committed[str(eid)]) * 1000
        for mid, eid in ids.items()
        if f"msg_{mid.hex}" in seen and str(eid) in committed
    ]
    return _percentiles(samples)


def _throughput_phase(
    org: Organization, endpoint: Endpoint, rx: ReceiverProcess, count: int, *, base: int
) -> dict[str, Any]:
    services.endpoint_pause(endpoint=endpoint)
    for start in range(0, count, 500):
        with transaction.atomic():
            for n in range(start, min(start + 500, count)):
                publish(org=org, type=EVENT_TYPE, data={"n": n})
    with transaction.atomic():
        services.endpoint_resume(endpoint=endpoint)
    resumed = time.time()
    stats = _wait_unique(rx, base + count, timeout=max(120, count / 50))
    seen = sorted(stats["first_seen"].values())[base:]
    span = (seen[-1] - resumed) if seen else float("nan")
    delivered = Message.objects.filter(target_id=endpoint.id, status="delivered").count()
    return {
        "deliveries_per_s": round(len(seen) / span) if seen else 0,
        "drain_seconds": round(span, 2),
        "delivered": delivered,
        "received_unique": stats["unique"],
        "duplicates": stats["duplicates"],
        "backlog_latency_ms": _percentiles([(t - resumed) * 1000 for t in seen]),
    }
