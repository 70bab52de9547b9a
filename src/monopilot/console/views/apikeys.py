"""API key screens (FR-INT-002/003): list, create (shown once), edit, lifecycle, usage.

All writes go through apikeys.services; a key's plaintext exists only in the response to
create/regenerate, which is never cached.
"""

from __future__ import annotations

import uuid
from datetime import datetime, time
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from monopilot.apikeys import scopes as scope_defs
from monopilot.apikeys import selectors, services
from monopilot.apikeys.models import ApiKey
from monopilot.apikeys.tiers import TIERS
from monopilot.console.access import MANAGE, VIEW, console, console_view
from monopilot.console.views.base import safe_next

RESOURCE_LABELS = {
    "products": gettext_lazy("Products"),
    "orders": gettext_lazy("Orders"),
    "inventory": gettext_lazy("Inventory"),
    "production": gettext_lazy("Production"),
    "shipping": gettext_lazy("Shipping"),
    "invoices": gettext_lazy("Invoices"),
    "partners": gettext_lazy("Partners"),
}
SPECIAL_LABELS = {
    "webhook:manage": gettext_lazy("Manage webhooks"),
    "edi:exchange": gettext_lazy("Exchange EDI messages"),
    "export:run": gettext_lazy("Run exports"),
    "import:run": gettext_lazy("Run imports"),
}


def scope_groups(role: str, chosen: list[str]) -> list[dict[str, Any]]:
    """Grouped checkboxes (FR-INT-003 UI); scopes beyond the user's role are disabled."""

    def box(scope: str, label: Any) -> dict[str, Any]:
        return {
            "value": scope,
            "label": label,
            "checked": scope in chosen,
            "allowed": scope_defs.role_allows(role, scope),
        }

    groups = [
        {
            "label": RESOURCE_LABELS[res],
            "boxes": [box(f"read:{res}", _("Read")), box(f"write:{res}", _("Write"))],
        }
        for res in scope_defs.RESOURCES
    ]
    groups.append(
        {
            "label": _("Integrations"),
            "boxes": [box(s, SPECIAL_LABELS[s]) for s in scope_defs.SPECIAL],
        }
    )
    return groups


def _parse_expiry(raw: str) -> tuple[datetime | None, str]:
    """A date in the form means 'valid through that day' (end of day, UTC)."""
    raw = (raw or "").strip()
    if not raw:
        return None, ""
    try:
        day = datetime.fromisoformat(raw).date()
    except ValueError:
        return None, _("Enter a date as YYYY-MM-DD")
    return datetime.combine(day, time(23, 59, 59), tzinfo=timezone.get_current_timezone()), ""


def _form_values(request: HttpRequest) -> dict[str, Any]:
    post = request.POST
    ips = post.get("allowed_ips", "").replace(",", "\n").split()
    return {
        "name": post.get("name", ""),
        "scopes": post.getlist("scopes"),
        "rate_limit_tier": post.get("rate_limit_tier", ""),
        "allowed_ips": [ip for ip in ips if ip.strip()],
    }


def _form_context(
    request: HttpRequest, values: dict[str, Any], errors: dict[str, str], key: ApiKey | None = None
) -> dict[str, Any]:
    ctx = console(request)
    return {
        "key": key,
        "values": values,
        "errors": errors,
        "scope_groups": scope_groups(ctx.role, values.get("scopes", [])),
        "tiers": [(name, limits.label) for name, limits in TIERS.items()],
        "org_tier": TIERS.get(ctx.org.default_rate_limit_tier, TIERS["basic"]).label,
        "allowed_ips_text": "\n".join(values.get("allowed_ips", [])),
    }


@require_GET
@console_view(VIEW)
def key_list(request: HttpRequest) -> HttpResponse:
    org = console(request).org
    status = request.GET.get("status", "")
    keys = selectors.api_key_list(org=org, include_revoked=status in ("revoked", "all"))
    if status in ("active", "suspended", "revoked"):
        keys = keys.filter(status=status)
    rows = [{"key": k, "row": selectors.masked_row(k)} for k in keys]
    return render(request, "console/apikeys/list.html", {"rows": rows, "status": status})


