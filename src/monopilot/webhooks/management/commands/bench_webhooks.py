from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from monopilot.webhooks import bench


class Command(BaseCommand):
    help = "Benchmark webhook delivery: latency commit→receiver, deliveries/s, raw POST limit."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--events", type=int, default=5000)
        parser.add_argument("--latency-events", type=int, default=300)
        parser.add_argument("--pace", type=float, default=200.0, help="events/s, latency phase")
        parser.add_argument("--json", action="store_true", help="print the figures as JSON")

    def handle(self, *args: Any, **options: Any) -> None:
        result = bench.run(
            events=options["events"],
            latency_events=options["latency_events"],
            pace=options["pace"],
        )
        if options["json"]:
            self.stdout.write(json.dumps(result, indent=2))
            return
        lat = result["latency_ms"]
        self.stdout.write(
            f"webhooks on {result['database']} ({result['cpus']} CPUs, {result['client']})\n"
            f"  latency commit→receiver ({result['latency_events']} events): "
            f"p50 {lat['p50']} ms, p95 {lat['p95']} ms, p99 {lat['p99']} ms\n"
            f"  throughput ({result['events']} events): {result['deliveries_per_s']} deliveries/s"
            f" (drained in {result['drain_seconds']} s, duplicates {result['duplicates']})\n"
            f"  raw limit (50 concurrent aiohttp POSTs): {result['raw_posts_per_s']}/s"
            f" → ratio {result['ratio_to_raw']}\n"
            f"  goals: {result['goals_met']}"
        )
