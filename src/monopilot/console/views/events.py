"""The event catalogue (FR-INT-007): every type with its version, JSON Schema and example."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from monopilot.console.access import VIEW, console_view
from monopilot.events import catalogue


def _groups(types: list[catalogue.EventType]) -> list[tuple[str, list[catalogue.EventType]]]:
    grouped: dict[str, list[catalogue.EventType]] = {}
    for event_type in types:
        grouped.setdefault(event_type.name.split(".", 1)[0], []).append(event_type)
    return sorted(grouped.items())


@require_GET
@console_view(VIEW)
def event_list(request: HttpRequest) -> HttpResponse:
    q = (request.GET.get("q") or "").strip().lower()
    types = [t for t in catalogue.all_types() if not q or q in t.name or q in t.description.lower()]
    return render(
        request, "console/events/list.html", {"groups": _groups(types), "q": q, "count": len(types)}
    )


@require_GET
@console_view(VIEW)
def event_detail(request: HttpRequest, name: str) -> HttpResponse:
    try:
        event_type = catalogue.get(name)
    except catalogue.UnknownEventType as exc:
        raise Http404("Unknown event type") from exc
    return render(request, "console/events/detail.html", {"event": event_type})
