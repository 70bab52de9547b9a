"""`monopilot seed-demo`: the demo organisations (idempotent; see erp/demo.py)."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand

from monopilot.erp.demo import DEMO_SLUG, demo_counts, seed


class Command(BaseCommand):
    help = "Create the demo organisations (demo, other) with realistic data; idempotent."

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.perf_counter()
        for message in seed():
            self.stdout.write(message)
        counts = ", ".join(f"{k} {v}" for k, v in demo_counts(slug=DEMO_SLUG).items())
        self.stdout.write(f"{DEMO_SLUG}: {counts}")
        self.stdout.write(f"done in {time.perf_counter() - started:.1f} s")
