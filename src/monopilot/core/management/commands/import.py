"""`monopilot import products|boms FILE --org SLUG [--dry-run] [--mode skip|update]
[--valid-only] [--json]`: validate every row, then import (all-or-nothing unless
--valid-only). Exit status 1 when rows were invalid and nothing was imported."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from monopilot.exchange.importing import ENTITIES, ImportError_, import_file, result_json
from monopilot.exchange.models import ImportStatus
from monopilot.exchange.readers import FileProblem
from monopilot.tenancy.models import Organization


class Command(BaseCommand):
    help = "Import products or BOMs from a CSV, JSON or XML file."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("entity", choices=ENTITIES)
        parser.add_argument("file")
        parser.add_argument("--org", required=True, help="organisation slug")
        parser.add_argument("--mode", default="skip", choices=("skip", "update"))
        parser.add_argument(
            "--dry-run", action="store_true", help="validate and count, write nothing"
        )
        parser.add_argument("--valid-only", action="store_true", help="import the valid rows only")
        parser.add_argument("--json", action="store_true", help="print the result as JSON")

    def handle(self, *args: Any, **options: Any) -> None:
        org = Organization.objects.filter(slug=options["org"]).first()
        if org is None:
            raise CommandError(f"no organisation with slug {options['org']!r}")
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(f"no such file: {path}")
        try:
            job = import_file(
                org=org,
                entity=options["entity"],
                path=path,
                mode=options["mode"],
                valid_only=options["valid_only"],
                dry_run=options["dry_run"],
            )
        except (FileProblem, ImportError_) as exc:
            raise CommandError(str(exc)) from None
        result = result_json(job)
        if options["json"]:
            self.stdout.write(json.dumps(result, ensure_ascii=False))
        else:
            self._human(job, result)
        if job.status != ImportStatus.COMPLETED:
            raise SystemExit(1)

    def _human(self, job: Any, result: dict[str, Any]) -> None:
        for error in result["errors"][:200]:
            where = f"row {error['row']}" if error["row"] else "file"
            column = f", {error['column']}" if error["column"] else ""
            self.stderr.write(f"{where}{column}: {error['message']}")
        if len(result["errors"]) > 200:
            self.stderr.write(f"… and {len(result['errors']) - 200} more errors")
        prefix = "dry run: " if job.dry_run else ""
        self.stdout.write(
            f"{prefix}{job.status}: {result['valid']} valid, {result['invalid']} invalid, "
            f"{result['created']} created, {result['updated']} updated, {result['skipped']} skipped"
        )
        if job.status == ImportStatus.VALIDATED:
            self.stdout.write("nothing imported: fix the errors or use --valid-only")
