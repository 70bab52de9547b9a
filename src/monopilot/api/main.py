"""The NinjaAPI of /api/v1: auth declaration, error shape and routers.

Authentication itself happens in gateway.py (around every view); the auth classes here
hand Ninja the principal the gateway found and describe both headers in OpenAPI.
"""

from __future__ import annotations

import importlib
import logging
from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, HttpRequest, HttpResponse
from ninja import NinjaAPI, Router
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.security import APIKeyHeader, HttpBearer

from monopilot.api.context import ApiPrincipal
from monopilot.api.docs import LocalSwagger
from monopilot.api.errors import ApiError
from monopilot.api.schemas import ERROR_CODES, ErrorOut

logger = logging.getLogger(__name__)

DESCRIPTION = """Public REST API of MonoPilot Integrations.

Authenticate with `Authorization: Bearer mp_live_…` (or `X-API-Key: mp_live_…`); the
organisation comes from the key. Every response carries `X-RateLimit-Limit`,
`X-RateLimit-Remaining` and `X-RateLimit-Reset`; over the limit the API answers 429 with
`Retry-After`. Errors are always `{"error": {"code", "message", "details"}}`. POST accepts
an `Idempotency-Key` header. Lists use cursor pagination (`cursor`, `limit`, `ordering`).
"""


def _principal(request: HttpRequest) -> ApiPrincipal | None:
    auth = getattr(request, "auth", None)
    return auth if isinstance(auth, ApiPrincipal) else None


class BearerKey(HttpBearer):
    def __call__(self, request: HttpRequest) -> ApiPrincipal | None:
        return _principal(request)

    def authenticate(self, request: HttpRequest, token: str) -> ApiPrincipal | None:
        return _principal(request)


class HeaderKey(APIKeyHeader):
    param_name = "X-API-Key"

    def __call__(self, request: HttpRequest) -> ApiPrincipal | None:
        return _principal(request)

    def authenticate(self, request: HttpRequest, key: str | None) -> ApiPrincipal | None:
        return _principal(request)


class MonoPilotAPI(NinjaAPI):
    """NinjaAPI whose OpenAPI document declares the gateway's errors on every operation.

    The gateway can answer 401/402/403/429 (and the error handlers 400/404/409/422) for
    any endpoint, including routers of other apps that only declare their success
    responses; the document must say so for clients and for schemathesis.
    """

    def get_openapi_schema(self, **kwargs: Any) -> Any:
        schema = super().get_openapi_schema(**kwargs)
        components = schema.setdefault("components", {}).setdefault("schemas", {})
        if "ErrorOut" not in components:
            components["ErrorOut"] = ErrorOut.model_json_schema(
                ref_template="#/components/schemas/{model}"
            )
            for name, sub in components["ErrorOut"].pop("$defs", {}).items():
                components.setdefault(name, sub)
        ref = {"$ref": "#/components/schemas/ErrorOut"}
        for methods in schema.get("paths", {}).values():
            for operation in methods.values():
                responses = operation.setdefault("responses", {})
                for code in (*ERROR_CODES, 500):
                    responses.setdefault(
                        code,
                        {
                            "description": _REASONS.get(code, "Error"),
                            "content": {"application/json": {"schema": ref}},
                        },
                    )
        return schema


_REASONS = {
    400: "Bad request",
    401: "Missing or invalid API key",
    402: "Integrations module disabled",
    403: "Insufficient scope or IP not allowed",
    404: "Not found",
    409: "Conflict",
    422: "Validation error",
    429: "Rate limit exceeded",
    500: "Internal error",
}


api = MonoPilotAPI(
    title="MonoPilot Integrations API",
    version="1.0.0",
    description=DESCRIPTION,
    urls_namespace="api-v1",
    auth=[BearerKey(), HeaderKey()],
    docs=LocalSwagger(),
    docs_url="/docs",
    openapi_url="/openapi.json",
)


# --- one error shape for everything --------------------------------------------------------


