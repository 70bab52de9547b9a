from __future__ import annotations

import json
from typing import Any

from django import template
from django.utils import timezone
from django.utils.timesince import timesince
from django.utils.translation import gettext

from monopilot.console.nav import NAV, is_active, path_exists
from monopilot.tenancy.roles import has_capability

register = template.Library()


@register.inclusion_tag("console/partials/nav.html", takes_context=True)
def console_nav(context: dict[str, Any]) -> dict[str, Any]:
    request = context["request"]
    ctx = getattr(request, "console", None)
    role = ctx.role if ctx else ""
    all_paths = [item.path for group in NAV for item in group.items]
    groups = []
    for group in NAV:
        items = [
            {
                "label": item.label,
                "path": item.path,
                "active": is_active(item.path, request.path, all_paths),
                "enabled": not item.slot or path_exists(item.path),
            }
            for item in group.items
            if has_capability(role, item.capability)
        ]
        if items:
            groups.append({"label": group.label, "items": items})
    return {"groups": groups}


@register.filter
def pretty_json(value: Any) -> str:
    """Bodies as indented JSON; text stays text."""
    if value is None or value == "":
        return ""
    if isinstance(value, (bytes, memoryview)):
        value = bytes(value).decode("utf-8", "replace")
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError:
            return value
    return json.dumps(value, indent=2, ensure_ascii=False, sort_keys=True, default=str)


@register.filter
def ago(value: Any) -> str:
    """'3 minutes ago' / 'just now' (one unit, translated); future times read 'in …'."""
    if not value:
        return ""
    now = timezone.now()
    if abs((now - value).total_seconds()) < 60:
        return gettext("just now")
    if value > now:
        return gettext("in %(time)s") % {"time": timesince(now, value, depth=1)}
    return gettext("%(time)s ago") % {"time": timesince(value, now, depth=1)}


@register.simple_tag(takes_context=True)
def query_with(context: dict[str, Any], **changes: Any) -> str:
    """The current query string with some parameters replaced (pagination links)."""
    params = context["request"].GET.copy()
    for key, value in changes.items():
        if value in (None, ""):
            params.pop(key, None)
        else:
            params[key] = value
    encoded = params.urlencode()
    return f"?{encoded}" if encoded else ""


@register.filter
def masked(value: Any) -> Any:
    """Secrets replaced the same way the integration log masks them (defence in depth)."""
    from monopilot.integration_logs.masking import mask

    return mask(value)
