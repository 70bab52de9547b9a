"""Shared schemas of the public API: the error shape, pages and list parameters."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Literal

from ninja import Field, Schema
from pydantic import create_model


class ErrorBody(Schema):
    code: str
    message: str
    details: Any = Field(default_factory=dict)


class ErrorOut(Schema):
    error: ErrorBody


ERROR_CODES = (400, 401, 402, 403, 404, 409, 422, 429)


def responses(ok: Any, status: int = 200, *extra: int) -> dict[int, Any]:
    """The response map of one operation: success plus every error with the error schema."""
    out: dict[int, Any] = {status: ok}
    for code in (*ERROR_CODES, *extra):
        out[code] = ErrorOut
    return out


Ordering = Literal["created_at", "-created_at", "updated_at", "-updated_at"]


class ListParams(Schema):
    cursor: str | None = Field(None, description="Opaque cursor from `next_cursor`")
    limit: int = Field(50, ge=1, le=200)
    ordering: Ordering = "-created_at"
    status: str | None = None
    created_from: date | None = Field(None, description="Created on or after (date)")
    created_to: date | None = Field(None, description="Created on or before (date)")
    updated_since: datetime | None = Field(None, description="Changed at or after (ISO 8601)")


_PAGES: dict[type, type[Schema]] = {}


def page_of(item: type[Schema]) -> type[Schema]:
    """`{"data": [item], "next_cursor", "has_more"}`, one named schema per item type."""
    if item not in _PAGES:
        name = item.__name__.removesuffix("Out") + "Page"
        _PAGES[item] = create_model(
            name,
            __base__=Schema,
            data=(list[item], ...),  # type: ignore[valid-type]
            next_cursor=(str | None, None),
            has_more=(bool, False),
        )
    return _PAGES[item]


class OkOut(Schema):
    ok: bool = True
