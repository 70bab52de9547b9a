"""Reading uploaded files row by row: CSV (UTF-8 or Windows-1250), JSON and XML.

Every reader yields `(row, values)` where `row` is the number a spreadsheet would show for
the same data as CSV (the header is row 1, the first record row 2) and `values` maps
template column names to raw values. File-level problems raise `FileProblem` with the
errors (all of them, e.g. every missing column at once).
"""

from __future__ import annotations

import codecs
import csv
import io
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from lxml import etree

RawRow = dict[str, Any]
CHUNK = 1 << 16
_FORBIDDEN_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


@dataclass(frozen=True)
class RowError:
    row: int | None
    column: str
    message: str

    def as_dict(self) -> dict[str, Any]:
        return {"row": self.row, "column": self.column, "message": self.message}


class FileProblem(ValueError):
    def __init__(self, errors: list[RowError]) -> None:
        super().__init__("; ".join(e.message for e in errors))
        self.errors = errors


def normalise_key(name: str) -> str:
    """'Product Code', 'product_code', 'ProductCode' and 'productCode' are one column."""
    return re.sub(r"[^a-z0-9]", "", name.strip().lstrip("\ufeff").lower())


def detect_encoding(path: Path) -> str:
    """UTF-8 (with or without BOM) first, then Windows-1250 (Polish Excel), else an error."""
    head = path.open("rb").read(4)
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)) or b"\x00" in head:
        raise FileProblem([RowError(1, "", _not_text("it looks like UTF-16 or a binary file"))])
    bad_at = _first_bad_utf8(path)
    if bad_at is None:
        return "utf-8-sig"
    try:
        text = path.read_bytes().decode("cp1250")
    except UnicodeDecodeError as exc:
        row = _line_of(path, bad_at)
        raise FileProblem(
            [RowError(row, "", _not_text(f"byte 0x{exc.object[exc.start]:02x}"))]
        ) from None
    found = _FORBIDDEN_CONTROL.search(text)
    if found:
        row = text.count("\n", 0, found.start()) + 1
        raise FileProblem([RowError(row, "", _not_text("it contains control characters"))])
    return "cp1250"


def _not_text(why: str) -> str:
    return f"The file is neither UTF-8 nor Windows-1250 text ({why}). Save it as CSV UTF-8."


def _first_bad_utf8(path: Path) -> int | None:
    decoder = codecs.getincrementaldecoder("utf-8")()
    offset = 0
    with path.open("rb") as fh:
        while chunk := fh.read(CHUNK):
            try:
                decoder.decode(chunk)
            except UnicodeDecodeError as exc:
                return offset + exc.start
            offset += len(chunk)
        try:
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            return offset
    return None


def _line_of(path: Path, offset: int) -> int:
    with path.open("rb") as fh:
        return fh.read(offset).count(b"\n") + 1


def _check_header(
    header: list[str], columns: tuple[str, ...], required: tuple[str, ...]
) -> dict[int, str]:
    """Map positions of the file's header onto template columns; every missing one is an error."""
    known = {normalise_key(c): c for c in columns}
    mapping = {
        i: known[normalise_key(h)] for i, h in enumerate(header) if normalise_key(h) in known
    }
    missing = [c for c in required if c not in mapping.values()]
    if missing:
        raise FileProblem([RowError(1, c, f"Missing column '{c}'") for c in missing])
    return mapping


def read_csv(
    path: Path, columns: tuple[str, ...], required: tuple[str, ...]
) -> Iterator[tuple[int, RawRow]]:
    encoding = detect_encoding(path)
    with path.open(encoding=encoding, newline="") as fh:
        first = fh.readline()
        delimiter = max((";", ",", "\t"), key=first.count)
        fh.seek(0)
        reader = csv.reader(fh, delimiter=delimiter)
        header = next(reader, None)
        if not header or not any(h.strip() for h in header):
            raise FileProblem([RowError(1, "", "The file is empty: expected a header row")])
        mapping = _check_header(header, columns, required)
        for row, cells in enumerate(reader, start=2):
            if not any(c.strip() for c in cells):
                continue
            yield row, {name: cells[i] if i < len(cells) else "" for i, name in mapping.items()}


