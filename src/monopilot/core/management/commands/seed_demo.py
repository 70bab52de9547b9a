"""`monopilot seed-demo`: the demo organisations (idempotent; see erp/demo.py)."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand

from monopilot.edi.demo import seed_partners
from monopilot.erp.demo import DEMO_SLUG, demo_counts, seed
from monopilot.tenancy.models import Organization


class Command(BaseCommand):
    help = "Create the demo organisations (demo, other) with realistic data; idempotent."

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.perf_counter()
        for message in seed():
            self.stdout.write(message)
        partners = seed_partners(org=Organization.objects.get(slug=DEMO_SLUG))
        if partners:
            self.stdout.write(f"EDI trading partners: {', '.join(partners)}")
        counts = ", ".join(f"{k} {v}" for k, v in demo_counts(slug=DEMO_SLUG).items())
        self.stdout.write(f"{DEMO_SLUG}: {counts}")
        self.stdout.write(f"done in {time.perf_counter() - started:.1f} s")
