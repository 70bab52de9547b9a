"""Cursor pagination: the cursor is opaque base64 of (ordering field value, id).

Keyset pagination stays fast on deep pages and stable while rows are inserted, unlike
offsets. Ties on the timestamp are broken by id in the same direction.
"""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeVar
from uuid import UUID

from django.db.models import Model, Q, QuerySet
from django.utils.dateparse import parse_datetime

from monopilot.api.errors import ApiError

M = TypeVar("M", bound=Model)


@dataclass
class Page:
    data: list[Any]
    next_cursor: str | None
    has_more: bool


def encode_cursor(value: datetime, pk: Any) -> str:
    raw = json.dumps([value.isoformat(), str(pk)], separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[datetime, UUID]:
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        stamp, pk = json.loads(base64.urlsafe_b64decode(padded.encode()))
        value = parse_datetime(stamp)
        if value is None:
            raise ValueError("no datetime")
        return value, UUID(pk)
    except (ValueError, TypeError, json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise ApiError(
            400, "invalid_cursor", "The cursor is not valid", {"field": "cursor"}
        ) from exc


def paginate(qs: QuerySet[M], *, cursor: str | None, limit: int, ordering: str) -> Page:
    field = ordering.lstrip("-")
    desc = ordering.startswith("-")
    if cursor:
        value, pk = decode_cursor(cursor)
        op = "lt" if desc else "gt"
        qs = qs.filter(Q(**{f"{field}__{op}": value}) | Q(**{field: value, f"pk__{op}": pk}))
    qs = qs.order_by(ordering, "-pk" if desc else "pk")
    rows = list(qs[: limit + 1])
    has_more = len(rows) > limit
    rows = rows[:limit]
    next_cursor = encode_cursor(getattr(rows[-1], field), rows[-1].pk) if has_more else None
    return Page(data=rows, next_cursor=next_cursor, has_more=has_more)


def apply_filters(
    qs: QuerySet[M], params: Any, *, status_field: str | None = "status"
) -> QuerySet[M]:
    """The common list filters: status, created_from/created_to (dates), updated_since."""
    if params.status and status_field:
        qs = qs.filter(**{status_field: params.status})
    if params.created_from:
        qs = qs.filter(created_at__date__gte=params.created_from)
    if params.created_to:
        qs = qs.filter(created_at__date__lte=params.created_to)
    if params.updated_since:
        qs = qs.filter(updated_at__gte=params.updated_since)
    return qs
