"""`monopilot export ENTITY --org SLUG --format csv|json|xml [--filter k=v]... [-o FILE]`
and `monopilot export schema ENTITY [-o FILE]` (the XSD of an entity's XML export)."""

from __future__ import annotations

import shutil
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from monopilot.exchange import xsd
from monopilot.exchange.export_specs import ENTITIES, SPECS
from monopilot.exchange.exporting import FORMATS, ExportError, export_to_path, log_direct_export
from monopilot.tenancy.models import Organization


class Command(BaseCommand):
    help = "Export an entity as CSV, JSON or XML (streamed), or print an entity's XSD."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("entity", help=f"one of {', '.join(ENTITIES)}, or 'schema'")
        parser.add_argument("schema_entity", nargs="?", help="with 'schema': the entity")
        parser.add_argument("--org", help="organisation slug")
        parser.add_argument("--format", default="csv", choices=FORMATS)
        parser.add_argument("--filter", action="append", default=[], metavar="KEY=VALUE")
        parser.add_argument("-o", "--output", help="file to write (default: standard output)")
        parser.add_argument("--delimiter", default=",", help="CSV delimiter: , or ;")
        parser.add_argument("--decimal-comma", action="store_true", help="CSV numbers as 1,5")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["entity"] == "schema":
            self._schema(options["schema_entity"], options["output"])
            return
        org = Organization.objects.filter(slug=options["org"] or "").first()
        if org is None:
            raise CommandError(f"no organisation with slug {options['org']!r} (use --org SLUG)")
        filters = dict(self._pair(f) for f in options["filter"])
        csv_options = {"delimiter": options["delimiter"], "decimal_comma": options["decimal_comma"]}
        started = time.monotonic()
        target = Path(options["output"]) if options["output"] else None
        with tempfile.TemporaryDirectory() as tmp:
            path = target or Path(tmp) / f"export.{options['format']}"
            try:
                rows = export_to_path(
                    org=org,
                    entity=options["entity"],
                    fmt=options["format"],
                    filters=filters,
                    options=csv_options,
                    path=path,
                )
            except (ExportError, xsd.XmlInvalid) as exc:
                raise CommandError(str(exc)) from None
            if target is None:
                with path.open("rb") as fh:
                    sys.stdout.flush()
                    shutil.copyfileobj(fh, sys.stdout.buffer)
        log_direct_export(
            org=org,
            entity=options["entity"],
            fmt=options["format"],
            filters=filters,
            rows=rows,
            started=started,
            channel="cli",
        )
        if target is not None:
            self.stderr.write(f"{rows} {options['entity']} written to {target}")

    def _pair(self, text: str) -> tuple[str, str]:
        key, sep, value = text.partition("=")
        if not sep or not key:
            raise CommandError(f"--filter takes KEY=VALUE (got {text!r})")
        return key.strip(), value

    def _schema(self, entity: str | None, output: str | None) -> None:
        spec = SPECS.get(entity or "")
        if spec is None:
            raise CommandError(f"export schema ENTITY: ENTITY is one of {', '.join(ENTITIES)}")
        text = xsd.schema_text(spec.layout)
        if output:
            Path(output).write_text(text, encoding="utf-8")
        else:
            self.stdout.write(text, ending="")
