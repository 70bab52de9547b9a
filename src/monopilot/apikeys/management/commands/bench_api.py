from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from monopilot.apikeys.bench import run


class Command(BaseCommand):
    help = "Benchmark the public API: key creation, auth + rate-limit cost, product list."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--products", type=int, default=10_000)
        parser.add_argument("--requests", type=int, default=2_000)

    def handle(self, *args: Any, products: int, requests: int, **options: Any) -> None:
        run(self.stdout, products=products, requests=requests)
