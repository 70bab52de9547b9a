"""The import engine shared by the products and BOMs importers.

An import runs in two passes over the uploaded file, both streaming: `validate` (nothing is
written; every row's errors are collected, with a preview and the list of conflicts) and
`commit` (the same checks again — the data may have changed since — plus the writes, in one
transaction). Errors go to a CSV file as they are found, so a file with 100,000 bad rows
does not build a 100,000-item list in memory.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any, TypeVar

from monopilot.exchange.readers import RowError
from monopilot.exchange.writers import UTF8_BOM

PREVIEW_ROWS = 20
KEEP_ERRORS = 1000  # shown on screen and stored on the job; the CSV holds all of them
KEEP_CONFLICTS = 1000
CHUNK = 1000

T = TypeVar("T")


@dataclass(frozen=True)
class Plan:
    """What the user chose: conflict mode, per-row decisions, all-or-nothing or valid rows."""

    mode: str = "skip"  # skip | update | ask
    decisions: dict[str, str] = field(default_factory=dict)
    valid_only: bool = False

    def action_for(self, row: int) -> str:
        if self.mode == "ask":
            return "update" if self.decisions.get(str(row)) == "update" else "skip"
        return self.mode


class ErrorSink:
    """Every error goes to the errors CSV; the first KEEP_ERRORS stay in memory too."""

    def __init__(self, path: Path | None) -> None:
        self.count = 0
        self.kept: list[dict[str, Any]] = []
        self._fh: IO[str] | None = None
        if path is not None:
            path.parent.mkdir(parents=True, exist_ok=True)
            self._fh = path.open("w", encoding="utf-8", newline="")
            self._fh.write(UTF8_BOM.decode())
            self._writer = csv.writer(self._fh, lineterminator="\r\n")
            self._writer.writerow(["row", "column", "message"])

    def add(self, error: RowError) -> None:
        self.count += 1
        if len(self.kept) < KEEP_ERRORS:
            self.kept.append(error.as_dict())
        if self._fh is not None:
            self._writer.writerow(
                ["" if error.row is None else error.row, error.column, error.message]
            )

    def close(self) -> None:
        if self._fh is not None:
            self._fh.close()
            self._fh = None


@dataclass
class Outcome:
    errors: ErrorSink
    total: int = 0
    valid: int = 0
    invalid: int = 0
    created: int = 0
    updated: int = 0
    skipped: int = 0
    preview: list[dict[str, Any]] = field(default_factory=list)
    conflicts: list[dict[str, Any]] = field(default_factory=list)

    def error(self, row: int | None, column: str, message: str) -> None:
        self.errors.add(RowError(row, column, message))

    def show(
        self, row: int, values: dict[str, Any], action: str, errors: list[str], group: str = ""
    ) -> None:
        """Keep the first PREVIEW_ROWS rows of the file (rows are settled out of order)."""
        if len(self.preview) >= PREVIEW_ROWS and row > self.preview[-1]["row"]:
            return
        self.preview.append(
            {
                "row": row,
                "values": _jsonable(values),
                "action": action,
                "errors": errors,
                "group": group,
            }
        )
        self.preview.sort(key=lambda p: p["row"])
        del self.preview[PREVIEW_ROWS:]

    def conflict(self, row: int, key: str) -> None:
        if len(self.conflicts) < KEEP_CONFLICTS:
            self.conflicts.append({"row": row, "key": key})

    def counts(self) -> dict[str, int]:
        return {
            "total": self.total,
            "valid": self.valid,
            "invalid": self.invalid,
            "created": self.created,
            "updated": self.updated,
            "skipped": self.skipped,
        }


def _jsonable(values: dict[str, Any]) -> dict[str, Any]:
    return {
        k: v if isinstance(v, (str, int, float, bool, type(None))) else str(v)
        for k, v in values.items()
    }


def chunks(items: Iterable[T], size: int = CHUNK) -> Iterator[list[T]]:
    batch: list[T] = []
    for item in items:
        batch.append(item)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


class RowErrors:
    """Collects one row's errors; `ok` tells whether the row can be imported."""

    def __init__(self, outcome: Outcome, row: int) -> None:
        self.outcome = outcome
        self.row = row
        self.messages: list[str] = []

    def add(self, column: str, message: str) -> None:
        self.outcome.error(self.row, column, message)
        self.messages.append(f"{column}: {message}" if column else message)

    @property
    def ok(self) -> bool:
        return not self.messages
