"""Searching the integration log (FR-INT-005): filters, full-text search, pages, export.

Filters combine with AND. Search looks in request/response bodies, the error message and
the external id; rows whose external id equals the search term exactly come first.
"""

from __future__ import annotations

import csv
import io
import uuid
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from django.core.paginator import Page, Paginator
from django.db.models import Case, Count, IntegerField, Q, QuerySet, TextField, Value, When
from django.db.models.functions import Cast
from django.utils import timezone

from monopilot.core.spreadsheet import formula_safe
from monopilot.integration_logs.models import IntegrationLog, LogStatus, LogType
from monopilot.tenancy.models import Organization
from monopilot.tenancy.scoping import get_scoped, scoped

DATE_RANGES = {
    "last_24_hours": timedelta(hours=24),
    "last_7_days": timedelta(days=7),
    "last_30_days": timedelta(days=30),
}
# Short forms used by links (story 11.1 AC-4: `date_range=24h`).
DATE_RANGE_ALIASES = {"24h": "last_24_hours", "7d": "last_7_days", "30d": "last_30_days"}
DEFAULT_DATE_RANGE = "last_7_days"
PAGE_SIZE = 50
MAX_PAGE_SIZE = 100
EXPORT_LIMIT = 10_000
CSV_COLUMNS = (
    "timestamp", "integration_type", "event_type", "direction", "status", "http_status",
    "external_system", "external_id", "duration_ms", "retry_count", "error_message",
)  # fmt: skip


@dataclass
class LogFilters:
    date_range: str = DEFAULT_DATE_RANGE
    date_from: date | None = None
    date_to: date | None = None
    status: str = ""
    integration_type: str = ""
    external_system: str = ""
    event_type: str = ""
    q: str = ""
    correlation_id: str = ""
    api_key_id: str = ""
    webhook_id: str = ""
    errors: list[str] = field(default_factory=list)

    def as_params(self) -> dict[str, str]:
        """The filters as query parameters (links from one filtered view to another)."""
        params = {
            "date_range": self.date_range,
            "date_from": self.date_from.isoformat() if self.date_from else "",
            "date_to": self.date_to.isoformat() if self.date_to else "",
            "status": self.status,
            "type": self.integration_type,
            "external_system": self.external_system,
            "event_type": self.event_type,
            "q": self.q,
            "correlation_id": self.correlation_id,
            "api_key_id": self.api_key_id,
            "webhook_id": self.webhook_id,
        }
        return {key: value for key, value in params.items() if value}


def _parse_date(raw: str, name: str, errors: list[str]) -> date | None:
    if not raw:
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError:
        errors.append(f"{name}: not a date (YYYY-MM-DD): {raw[:20]}")
        return None


def _choice(raw: str, allowed: list[str], name: str, errors: list[str]) -> str:
    if raw and raw not in allowed:
        errors.append(f"{name}: unknown value {raw[:30]!r}")
        return ""
    return raw


def parse_filters(params: Mapping[str, str]) -> LogFilters:
    """Query parameters to filters; bad values are dropped and named in `errors`."""
    errors: list[str] = []
    get = lambda key: (params.get(key) or "").strip()  # noqa: E731
    date_range = DATE_RANGE_ALIASES.get(get("date_range"), get("date_range")) or DEFAULT_DATE_RANGE
    date_range = _choice(date_range, [*DATE_RANGES, "custom"], "date_range", errors)
    filters = LogFilters(
        date_range=date_range or DEFAULT_DATE_RANGE,
        date_from=_parse_date(get("date_from"), "date_from", errors),
        date_to=_parse_date(get("date_to"), "date_to", errors),
        status=_choice(get("status"), list(LogStatus.values), "status", errors),
        integration_type=_choice(get("type"), list(LogType.values), "type", errors),
        external_system=get("external_system")[:100],
        event_type=get("event_type")[:100],
        q=get("q")[:200],
        correlation_id=get("correlation_id")[:64],
        api_key_id=get("api_key_id")[:40],
        webhook_id=get("webhook_id")[:40],
        errors=errors,
    )
    start, end = filters.date_from, filters.date_to
    if filters.date_range == "custom" and start and end and start > end:
        errors.append("date_from: must not be after date_to")
        filters.date_from, filters.date_to = end, start
    return filters


def _time_window(filters: LogFilters, now: datetime) -> Q:
    if filters.date_range != "custom":
        return Q(timestamp__gte=now - DATE_RANGES[filters.date_range])
    window = Q()
    tz = timezone.get_current_timezone()
    if filters.date_from:
        window &= Q(timestamp__gte=datetime.combine(filters.date_from, time.min, tzinfo=tz))
    if filters.date_to:
        end = datetime.combine(filters.date_to + timedelta(days=1), time.min, tzinfo=tz)
        window &= Q(timestamp__lt=end)
    return window