def read_json(
    path: Path, columns: tuple[str, ...], required: tuple[str, ...]
) -> Iterator[tuple[int, RawRow]]:
    try:
        with path.open(encoding="utf-8-sig") as fh:
            document = json.load(fh)
    except UnicodeDecodeError:
        raise FileProblem([RowError(None, "", "The JSON file is not UTF-8")]) from None
    except json.JSONDecodeError as exc:
        raise FileProblem(
            [RowError(exc.lineno, "", f"Invalid JSON: {exc.msg} (line {exc.lineno})")]
        ) from None
    records = document.get("data") if isinstance(document, dict) else document
    if not isinstance(records, list):
        raise FileProblem(
            [RowError(None, "", 'Expected {"data": [ … ]} or a JSON array of records')]
        )
    known = {normalise_key(c): c for c in columns}
    for row, record in enumerate(records, start=2):
        if not isinstance(record, dict):
            yield row, {"__error__": "Each record must be a JSON object"}
            continue
        values = {
            known[normalise_key(k)]: v for k, v in record.items() if normalise_key(k) in known
        }
        yield row, {c: values.get(c, "") for c in columns if c in values or c in required}


def _refuse_doctype(path: Path) -> None:
    """No DTD, no entities: XXE and billion-laughs never reach the parser."""
    with path.open("rb") as fh:
        prolog = fh.read(CHUNK)
    upper = prolog.upper()
    if b"<!DOCTYPE" in upper or b"<!ENTITY" in upper:
        raise FileProblem([RowError(None, "", "XML with a DOCTYPE or entities is not accepted")])


def read_xml(
    path: Path, columns: tuple[str, ...], required: tuple[str, ...]
) -> Iterator[tuple[int, RawRow]]:
    """Records are the children of the collection element under the root (any namespace)."""
    _refuse_doctype(path)
    known = {normalise_key(c): c for c in columns}
    row = 1
    context = etree.iterparse(
        str(path),
        events=("end",),
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        huge_tree=True,
        remove_comments=True,
    )
    try:
        for _event, el in context:
            parent = el.getparent()
            if (
                parent is None
                or parent.getparent() is None
                or parent.getparent().getparent() is not None
            ):
                continue
            if etree.QName(parent).localname == "ExportMetadata":
                continue
            row += 1
            yield row, _xml_values(el, known)
            el.clear(keep_tail=True)
            while el.getprevious() is not None:
                del parent[0]
    except etree.XMLSyntaxError as exc:
        raise FileProblem(
            [RowError(None, "", f"Invalid XML: {exc.msg} (line {exc.lineno})")]
        ) from None


def _xml_values(el: etree._Element, known: dict[str, str]) -> RawRow:
    values: RawRow = {}
    for child in el:
        if not isinstance(child.tag, str):
            continue
        name = known.get(normalise_key(etree.QName(child).localname))
        if name is None:
            continue
        items = [c.text or "" for c in child if isinstance(c.tag, str)]
        values[name] = ",".join(items) if items else (child.text or "")
    return values


READERS = {"csv": read_csv, "json": read_json, "xml": read_xml}


def guess_format(file_name: str) -> str:
    suffix = Path(file_name).suffix.lower().lstrip(".")
    if suffix in ("csv", "txt"):
        return "csv"
    if suffix in READERS:
        return suffix
    raise FileProblem(
        [RowError(None, "", f"Unsupported file type '.{suffix}': use CSV, JSON or XML")]
    )


def read_rows(
    path: Path, fmt: str, columns: tuple[str, ...], required: tuple[str, ...]
) -> Iterator[tuple[int, RawRow]]:
    return READERS[fmt](path, columns, required)


def as_text(text: str) -> io.BytesIO:
    return io.BytesIO(text.encode())
