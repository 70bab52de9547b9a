"""Interactive docs served from our own static files.

Ninja renders its CDN template when "ninja" is not in INSTALLED_APPS (our case), which
would load Swagger UI from jsdelivr. The house rule is no CDN, so the Swagger UI assets of
the pinned Ninja release are vendored under api/static/api/swagger/ and rendered here.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from ninja.openapi.docs import Swagger

if TYPE_CHECKING:
    from ninja import NinjaAPI


class LocalSwagger(Swagger):
    template = "api/swagger.html"

    def render_page(self, request: HttpRequest, api: NinjaAPI, **kwargs: Any) -> HttpResponse:
        self.settings["url"] = self.get_openapi_url(api, kwargs)
        context = {"swagger_settings": json.dumps(self.settings), "api": api}
        response = render(request, self.template, context)
        # Only our own origin may serve script and style on this page.
        response["Content-Security-Policy"] = (
            "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'"
        )
        return response
