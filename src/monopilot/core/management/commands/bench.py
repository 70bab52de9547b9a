from __future__ import annotations

from typing import Any

from django.core.management import call_command, get_commands
from django.core.management.base import BaseCommand, CommandError, CommandParser

# `monopilot bench NAME` runs the command bench_NAME of whichever app provides it.
SUITES = ("api", "webhooks", "edi", "exchange")


class Command(BaseCommand):
    help = "Print performance figures: `monopilot bench all` or `monopilot bench NAME [...]`."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("suite", choices=[*SUITES, "all"])
        parser.add_argument("rest", nargs="*", help="options passed to the suite")

    def handle(self, *args: Any, suite: str, rest: list[str], **options: Any) -> None:
        available = get_commands()
        names = [s for s in SUITES if f"bench_{s}" in available] if suite == "all" else [suite]
        if suite != "all" and f"bench_{suite}" not in available:
            raise CommandError(f"no benchmark named {suite!r} is installed")
        for name in names:
            self.stdout.write(self.style.MIGRATE_HEADING(f"== bench {name} =="))
            call_command(f"bench_{name}", *rest, stdout=self.stdout)