def _uuid_or_none(raw: str) -> str | None:
    try:
        return str(uuid.UUID(raw))
    except ValueError:
        return None


def log_search(
    *, org: Organization, filters: LogFilters, now: datetime | None = None
) -> QuerySet[IntegrationLog]:
    now = now or timezone.now()
    qs = scoped(IntegrationLog, org).filter(_time_window(filters, now))
    exact = {
        "status": filters.status,
        "integration_type": filters.integration_type,
        "external_system": filters.external_system,
        "event_type": filters.event_type,
        "correlation_id": filters.correlation_id,
    }
    qs = qs.filter(**{key: value for key, value in exact.items() if value})
    for name in ("api_key_id", "webhook_id"):
        raw = getattr(filters, name)
        if raw:
            qs = qs.filter(**{name: _uuid_or_none(raw)}) if _uuid_or_none(raw) else qs.none()
    if filters.q:
        return _search(qs, filters.q)
    return qs.order_by("-timestamp", "-id")


def _search(qs: QuerySet[IntegrationLog], term: str) -> QuerySet[IntegrationLog]:
    """Bodies are JSON: searched as their text form, which works the same on both databases."""
    qs = qs.annotate(
        request_text=Cast("request_body", TextField()),
        response_text=Cast("response_body", TextField()),
        exact_rank=Case(
            When(external_id=term, then=Value(0)), default=Value(1), output_field=IntegerField()
        ),
    )
    matches = (
        Q(external_id=term)
        | Q(external_id__icontains=term)
        | Q(error_message__icontains=term)
        | Q(request_text__icontains=term)
        | Q(response_text__icontains=term)
    )
    return qs.filter(matches).order_by("exact_rank", "-timestamp", "-id")


def log_page(
    *, qs: QuerySet[IntegrationLog], page: int | str | None, page_size: int | str | None = None
) -> Page[IntegrationLog]:
    try:
        size = max(1, min(int(page_size or PAGE_SIZE), MAX_PAGE_SIZE))
    except (TypeError, ValueError):
        size = PAGE_SIZE
    return Paginator(qs, size).get_page(page)


def log_stats(*, qs: QuerySet[IntegrationLog]) -> dict[str, int]:
    """Counts per status of the filtered rows (the stats widget above the table)."""
    counts = qs.order_by().aggregate(
        total=Count("id"),
        success=Count("id", filter=Q(status="success")),
        warning=Count("id", filter=Q(status="warning")),
        error=Count("id", filter=Q(status="error")),
    )
    return {key: int(value or 0) for key, value in counts.items()}


def log_get(*, org: Organization, log_id: Any) -> IntegrationLog:
    """Another organisation's row answers 404, exactly like a missing one."""
    return get_scoped(IntegrationLog, org, pk=log_id)


def related_logs(*, log: IntegrationLog, limit: int = 20) -> list[IntegrationLog]:
    if not log.correlation_id:
        return []
    qs = scoped(IntegrationLog, log.org).filter(correlation_id=log.correlation_id)
    return list(qs.exclude(pk=log.pk).order_by("timestamp")[:limit])


def filter_options(*, org: Organization) -> dict[str, list[str]]:
    """Values seen in the last 90 days, for the external system and event type pickers."""
    recent = scoped(IntegrationLog, org).filter(timestamp__gte=timezone.now() - timedelta(days=90))
    systems = recent.exclude(external_system="").values_list("external_system", flat=True)
    events = recent.exclude(event_type="").values_list("event_type", flat=True)
    return {
        "external_systems": sorted(set(systems.order_by().distinct()[:200])),
        "event_types": sorted(set(events.order_by().distinct()[:500])),
    }


# --- CSV export -----------------------------------------------------------------------------


def csv_safe(value: Any) -> str:
    """A cell Excel will not run as a formula: risky first characters get a leading quote."""
    return formula_safe("" if value is None else str(value))


def _csv_row(row: IntegrationLog) -> list[str]:
    values = [getattr(row, column) for column in CSV_COLUMNS]
    values[0] = row.timestamp.isoformat()
    return [csv_safe(v) for v in values]


def log_export_csv(*, qs: QuerySet[IntegrationLog], limit: int | None = None) -> Iterator[str]:
    """UTF-8 text chunks of the CSV (the caller encodes): BOM, header, at most `limit` rows."""
    limit = limit or EXPORT_LIMIT
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    buffer.write("\ufeff")
    writer.writerow(CSV_COLUMNS)
    rows = qs.only(*CSV_COLUMNS, "id", "org_id")[:limit]
    for index, row in enumerate(rows.iterator(chunk_size=1000), start=1):
        writer.writerow(_csv_row(row))
        if index % 500 == 0:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()
