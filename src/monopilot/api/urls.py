"""URLs of /api/v1: Ninja's patterns, each wrapped by the gateway (docs stay public)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.urls import URLPattern, URLResolver, re_path

from monopilot.api.errors import not_found
from monopilot.api.gateway import error_response, gateway
from monopilot.api.main import api

PUBLIC = {"openapi-json", "openapi-view"}


def _unknown(request: HttpRequest) -> HttpResponse:
    return error_response(not_found("Endpoint"))


def _patterns() -> list[URLPattern | URLResolver]:
    patterns, _app, _ns = api.urls
    out: list[URLPattern | URLResolver] = []
    for pattern in patterns:
        if isinstance(pattern, URLPattern) and pattern.name not in PUBLIC:
            pattern.callback = gateway(pattern.callback)
        out.append(pattern)
    out.append(re_path(r"^[\s\S]*$", _unknown))  # [\s\S]: a newline in the path is ours too
    return out


app_name = "api-v1"
urlpatterns = _patterns()
