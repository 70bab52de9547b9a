"""Integration logs (FR-INT-005): filtered list, detail, CSV export of the filtered rows."""

from __future__ import annotations

import uuid

from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from monopilot.console import selectors as console_selectors
from monopilot.console.access import LOGS, console, console_view
from monopilot.console.htmx import is_htmx
from monopilot.integration_logs import selectors
from monopilot.integration_logs.models import LogStatus, LogType

DATE_RANGE_LABELS = (
    ("last_24_hours", gettext_lazy("Last 24 hours")),
    ("last_7_days", gettext_lazy("Last 7 days")),
    ("last_30_days", gettext_lazy("Last 30 days")),
    ("custom", gettext_lazy("Custom")),
)


@require_GET
@console_view(LOGS)
def log_list(request: HttpRequest) -> HttpResponse:
    org = console(request).org
    filters = selectors.parse_filters(request.GET)
    qs = selectors.log_search(org=org, filters=filters)
    page = selectors.log_page(
        qs=qs, page=request.GET.get("page"), page_size=request.GET.get("page_size")
    )
    context = {
        "filters": filters,
        "page": page,
        "stats": selectors.log_stats(qs=qs),
        "options": selectors.filter_options(org=org),
        "statuses": LogStatus.choices,
        "types": LogType.choices,
        "date_ranges": DATE_RANGE_LABELS,
        "export_query": request.GET.urlencode(),
        "export_limit": selectors.EXPORT_LIMIT,
    }
    template = "console/logs/results.html" if is_htmx(request) else "console/logs/list.html"
    return render(request, template, context)


@require_GET
@console_view(LOGS)
def log_detail(request: HttpRequest, log_id: uuid.UUID) -> HttpResponse:
    ctx = console(request)
    row = selectors.log_get(org=ctx.org, log_id=log_id)
    retry = console_selectors.retryable_messages(org=ctx.org, logs=[row]) if ctx.can_manage else {}
    context = {
        "row": row,
        "related": selectors.related_logs(log=row),
        "message_id": console_selectors.message_id_of(row),
        "retry_message_id": retry.get(str(row.pk)),
    }
    return render(request, "console/logs/detail.html", context)


@require_GET
@console_view(LOGS)
def log_export(request: HttpRequest) -> StreamingHttpResponse:
    """The filtered rows as CSV (UTF-8 with BOM, at most 10,000 rows, no bodies)."""
    filters = selectors.parse_filters(request.GET)
    qs = selectors.log_search(org=console(request).org, filters=filters)
    chunks = (chunk.encode("utf-8") for chunk in selectors.log_export_csv(qs=qs))
    response = StreamingHttpResponse(chunks, content_type="text/csv; charset=utf-8")
    stamp = timezone.now().strftime("%Y%m%d-%H%M%S")
    response["Content-Disposition"] = f'attachment; filename="integration-logs-{stamp}.csv"'
    response["Cache-Control"] = "no-store"
    return response
