"""The integrations dashboard (FR-INT-001) and its JSON twins for scripts and monitors."""

from __future__ import annotations

from datetime import datetime

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.dateparse import parse_datetime
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from monopilot.console import selectors
from monopilot.console.access import VIEW, console, console_view
from monopilot.console.htmx import is_htmx
from monopilot.integration_logs.models import IntegrationLog


def _new_since(request: HttpRequest, rows: list[IntegrationLog]) -> int:
    """How many feed rows are newer than what the page showed before this refresh."""
    since: datetime | None = parse_datetime(request.GET.get("since", "") or "")
    if since is None:
        return 0
    return sum(1 for row in rows if row.timestamp > since)


@require_GET
@never_cache
@console_view(VIEW)
def dashboard(request: HttpRequest) -> HttpResponse:
    ctx = console(request)
    board = selectors.dashboard(org=ctx.org)
    feed = board.activity.data or []
    retry = selectors.retryable_messages(org=ctx.org, logs=feed) if ctx.can_manage else {}
    for row in feed:
        row.retry_message_id = retry.get(str(row.pk))
    context = {
        "board": board,
        "feed": feed,
        "newest": feed[0].timestamp.isoformat() if feed else "",
        "new_events": _new_since(request, feed),
    }
    if is_htmx(request):
        return render(request, "console/partials/dashboard_panels.html", context)
    return render(request, "console/dashboard.html", context)


@require_GET
@never_cache
@console_view(VIEW, as_json=True)
def dashboard_api(request: HttpRequest) -> JsonResponse:
    board = selectors.dashboard(org=console(request).org)
    return JsonResponse(selectors.dashboard_json(board))


@require_GET
@never_cache
@console_view(VIEW, as_json=True)
def health_api(request: HttpRequest) -> JsonResponse:
    board = selectors.dashboard(org=console(request).org)
    return JsonResponse(selectors.health_json(board))