def render(request: HttpRequest, err: ApiError) -> HttpResponse:
    response = api.create_response(request, err.body(), status=err.status)
    for name, value in err.headers.items():
        response[name] = value
    return response


@api.exception_handler(ApiError)
def _api_error(request: HttpRequest, exc: ApiError) -> HttpResponse:
    return render(request, exc)


def _field(loc: Any) -> str:
    parts = [str(p) for p in (loc or ())]
    if parts and parts[0] in ("body", "query", "path", "header", "form"):
        source = parts.pop(0)
        if source == "body" and len(parts) > 1:
            parts.pop(0)  # the name of the endpoint's payload argument
    return ".".join(parts) or "(request)"


@api.exception_handler(NinjaValidationError)
def _validation(request: HttpRequest, exc: NinjaValidationError) -> HttpResponse:
    fields = [
        {"field": _field(e.get("loc")), "message": str(e.get("msg", "")), "type": e.get("type", "")}
        for e in exc.errors
    ]
    first = fields[0] if fields else {"field": "(request)", "message": "Invalid input"}
    message = f"{first['field']}: {first['message']}"
    return render(request, ApiError(422, "validation_error", message, {"fields": fields}))


@api.exception_handler(DjangoValidationError)
def _django_validation(request: HttpRequest, exc: DjangoValidationError) -> HttpResponse:
    return render(request, validation_from_django(exc))


def validation_from_django(exc: DjangoValidationError) -> ApiError:
    if hasattr(exc, "error_dict"):
        fields = [
            {"field": name, "message": " ".join(str(m) for m in errs), "type": "invalid"}
            for name, errs in exc.message_dict.items()
        ]
    else:
        fields = [{"field": "(request)", "message": " ".join(exc.messages), "type": "invalid"}]
    first = fields[0]
    bare = first["field"] in ("(request)", "__all__") or first["message"].startswith(
        f"{first['field']}:"
    )  # erp services already name the field in the message
    message = first["message"] if bare else f"{first['field']}: {first['message']}"
    return ApiError(422, "validation_error", message, {"fields": fields})


@api.exception_handler(AuthenticationError)
def _unauthenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    return render(request, ApiError(401, "missing_api_key", "API key required"))


@api.exception_handler(Http404)
def _not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    text = str(exc) or "Not found"
    return render(request, ApiError(404, "not_found", text[:1].upper() + text[1:]))


@api.exception_handler(PermissionDenied)
def _forbidden(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
    return render(request, ApiError(403, "forbidden", str(exc) or "Forbidden"))


@api.exception_handler(HttpError)
def _http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    code = {400: "bad_request", 404: "not_found", 405: "method_not_allowed"}.get(
        exc.status_code, "error"
    )
    return render(request, ApiError(exc.status_code, code, str(exc.message)))


@api.exception_handler(Exception)
def _crash(request: HttpRequest, exc: Exception) -> HttpResponse:
    logger.exception("unhandled error in %s %s", request.method, request.path)
    return render(request, ApiError(500, "internal_error", "Internal server error"))


# --- routers ----------------------------------------------------------------------------------


def _mount(prefix: str, module: str, attr: str = "router") -> None:
    """Mount a router that lives in another app. A missing router is a startup error."""
    router = getattr(importlib.import_module(module), attr)
    if not isinstance(router, Router):
        raise TypeError(f"{module}.{attr} is not a ninja Router")
    api.add_router(prefix, router)


def _register() -> None:
    from monopilot.api.routers import RESOURCE_ROUTERS

    for prefix, module, attr in RESOURCE_ROUTERS:
        _mount(prefix, module, attr)
    _mount("/webhooks", "monopilot.webhooks.api")
    _mount("/events", "monopilot.webhooks.api", "events_router")
    _mount("/retry-queue", "monopilot.outbox.api")
    _mount("/dead-letters", "monopilot.outbox.api", "dead_letters_router")
    _mount("", "monopilot.exchange.api")
    _mount("", "monopilot.edi.api")


_register()
