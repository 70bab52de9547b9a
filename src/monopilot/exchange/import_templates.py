"""Downloadable import templates (CSV, JSON, XML), each with one example row.

They are written by the export writers from the importers' layouts, so a template, the
reader and the column list cannot disagree.
"""

from __future__ import annotations

import io
import json

from django.utils import timezone

from monopilot.exchange.importing import importer_class
from monopilot.exchange.writers import Metadata, json_record, write_csv, write_xml

CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "json": "application/json",
    "xml": "application/xml",
}


def template(entity: str, fmt: str) -> tuple[str, bytes]:
    """(file name, content) of the template of `entity` in `fmt`."""
    importer = importer_class(entity)
    if fmt not in CONTENT_TYPES:
        raise ValueError(f"Unknown template format '{fmt}' (allowed: csv, json, xml)")
    out = io.BytesIO()
    example = [importer.example]
    if fmt == "csv":
        write_csv(importer.layout, example, out)
    elif fmt == "json":
        body = {"data": [json_record(importer.layout, importer.example)]}
        out.write(json.dumps(body, indent=2, ensure_ascii=False).encode() + b"\n")
    else:
        meta = Metadata(
            entity_type=f"{entity}_import",
            exported_at=timezone.now(),
            total_records=1,
            organization_id="",
            organization_name="",
            filters={},
        )
        write_xml(importer.layout, example, out, meta)
    return f"{entity}_import_template.{fmt}", out.getvalue()
