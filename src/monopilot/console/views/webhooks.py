"""Webhook screens (FR-INT-006/007): endpoints, secret shown once, test send, deliveries."""

from __future__ import annotations

import json
import uuid
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from monopilot.console.access import MANAGE, VIEW, console, console_view
from monopilot.console.htmx import is_htmx
from monopilot.console.views.base import safe_next
from monopilot.events import catalogue
from monopilot.outbox.errors import ServiceError
from monopilot.webhooks import selectors, services
from monopilot.webhooks.models import Endpoint, Ordering
from monopilot.webhooks.validation import RETRY_POLICIES

DELIVERY_STATUSES = ("pending", "held", "delivered", "dead")


def event_groups(chosen: list[str]) -> list[dict[str, Any]]:
    """The catalogue grouped by the part before the first dot (order.*, shipment.*, …)."""
    groups: dict[str, list[dict[str, Any]]] = {}
    for event_type in catalogue.all_types():
        group = event_type.name.split(".", 1)[0]
        groups.setdefault(group, []).append(
            {
                "name": event_type.name,
                "description": event_type.description,
                "checked": event_type.name in chosen,
            }
        )
    return [{"label": label, "events": events} for label, events in sorted(groups.items())]


def parse_headers(text: str) -> tuple[dict[str, str], str]:
    """'Name: value' per line; a line without a colon is an error naming the line."""
    headers: dict[str, str] = {}
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        name, sep, value = line.partition(":")
        if not sep or not name.strip():
            return {}, _("Line %(n)d: write headers as 'Name: value'") % {"n": number}
        headers[name.strip()] = value.strip()
    return headers, ""


# Whole-number fields of the form and their value when left blank.
INT_FIELDS: dict[str, int | None] = {
    "max_retries": None,  # the policy's default
    "timeout_seconds": None,  # the server's default (30 s)
    "rate_limit": None,  # no limit
    "max_concurrency": 20,
}


def _form_values(request: HttpRequest) -> dict[str, Any]:
    """What was typed, as typed (shown again with the errors)."""
    post = request.POST
    values: dict[str, Any] = {
        "name": post.get("name", ""),
        "description": post.get("description", ""),
        "url": post.get("url", ""),
        "event_types": post.getlist("event_types"),
        "retry_policy": post.get("retry_policy", "exponential"),
        "ordering": post.get("ordering", Ordering.NONE),
        "headers_text": post.get("headers_text", ""),
        "payload_filter_text": post.get("payload_filter_text", ""),
    }
    values.update({name: post.get(name, "").strip() for name in INT_FIELDS})
    return values


def parse_filter(text: str) -> tuple[dict[str, Any] | None, str]:
    """The payload filter as JSON; an error says where the JSON breaks."""
    if not text.strip():
        return None, ""
    try:
        value = json.loads(text)
    except json.JSONDecodeError as exc:
        return None, _("Not valid JSON at line %(line)d, column %(col)d: %(msg)s") % {
            "line": exc.lineno,
            "col": exc.colno,
            "msg": exc.msg,
        }
    if not isinstance(value, dict):
        return None, _('Write the filter as an object, e.g. {"data.status": "shipped"}')
    return value, ""


def _form(
    request: HttpRequest,
    values: dict[str, Any],
    errors: dict[str, str],
    endpoint: Endpoint | None = None,
    status: int = 200,
) -> HttpResponse:
    context = {
        "endpoint": endpoint,
        "values": values,
        "errors": errors,
        "event_groups": event_groups(values.get("event_types") or []),
        "policies": RETRY_POLICIES,
        "orderings": Ordering.choices,
    }
    return render(request, "console/webhooks/form.html", context, status=status)


def _service_errors(exc: ServiceError) -> dict[str, str]:
    field = str(exc.details.get("field", "form")).split(".", 1)[0]
    return {field: exc.message}


def _service_input(values: dict[str, Any]) -> tuple[dict[str, Any], dict[str, str]]:
    errors: dict[str, str] = {}
    headers, header_error = parse_headers(values["headers_text"])
    if header_error:
        errors["headers"] = header_error
    payload_filter, filter_error = parse_filter(values["payload_filter_text"])
    if filter_error:
        errors["payload_filter"] = filter_error
    data: dict[str, Any] = {
        k: values[k]
        for k in ("name", "description", "url", "event_types", "retry_policy", "ordering")
    }
    for name, blank in INT_FIELDS.items():
        raw = str(values.get(name) or "").strip()
        try:
            data[name] = int(raw) if raw else blank
        except ValueError:
            errors[name] = _("Enter a whole number")
    data["headers"] = headers
    data["payload_filter"] = payload_filter
    return data, errors


@require_GET
@console_view(VIEW)
def endpoint_list(request: HttpRequest) -> HttpResponse:
    org = console(request).org
    endpoints = list(selectors.endpoint_list(org=org))
    pending = selectors.pending_by_endpoint(org=org)
    rows = [{"endpoint": e, "pending": pending.get(e.id, 0)} for e in endpoints]
    return render(request, "console/webhooks/list.html", {"rows": rows})


@never_cache
@require_http_methods(["GET", "POST"])
@console_view(MANAGE)
def endpoint_create(request: HttpRequest) -> HttpResponse:
    ctx = console(request)
    if request.method == "GET":
        values: dict[str, Any] = {
            "retry_policy": "exponential",
            "event_types": [],
            "headers_text": "",
            "max_concurrency": INT_FIELDS["max_concurrency"],
            "ordering": Ordering.NONE,
        }
        return _form(request, values, {})
    values = _form_values(request)
    data, errors = _service_input(values)
    if errors:
        return _form(request, values, errors, status=422)
    try:
        endpoint, secret = services.endpoint_create(org=ctx.org, by=ctx.user, **data)
    except ServiceError as exc:
        return _form(request, values, _service_errors(exc), status=422)
    return render(
        request,
        "console/webhooks/secret.html",
        {"endpoint": endpoint, "secret": secret, "created": True},
    )


