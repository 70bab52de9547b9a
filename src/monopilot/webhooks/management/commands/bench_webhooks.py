from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from monopilot.webhooks import bench


class Command(BaseCommand):
    help = "Benchmark webhook delivery: latency commit→receiver, deliveries/s, raw POST limit."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--events", type=int, default=10000)
        parser.add_argument("--latency-events", type=int, default=300)
        parser.add_argument("--pace", type=float, default=200.0, help="events/s, latency phase")
        parser.add_argument(
            "--workers",
            default="0,2",
            help="comma-separated runs: 0 = dispatcher in this process (embedded mode), "
            "N = N `monopilot worker` processes (production); default 0,2",
        )
        parser.add_argument(
            "--receivers",
            default="aiohttp,uvicorn",
            help="comma-separated loopback receivers: aiohttp (a bare aiohttp server, the "
            "fastest) and/or uvicorn (a plain ASGI app, as a typical Python receiver)",
        )
        parser.add_argument("--json", action="store_true", help="print the figures as JSON")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            counts = [int(part) for part in str(options["workers"]).split(",") if part.strip()]
        except ValueError:
            raise CommandError("--workers: comma-separated numbers, e.g. 0,2") from None
        if not counts or any(n < 0 for n in counts):
            raise CommandError("--workers: at least one number, none negative")
        receivers = [r.strip() for r in str(options["receivers"]).split(",") if r.strip()]
        if not receivers or not set(receivers) <= {"aiohttp", "uvicorn"}:
            raise CommandError("--receivers: aiohttp and/or uvicorn, comma-separated")
        results = [
            bench.run(
                events=options["events"],
                latency_events=options["latency_events"],
                pace=options["pace"],
                workers=n,
                receiver=receiver,
            )
            for receiver in receivers
            for n in counts
        ]
        if options["json"]:
            self.stdout.write(json.dumps(results[0] if len(results) == 1 else results, indent=2))
            return
        for result in results:
            self._print(result)

    def _print(self, result: dict[str, Any]) -> None:
        lat = result["latency_ms"]
        self.stdout.write(
            f"webhooks on {result['database']}, dispatcher {result['dispatcher']}, "
            f"{result['receiver']} receiver, endpoint limits {result['endpoint_limits']} "
            f"({result['cpus']} CPUs; dispatcher client {result['dispatcher_client']})\n"
            f"  latency commit→receiver ({result['latency_events']} events): "
            f"p50 {lat['p50']} ms, p95 {lat['p95']} ms, p99 {lat['p99']} ms\n"
            f"  throughput ({result['events']} events): {result['deliveries_per_s']} deliveries/s"
            f" (drained in {result['drain_seconds']} s, duplicates {result['duplicates']};"
            f" machine CPU {result['machine_cpu_us_per_delivery']} µs per delivery)\n"
            f"  raw limit (50 concurrent POSTs, {result['raw_client']}): "
            f"{result['raw_posts_per_s']}/s (before / after the drain: "
            f"{' / '.join(str(r) for r in result['raw_posts_per_s_before_after'])})"
            f" → ratio {result['ratio_to_raw']}\n"
            f"  bare protocol client (asyncio + httptools): {result['raw_protocol_posts_per_s']}/s"
            f" → ratio {result['ratio_to_protocol']}\n"
            f"  goals: {result['goals_met']}"
        )
