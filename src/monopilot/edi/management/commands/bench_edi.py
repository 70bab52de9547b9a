"""`monopilot bench edi [--size-mb 20] [--compare-mb 4] [--orders 200] [--repeats 3]
[--current-db] [--json]` (see ``monopilot.edi.bench`` for the method)."""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from monopilot.edi import bench


class Command(BaseCommand):
    help = "Benchmark the EDIFACT engine (vs pydifact, same run) and ORDERS → sales order."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--size-mb", type=float, default=20.0, help="generated corpus")
        parser.add_argument(
            "--compare-mb", type=float, default=4.0, help="generated part of the pydifact run"
        )
        parser.add_argument("--orders", type=int, default=200, help="0 skips the ORDERS run")
        parser.add_argument("--repeats", type=int, default=3, help="best of N runs")
        parser.add_argument(
            "--current-db",
            action="store_true",
            help="ORDERS run in the configured database (demo org created if missing) "
            "instead of a throw-away one",
        )
        parser.add_argument("--json", action="store_true", help="print the figures as JSON")

    def handle(self, *args: Any, **options: Any) -> None:
        result = bench.run(
            size_mb=options["size_mb"],
            compare_mb=options["compare_mb"],
            orders=options["orders"],
            repeats=max(1, options["repeats"]),
            throwaway_db=not options["current_db"],
        )
        if options["json"]:
            self.stdout.write(json.dumps(result, indent=2))
            return
        for line in table(result):
            self.stdout.write(line)


def table(result: dict[str, Any]) -> list[str]:
    eng, cmp = result["engine"], result["comparison"]
    ours, theirs = cmp["ours"], cmp["pydifact"]
    out = [
        f"edi on {result['database']} ({result['cpus']} CPUs, Python {result['python']}, "
        f"best of {result['repeats']}; MB = 10^6 bytes)",
        f"{'figure':<46}{'MB/s':>8}{'msg/s':>10}{'goal':>22}",
        _row(
            f"parse, {_mb(eng['bytes'])} / {eng['messages']} messages", eng["parse"], ">= 10 MB/s"
        ),
        _row("validate (envelope + structure)", eng["validate"], ""),
        _row("parse + validate", eng["parse_and_validate"], ""),
        _row(f"ours, comparison set ({_mb(cmp['bytes'])})", ours, ""),
        _row(f"pydifact {theirs['version']}, same set", theirs, ""),
        _row("pydifact, cyclic GC off (1 run)", cmp["pydifact_gc_off"], ""),
        f"{'ratio ours / pydifact':<46}{cmp['ratio']:>8}{'':>10}{'>= 5x':>22}",
        f"  comparison: {cmp['files']} files; {cmp['input']}",
    ]
    if cmp["excluded_files"]:
        out.append(f"  pydifact cannot read (left out): {', '.join(cmp['excluded_files'])}")
    if "orders" in result:
        o = result["orders"]
        out.append(
            f"{'ORDERS → sales order, ms p50 / p95':<46}{o['ms_p50']:>8} / {o['ms_p95']:<8}"
            f"{'< 50 ms':>20}"
        )
        out.append(
            f"  {o['orders']} orders of {o['lines_per_order']} lines via inbox.receive: "
            f"{o['orders_per_s']} orders/s, {o['processed']} processed, "
            f"{o['sales_orders_found']} sales orders found"
        )
    out.append(f"goals: {result['goals_met']}")
    return out


def _row(label: str, rates: dict[str, Any], goal: str) -> str:
    return f"{label:<46}{rates['mb_per_s']:>8}{rates['messages_per_s']:>10}{goal:>22}"


def _mb(size: int) -> str:
    return f"{size / bench.MB:.1f} MB"