def _detail_context(request: HttpRequest, endpoint: Endpoint) -> dict[str, Any]:
    status = request.GET.get("status", "")
    status = status if status in DELIVERY_STATUSES else ""
    deliveries = selectors.deliveries(endpoint=endpoint, status=status or None)
    return {
        "endpoint": endpoint,
        "deliveries": [selectors.delivery_summary(m) for m in deliveries],
        "delivery_status": status,
        "statuses": DELIVERY_STATUSES,
        "pending": services.pending_count(endpoint),
        "headers": sorted(services.endpoint_headers(endpoint)),
    }


@require_GET
@console_view(VIEW)
def endpoint_detail(request: HttpRequest, endpoint_id: uuid.UUID) -> HttpResponse:
    endpoint = services.get_endpoint(org=console(request).org, endpoint_id=endpoint_id)
    return render(request, "console/webhooks/detail.html", _detail_context(request, endpoint))


@never_cache
@require_http_methods(["GET", "POST"])
@console_view(MANAGE)
def endpoint_edit(request: HttpRequest, endpoint_id: uuid.UUID) -> HttpResponse:
    endpoint = services.get_endpoint(org=console(request).org, endpoint_id=endpoint_id)
    if request.method == "GET":
        headers = services.endpoint_headers(endpoint)
        values: dict[str, Any] = {
            "name": endpoint.name,
            "description": endpoint.description,
            "url": endpoint.url,
            "event_types": list(endpoint.event_types),
            "retry_policy": endpoint.retry_policy,
            "max_retries": endpoint.max_retries,
            "timeout_seconds": endpoint.timeout_seconds,
            "rate_limit": endpoint.rate_limit,
            "max_concurrency": endpoint.max_concurrency,
            "ordering": endpoint.ordering,
            "headers_text": "\n".join(f"{k}: {v}" for k, v in headers.items()),
            "payload_filter_text": (
                json.dumps(endpoint.payload_filter, indent=2, ensure_ascii=False)
                if endpoint.payload_filter
                else ""
            ),
        }
        return _form(request, values, {}, endpoint)
    values = _form_values(request)
    data, errors = _service_input(values)
    if not errors:
        try:
            services.endpoint_update(endpoint=endpoint, **data)
        except ServiceError as exc:
            errors = _service_errors(exc)
    if errors:
        endpoint.refresh_from_db()
        return _form(request, values, errors, endpoint, status=422)
    messages.success(request, _("Webhook saved."))
    return HttpResponseRedirect(f"/integrations/webhooks/{endpoint.pk}")


@never_cache
@require_POST
@console_view(MANAGE)
def endpoint_test(request: HttpRequest, endpoint_id: uuid.UUID) -> HttpResponse:
    """Send the sample payload now; htmx swaps the result in place, without htmx a page."""
    endpoint = services.get_endpoint(org=console(request).org, endpoint_id=endpoint_id)
    result = services.endpoint_test(endpoint=endpoint)
    context = {"endpoint": endpoint, "result": result}
    if is_htmx(request):
        return render(request, "console/webhooks/test_result.html", context)
    return render(request, "console/webhooks/test_page.html", context)


@never_cache
@require_POST
@console_view(MANAGE)
def endpoint_action(request: HttpRequest, endpoint_id: uuid.UUID, action: str) -> HttpResponse:
    ctx = console(request)
    endpoint = services.get_endpoint(org=ctx.org, endpoint_id=endpoint_id)
    back = HttpResponseRedirect(safe_next(request, f"/integrations/webhooks/{endpoint.pk}"))
    try:
        if action == "pause":
            services.endpoint_pause(endpoint=endpoint)
            messages.success(request, _("Webhook paused: new events wait until you resume."))
        elif action == "resume":
            services.endpoint_resume(endpoint=endpoint)
            messages.success(request, _("Webhook resumed."))
        elif action == "delete":
            services.endpoint_delete(endpoint=endpoint)
            messages.success(request, _("Webhook deleted. Its past deliveries are kept."))
            return HttpResponseRedirect("/integrations/webhooks")
        elif action == "rotate":
            secret = services.endpoint_rotate_secret(endpoint=endpoint)
            context = {"endpoint": endpoint, "secret": secret, "created": False}
            return render(request, "console/webhooks/secret.html", context)
        elif action == "replay":
            services.delivery_replay(
                endpoint=endpoint, message_id=request.POST.get("message_id", ""), by=ctx.user.email
            )
            messages.success(request, _("Delivery replayed: it is queued to be sent again."))
        else:
            messages.error(request, _("Unknown action."))
    except ServiceError as exc:
        messages.error(request, exc.message)
    return back


@require_GET
@console_view(VIEW)
def delivery_detail(
    request: HttpRequest, endpoint_id: uuid.UUID, message_id: uuid.UUID
) -> HttpResponse:
    endpoint = services.get_endpoint(org=console(request).org, endpoint_id=endpoint_id)
    message = selectors.delivery_get(endpoint=endpoint, message_id=message_id)
    context = {
        "endpoint": endpoint,
        "message": message,
        "summary": selectors.delivery_summary(message),
        "attempts": selectors.attempts(message=message),
    }
    return render(request, "console/webhooks/delivery.html", context)
