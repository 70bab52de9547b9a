"""The EDI router on a tiny NinjaAPI (the real API mounts the same router)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, JsonResponse
from django.urls import path
from ninja import NinjaAPI
from ninja.security import APIKeyHeader

from monopilot.api.context import ApiPrincipal
from monopilot.api.errors import ApiError
from monopilot.edi.api import router
from monopilot.tenancy.models import Organization


class TestKey(APIKeyHeader):
    """`X-Test-Org: slug` authenticates as that organisation (scopes from X-Test-Scopes)."""

    param_name = "X-Test-Org"

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        org = Organization.objects.filter(slug=key or "").first()
        if org is None:
            return None
        scopes = request.headers.get("X-Test-Scopes", "edi:exchange").split()
        return ApiPrincipal(org=org, key_id=None, scopes=frozenset(scopes))


api = NinjaAPI(auth=TestKey(), urls_namespace="edi-test", version="edi-test")


@api.exception_handler(ApiError)
def _api_error(request: HttpRequest, exc: ApiError) -> JsonResponse:
    return JsonResponse(exc.body(), status=exc.status)


api.add_router("", router)
urlpatterns = [path("api/v1/", api.urls)]