@never_cache
@require_http_methods(["GET", "POST"])
@console_view(MANAGE)
def key_create(request: HttpRequest) -> HttpResponse:
    ctx = console(request)
    if request.method == "GET":
        values: dict[str, Any] = {
            "name": "",
            "scopes": [],
            "rate_limit_tier": "",
            "allowed_ips": [],
            "environment": "live",
        }
        return render(request, "console/apikeys/form.html", _form_context(request, values, {}))
    values = _form_values(request)
    values["environment"] = request.POST.get("environment", "live")
    expires_at, date_error = _parse_expiry(request.POST.get("expires_on", ""))
    values["expires_on"] = request.POST.get("expires_on", "")
    if date_error:
        context = _form_context(request, values, {"expires_at": date_error})
        return render(request, "console/apikeys/form.html", context, status=422)
    try:
        issued = services.api_key_create(
            org=ctx.org,
            by=ctx.user,
            expires_at=expires_at,
            name=values["name"],
            scopes=values["scopes"],
            rate_limit_tier=values["rate_limit_tier"],
            allowed_ips=values["allowed_ips"],
            environment=values["environment"],
        )
    except services.ApiKeyError as exc:
        context = _form_context(request, values, {exc.field or "form": exc.message})
        return render(request, "console/apikeys/form.html", context, status=422)
    return render(request, "console/apikeys/issued.html", {"issued": issued, "created": True})


@require_GET
@console_view(VIEW)
def key_detail(request: HttpRequest, key_id: uuid.UUID) -> HttpResponse:
    key = selectors.api_key_get(org=console(request).org, key_id=key_id)
    context = {
        "key": key,
        "row": selectors.masked_row(key),
        "usage": selectors.api_key_usage(key=key),
        "tier": selectors.tier_label(key),
    }
    return render(request, "console/apikeys/detail.html", context)


@never_cache
@require_http_methods(["GET", "POST"])
@console_view(MANAGE)
def key_edit(request: HttpRequest, key_id: uuid.UUID) -> HttpResponse:
    ctx = console(request)
    key = selectors.api_key_get(org=ctx.org, key_id=key_id)
    if request.method == "GET":
        values: dict[str, Any] = {
            "name": key.name,
            "scopes": list(key.scopes),
            "rate_limit_tier": key.rate_limit_tier,
            "allowed_ips": list(key.allowed_ips),
            "expires_on": key.expires_at.date().isoformat() if key.expires_at else "",
        }
        return render(request, "console/apikeys/form.html", _form_context(request, values, {}, key))
    values = _form_values(request)
    values["expires_on"] = request.POST.get("expires_on", "")
    expires_at, date_error = _parse_expiry(request.POST.get("expires_on", ""))
    errors = {"expires_at": date_error} if date_error else {}
    if not errors:
        changes: dict[str, Any] = {
            k: values[k] for k in ("name", "scopes", "rate_limit_tier", "allowed_ips")
        }
        if expires_at != key.expires_at:
            changes["expires_at"] = expires_at
        try:
            services.api_key_update(key=key, by=ctx.user, **changes)
        except services.ApiKeyError as exc:
            errors = {exc.field or "form": exc.message}
    if errors:
        key.refresh_from_db()
        context = _form_context(request, values, errors, key)
        return render(request, "console/apikeys/form.html", context, status=422)
    messages.success(request, _("API key updated."))
    return HttpResponseRedirect(f"/integrations/api-keys/{key.pk}")


@never_cache
@require_POST
@console_view(MANAGE)
def key_action(request: HttpRequest, key_id: uuid.UUID, action: str) -> HttpResponse:
    ctx = console(request)
    key = selectors.api_key_get(org=ctx.org, key_id=key_id)
    back = HttpResponseRedirect(safe_next(request, f"/integrations/api-keys/{key.pk}"))
    try:
        if action == "suspend":
            services.api_key_suspend(key=key, by=ctx.user)
            messages.success(request, _("Key suspended: calls with it now answer 401."))
        elif action == "reactivate":
            services.api_key_reactivate(key=key, by=ctx.user)
            messages.success(request, _("Key reactivated."))
        elif action == "revoke":
            services.api_key_revoke(key=key, by=ctx.user, reason=request.POST.get("reason", ""))
            messages.success(request, _("Key revoked permanently."))
        elif action == "regenerate":
            issued = services.api_key_regenerate(key=key, by=ctx.user)
            return render(
                request, "console/apikeys/issued.html", {"issued": issued, "created": False}
            )
        else:
            messages.error(request, _("Unknown action."))
    except services.ApiKeyError as exc:
        messages.error(request, exc.message)
    return back
