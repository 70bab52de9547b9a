"""Retry queue (FR-INT-020) and dead-letter queue (FR-INT-021) over the shared outbox.

Actions (retry now, skip, replay, delete) call the outbox services, which audit every
touched message in the integration log; bulk actions end with a one-line result summary.
"""

from __future__ import annotations

import uuid
from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_POST

from monopilot.console.access import LOGS, console, console_view
from monopilot.console.selectors import optional_module
from monopilot.console.views.base import safe_next
from monopilot.tenancy.scoping import get_scoped

PAGE_SIZE = 50
KINDS = ("webhook", "comarch", "edi", "workflow")


def _outbox() -> Any:
    services = optional_module("monopilot.outbox.services")
    if services is None:  # pragma: no cover - the outbox app is part of the tree now
        raise RuntimeError("outbox app missing")
    return services


def _filtered(request: HttpRequest, qs: QuerySet[Any]) -> tuple[QuerySet[Any], dict[str, str]]:
    source = request.POST if request.method == "POST" else request.GET
    kind = source.get("kind", "")
    event_type = (source.get("event_type") or "").strip()[:100]
    if kind in KINDS:
        qs = qs.filter(kind=kind)
    if event_type:
        qs = qs.filter(event_type=event_type)
    return qs, {"kind": kind if kind in KINDS else "", "event_type": event_type}


def _page(request: HttpRequest, qs: QuerySet[Any]) -> Any:
    return Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))


@require_GET
@console_view(LOGS)
def retry_queue(request: HttpRequest) -> HttpResponse:
    qs = _outbox().retry_queue_qs(org=console(request).org).order_by("next_attempt_at", "seq")
    qs, filters = _filtered(request, qs)
    context = {"page": _page(request, qs), "filters": filters, "kinds": KINDS, "total": qs.count()}
    return render(request, "console/queues/retry.html", context)


@require_GET
@console_view(LOGS)
def dead_letters(request: HttpRequest) -> HttpResponse:
    qs = _outbox().dead_letters_qs(org=console(request).org).order_by("-dead_at", "-seq")
    qs, filters = _filtered(request, qs)
    context = {"page": _page(request, qs), "filters": filters, "kinds": KINDS, "total": qs.count()}
    return render(request, "console/queues/dead.html", context)


def _ids(request: HttpRequest) -> list[str]:
    """Selected ids; malformed ones are dropped (they could not match anything anyway)."""
    out = []
    for raw in request.POST.getlist("ids"):
        try:
            out.append(str(uuid.UUID(raw)))
        except ValueError:
            continue
    return out


def _summary(request: HttpRequest, done: int, asked: int, text: str) -> None:
    missed = asked - done
    line = text.format(n=done)
    if missed > 0:
        line += " " + ngettext(
            "%(m)d item was no longer in the queue.",
            "%(m)d items were no longer in the queue.",
            missed,
        ) % {"m": missed}
    (messages.success if done else messages.warning)(request, line)


@require_POST
@console_view(LOGS)
def retry_action(request: HttpRequest) -> HttpResponse:
    ctx = console(request)
    action, ids, by = request.POST.get("action"), _ids(request), ctx.user.email
    outbox = _outbox()
    if not ids:
        messages.warning(request, _("Select at least one message."))
    elif action == "retry_now":
        done = outbox.retry_now(org=ctx.org, ids=ids, by=by)
        _summary(
            request, done, len(ids), _("Bulk retry started: {n} queued for an immediate retry.")
        )
    elif action == "skip":
        done = outbox.skip(org=ctx.org, ids=ids, by=by)
        _summary(request, done, len(ids), _("{n} moved to the dead-letter queue."))
    else:
        messages.error(request, _("Unknown action."))
    return HttpResponseRedirect(safe_next(request, "/integrations/logs/retry-queue"))


@require_POST
@console_view(LOGS)
def dead_action(request: HttpRequest) -> HttpResponse:
    ctx = console(request)
    outbox, by = _outbox(), ctx.user.email
    action, ids = request.POST.get("action", ""), _ids(request)
    note = (request.POST.get("note") or "").strip()[:2000]
    by_filter = request.POST.get("scope") == "filter"
    qs, _filters = _filtered(request, outbox.dead_letters_qs(org=ctx.org))
    selection: dict[str, Any] = {"qs": qs} if by_filter else {"ids": ids}
    if not by_filter and not ids:
        messages.warning(request, _("Select at least one message."))
    elif action == "replay":
        done = outbox.replay(org=ctx.org, by=by, note=note, **selection)
        _summary(
            request,
            done,
            done if by_filter else len(ids),
            _("{n} replayed: back in the queue for delivery."),
        )
    elif action == "delete":
        done = outbox.delete_dead(org=ctx.org, by=by, **selection)
        _summary(
            request,
            done,
            done if by_filter else len(ids),
            _("{n} deleted. Their log rows are kept."),
        )
    else:
        messages.error(request, _("Unknown action."))
    return HttpResponseRedirect(safe_next(request, "/integrations/logs/dead-letter-queue"))


@require_GET
@console_view(LOGS)
def message_detail(request: HttpRequest, message_id: uuid.UUID) -> HttpResponse:
    models = optional_module("monopilot.outbox.models")
    message = get_scoped(models.Message, console(request).org, pk=message_id)  # type: ignore[union-attr]
    attempts = list(message.attempt_set.order_by("number", "started_at"))
    return render(
        request, "console/queues/message.html", {"message": message, "attempts": attempts}
    )
