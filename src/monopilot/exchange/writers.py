"""Streaming writers for CSV, JSON and XML: records in, bytes out, one record at a time.

Each writer takes an iterator of records (plain dicts shaped by a `Layout`) and a binary
file; nothing but the current record is held in memory, whatever the size of the export.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import IO, Any

from lxml import etree

from monopilot.core.spreadsheet import formula_safe
from monopilot.exchange.layouts import NAMESPACE, SCHEMA_VERSION, Field, Layout

Record = dict[str, Any]
Progress = Callable[[int], None]
UTF8_BOM = b"\xef\xbb\xbf"
FLUSH_EVERY = 500


@dataclass(frozen=True)
class CsvOptions:
    delimiter: str = ","
    decimal_comma: bool = False

    @classmethod
    def from_dict(cls, options: dict[str, Any]) -> CsvOptions:
        delimiter = str(options.get("delimiter") or ",")
        if delimiter not in (",", ";", "\t"):
            raise ValueError("delimiter must be ',', ';' or a tab")
        decimal_comma = _truthy(options.get("decimal_comma"))
        if decimal_comma and delimiter == ",":
            delimiter = ";"  # a decimal comma in a comma-separated file would split numbers
        return cls(delimiter=delimiter, decimal_comma=decimal_comma)


@dataclass(frozen=True)
class Metadata:
    entity_type: str
    exported_at: datetime
    total_records: int
    organization_id: str
    organization_name: str
    filters: dict[str, Any]


def _truthy(value: Any) -> bool:
    return str(value).strip().lower() in ("1", "true", "yes", "on")


def iso_datetime(value: datetime) -> str:
    if value.tzinfo is not None:
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None).isoformat(timespec="seconds") + "Z"
    return value.isoformat(timespec="seconds")


def plain(value: Any, kind: str) -> Any:
    """A value as JSON carries it: ISO dates, decimals as strings, lists kept."""
    if value is None:
        return None
    if kind == "datetime" and isinstance(value, datetime):
        return iso_datetime(value)
    if kind == "date" and isinstance(value, date):
        return value.isoformat()
    if kind == "decimal":
        return str(value)
    if kind == "list":
        return [str(v) for v in value]
    if kind == "int":
        return int(value)
    if kind == "bool":
        return bool(value)
    return str(value)


safe_text = formula_safe


def csv_cell(value: Any, f: Field, options: CsvOptions) -> str:
    if value is None:
        return ""
    if f.kind in ("int", "decimal"):
        text = str(value)
        return text.replace(".", ",") if options.decimal_comma else text
    if f.kind == "bool":
        return "true" if value else "false"
    if f.kind == "list":
        return safe_text(",".join(str(v) for v in value))
    if f.kind in ("date", "datetime"):
        return str(plain(value, f.kind))
    return safe_text(str(value))


def flat_rows(layout: Layout, record: Record, options: CsvOptions) -> Iterator[list[str]]:
    head = [csv_cell(record.get(f.name), f, options) for f in layout.fields]
    if layout.nested is None:
        yield head
        return
    children = record.get(layout.nested.name) or []
    if not children:
        yield head + [""] * len(layout.nested.fields)
    for child in children:
        yield head + [csv_cell(child.get(f.name), f, options) for f in layout.nested.fields]


def write_csv(
    layout: Layout,
    records: Iterable[Record],
    out: IO[bytes],
    options: CsvOptions | None = None,
    progress: Progress | None = None,
) -> int:
    options = options or CsvOptions()
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=options.delimiter, lineterminator="\r\n")
    out.write(UTF8_BOM)
    writer.writerow(layout.csv_header())
    count = 0
    for count, record in enumerate(records, start=1):
        writer.writerows(flat_rows(layout, record, options))
        if count % FLUSH_EVERY == 0:
            _drain(buffer, out)
            if progress:
                progress(count)
    _drain(buffer, out)
    return count


def _drain(buffer: io.StringIO, out: IO[bytes]) -> None:
    out.write(buffer.getvalue().encode("utf-8"))
    buffer.seek(0)
    buffer.truncate()


def json_record(layout: Layout, record: Record) -> Record:
    result = {f.name: plain(record.get(f.name), f.kind) for f in layout.fields}
    if layout.nested:
        result[layout.nested.name] = [
            {f.name: plain(child.get(f.name), f.kind) for f in layout.nested.fields}
            for child in record.get(layout.nested.name) or []
        ]
    return result


def write_json(
    layout: Layout,
    records: Iterable[Record],
    out: IO[bytes],
    meta: Metadata,
    progress: Progress | None = None,
) -> int:
    head = {
        "entity_type": meta.entity_type,
        "exported_at": iso_datetime(meta.exported_at),
        "total_records": meta.total_records,
        "organization_id": meta.organization_id,
        "filters": meta.filters,
    }
    out.write(b'{\n  "export_metadata": ')
    out.write(_indent(json.dumps(head, indent=2, ensure_ascii=False)).encode())
    out.write(b',\n  "data": [')
    count = 0
    for count, record in enumerate(records, start=1):
        text = json.dumps(json_record(layout, record), indent=2, ensure_ascii=False)
        out.write((("," if count > 1 else "") + "\n    " + _indent(text, 4)).encode())
        if progress and count % FLUSH_EVERY == 0:
            progress(count)
    out.write(b"\n  ]\n}\n" if count else b"]\n}\n")
    return count


def _indent(text: str, by: int = 2) -> str:
    return text.replace("\n", "\n" + " " * by)


def _q(name: str) -> str:
    return f"{{{NAMESPACE}}}{name}"


def _add_value(parent: etree._Element, f: Field, value: Any) -> None:
    if value is None:
        return
    el = etree.SubElement(parent, _q(f.element))
    if f.kind == "list":
        for item in value:
            etree.SubElement(el, _q(f.item)).text = str(item)
        return
    text = plain(value, f.kind)
    el.text = ("true" if text else "false") if f.kind == "bool" else str(text)


def xml_record(layout: Layout, record: Record) -> etree._Element:
    el = etree.Element(_q(layout.record), nsmap={None: NAMESPACE})
    for f in layout.fields:
        _add_value(el, f, record.get(f.name))
    if layout.nested:
        children = etree.SubElement(el, _q(layout.nested.element))
        for child in record.get(layout.nested.name) or []:
            child_el = etree.SubElement(children, _q(layout.nested.item))
            for f in layout.nested.fields:
                _add_value(child_el, f, child.get(f.name))
    return el


def _metadata_element(meta: Metadata) -> etree._Element:
    el = etree.Element(_q("ExportMetadata"), nsmap={None: NAMESPACE})
    for name, text in (
        ("ExportDate", iso_datetime(meta.exported_at)),
        ("OrganizationID", meta.organization_id),
        ("OrganizationName", meta.organization_name),
        ("EntityType", meta.entity_type),
        ("RecordCount", str(meta.total_records)),
    ):
        etree.SubElement(el, _q(name)).text = text
    if meta.filters:
        filters = etree.SubElement(el, _q("Filters"))
        for key, value in sorted(meta.filters.items()):
            etree.SubElement(filters, _q("Filter"), name=str(key)).text = str(value)
    return el


def write_xml(
    layout: Layout,
    records: Iterable[Record],
    out: IO[bytes],
    meta: Metadata,
    progress: Progress | None = None,
) -> int:
    count = 0
    with etree.xmlfile(out, encoding="utf-8") as xf:
        xf.write_declaration()
        with xf.element(_q("MonoPilot"), {"version": SCHEMA_VERSION}, nsmap={None: NAMESPACE}):
            xf.write("\n  ")
            xf.write(_metadata_element(meta), pretty_print=True)
            xf.write("  ")
            with xf.element(_q(layout.collection)):
                for count, record in enumerate(records, start=1):
                    xf.write("\n")
                    xf.write(xml_record(layout, record), pretty_print=True)
                    if progress and count % FLUSH_EVERY == 0:
                        progress(count)
            xf.write("\n")
    return count
