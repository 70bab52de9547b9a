"""`monopilot edi receive FILE --org SLUG`: store and process an EDIFACT file, print one
line per message (id, direction, type, refs, status, first error)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from monopilot.edi.services import receive
from monopilot.tenancy.models import Organization


class Command(BaseCommand):
    help = "EDI tools: `edi receive FILE --org SLUG`."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        rec = sub.add_parser("receive", help="store and process an EDIFACT file")
        rec.add_argument("file")
        rec.add_argument("--org", required=True, help="organisation slug")

    def handle(self, *args: Any, **options: Any) -> None:
        org = Organization.objects.filter(slug=options["org"]).first()
        if org is None:
            raise CommandError(f"organisation {options['org']!r} not found")
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(f"file {path} not found")
        rows = receive(org=org, data=path.read_bytes(), filename=path.name)
        failed = 0
        for row in rows:
            first = row.errors or [p for p in row.problems if p.get("severity") == "error"]
            reason = f"  {first[0].get('message', '')}" if first else ""
            failed += row.status == "error"
            self.stdout.write(
                f"{row.id} {row.direction} {row.message_type or '-'} "
                f"{row.interchange_ref or '-'}/{row.message_ref or '-'} {row.status}{reason}"
            )
        self.stdout.write(f"{len(rows)} message(s), {failed} with errors")
