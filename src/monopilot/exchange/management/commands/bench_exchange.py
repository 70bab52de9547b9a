"""`monopilot bench exchange [--sizes 10000,100000]`: a products import and a products
export at each size, printing time, rows/s and peak Python memory (tracemalloc). Everything
runs in one transaction that is rolled back, so the database is left as it was.

Each step runs twice on fresh data: once untraced for the time (tracemalloc slows Python
down several times) and once under tracemalloc for the peak."""

from __future__ import annotations

import csv
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.db import transaction

from monopilot.erp.models import Allergen, ProductType
from monopilot.exchange.exporting import export_to_path
from monopilot.exchange.importing import import_file
from monopilot.tenancy.models import Organization


class _Rollback(Exception):
    pass


class Command(BaseCommand):
    help = "Benchmark the products import and export (time, rows/s, peak memory)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--sizes", default="10000,100000")
        parser.add_argument("--formats", default="csv,xml", help="export formats to measure")
        parser.add_argument("--no-memory", action="store_true", help="skip the traced runs")

    def handle(self, *args: Any, **options: Any) -> None:
        sizes = [int(s) for s in options["sizes"].split(",") if s]
        formats = [f for f in options["formats"].split(",") if f]
        self.stdout.write(f"{'step':<28}{'rows':>9}{'seconds':>10}{'rows/s':>10}{'peak MiB':>10}")
        with tempfile.TemporaryDirectory() as tmp:
            for size in sizes:
                self.peaks: dict[str, float] = {}
                if not options["no_memory"]:
                    self.traced = True
                    self._rolled_back(size, formats, Path(tmp))
                self.traced = False
                self._rolled_back(size, formats, Path(tmp))

    def _rolled_back(self, size: int, formats: list[str], tmp: Path) -> None:
        try:
            with transaction.atomic():
                self._one(size, formats, tmp)
                raise _Rollback
        except _Rollback:
            pass

    def _one(self, size: int, formats: list[str], tmp: Path) -> None:
        org = Organization.objects.create(name=f"Bench {size}", slug=f"bench-exchange-{size}")
        for code in ("RM", "WIP", "FG", "PKG"):
            ProductType.objects.create(org=org, code=code, name=code)
        for code in ("A01", "A07"):
            Allergen.objects.get_or_create(code=code, defaults={"name_en": code})
        source = tmp / f"products_{size}.csv"
        _write_products(source, size)
        job = self._measure(
            "import products csv",
            size,
            lambda: import_file(org=org, entity="products", path=source),
        )
        assert job.rows_created == size, (job.status, job.validation_errors[:3])
        for fmt in formats:
            target = tmp / f"export_{size}.{fmt}"
            count = self._measure(
                f"export products {fmt}",
                size,
                partial(
                    export_to_path, org=org, entity="products", fmt=fmt, filters={}, path=target
                ),
            )
            assert count == size

    def _measure(self, label: str, rows: int, work: Callable[[], Any]) -> Any:
        if self.traced:
            tracemalloc.start()
            result = work()
            self.peaks[label] = tracemalloc.get_traced_memory()[1] / 2**20
            tracemalloc.stop()
            return result
        started = time.perf_counter()
        result = work()
        seconds = time.perf_counter() - started
        peak = f"{self.peaks[label]:.1f}" if label in self.peaks else "-"
        self.stdout.write(f"{label:<28}{rows:>9}{seconds:>10.2f}{rows / seconds:>10.0f}{peak:>10}")
        self.stdout.flush()
        return result


def _write_products(path: Path, size: int) -> None:
    types = ("raw_material", "semi_finished", "finished_good")
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(
            [
                "product_code",
                "name",
                "type",
                "unit",
                "description",
                "allergens",
                "shelf_life_days",
                "storage_temp",
            ]
        )
        for n in range(size):
            writer.writerow(
                [
                    f"P-{n:07d}",
                    f"Product {n}",
                    types[n % 3],
                    "kg",
                    f"Bench product number {n}",
                    "A01,A07" if n % 5 == 0 else "",
                    30 + n % 300,
                    "2-8°C",
                ]
            )
