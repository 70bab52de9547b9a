"""The front door of /api/v1: wraps every API view (it is the API's middleware).

Order (FR-INT-002 AC-11, data model §3): key → 401 | module gate → 402 | IP allow-list →
403 | rate limit → 429 | (endpoint: scope → 403, tenant → 404) | idempotency replay.
After the view: rate-limit headers on every response, usage counted in memory, one
integration-log row handed to the background writer. Nothing here waits on a write.
"""

from __future__ import annotations

import hashlib
import json
import logging
import time
from collections.abc import Callable
from functools import wraps
from typing import Any
from uuid import UUID

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.db import IntegrityError, transaction
from django.http import HttpRequest, HttpResponse, JsonResponse

from monopilot.api.context import ApiPrincipal
from monopilot.api.errors import ApiError
from monopilot.api.models import IdempotencyRecord
from monopilot.apikeys.ratelimit import get_limiter
from monopilot.apikeys.tiers import TIERS, Tier
from monopilot.apikeys.usage import recorder
from monopilot.apikeys.verify import authenticate, known_key_id
from monopilot.integration_logs.services import log_integration

logger = logging.getLogger(__name__)

View = Callable[..., HttpResponse]
LOGGED_HEADERS = ("Authorization", "X-API-Key", "Idempotency-Key", "Content-Type", "User-Agent")
MAX_LOGGED_BODY = 16_000


def client_ip(request: HttpRequest) -> str:
    if getattr(settings, "MONOPILOT_USE_X_FORWARDED_FOR", False):
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        if forwarded:  # the right-most address is the one our own proxy saw
            return forwarded.split(",")[-1].strip()
    return str(request.META.get("REMOTE_ADDR", ""))


def presented_key(request: HttpRequest) -> str | None:
    header = request.META.get("HTTP_AUTHORIZATION", "")
    if header:
        scheme, _, token = header.partition(" ")
        return token.strip() if scheme.lower() == "bearer" else ""
    return request.META.get("HTTP_X_API_KEY")


def error_response(err: ApiError) -> HttpResponse:
    response = JsonResponse(err.body(), status=err.status)
    for name, value in err.headers.items():
        response[name] = value
    return response


def gateway(view: View) -> View:
    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        started = time.perf_counter()
        ip = client_ip(request)
        raw = presented_key(request)
        who: ApiPrincipal | None = None
        try:
            if raw is None:
                raise ApiError(401, "missing_api_key", "API key required")
            verified = authenticate(raw, ip)
            who = verified.principal
            request.auth = who  # type: ignore[attr-defined]
            try:
                _refuse_unstorable_text(request)
            except RequestDataTooBig as exc:
                raise ApiError(
                    400, "request_too_large", "The request body is too large", {"field": "(body)"}
                ) from exc
            response = _idempotent(request, who, lambda: view(request, *args, **kwargs))
            if response.status_code == 405:  # Ninja answers in plain text
                response = _not_allowed(response)
            for name, value in verified.rate.headers().items():
                response[name] = value
        except ApiError as err:
            if err.status != 429:  # refused at the door: count it against the client IP
                err = _limit_anonymous(err, ip)
            response = error_response(err)
        _after(request, response, who, raw, ip, started)
        return response

    return wrapped


def _not_allowed(plain: HttpResponse) -> HttpResponse:
    allow = plain.get("Allow", "")
    response = error_response(
        ApiError(405, "method_not_allowed", "Method not allowed", {"allowed": allow})
    )
    response["Allow"] = allow
    return response


def _limit_anonymous(err: ApiError, ip: str) -> ApiError:
    """Calls refused at the door (401/402/403) count per client IP (standard tier): key
    guessing is throttled too, and these answers also carry rate-limit headers."""
    decision = get_limiter().hit(f"anon:{ip}", TIERS[Tier.STANDARD])
    if not decision.allowed:
        return ApiError(
            429,
            "rate_limited",
            "Rate limit exceeded",
            {"retry_after": decision.retry_after},
            headers=decision.headers(),
        )
    err.headers.update(decision.headers())
    return err


# --- text the databases cannot store ------------------------------------------------------


def _bad_text(value: str) -> bool:
    """NUL (PostgreSQL text and jsonb refuse it) or a lone surrogate (not encodable)."""
    if "\x00" in value:
        return True
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def _walk(value: Any, where: str) -> str | None:
    if isinstance(value, str):
        return where if _bad_text(value) else None
    if isinstance(value, dict):
        for key, item in value.items():
            found = _walk(key, where) or _walk(item, f"{where}.{key}" if where else str(key))
            if found is not None:
                return found
    if isinstance(value, list):
        for index, item in enumerate(value):
            found = _walk(item, f"{where}[{index}]")
            if found is not None:
                return found
    return None


def _refuse_unstorable_text(request: HttpRequest) -> None:
    """422 for text no database can store, instead of a 500 deep inside a service."""
    where = None
    if _bad_text(request.path):
        where = "(path)"
    else:
        for name, values in request.GET.lists():
            if _bad_text(name) or any(_bad_text(v) for v in values):
                where = name if not _bad_text(name) else "(query)"
                break
    body = request.body if request.method in ("POST", "PUT", "PATCH") else b""
    if where is None and body and (b"\\u0000" in body or b"\\ud" in body.lower()):
        try:
            where = _walk(json.loads(body), "")
        except ValueError:
            where = None  # Ninja reports malformed JSON itself
    if where is not None:
        field = where or "(body)"
        raise ApiError(
            422,
            "validation_error",
            f"{field}: text must not contain NUL characters or unpaired surrogates",
            {"fields": [{"field": field, "message": "invalid text", "type": "invalid_text"}]},
        )


# --- idempotency ----------------------------------------------------------------------------


def _idempotent(
    request: HttpRequest, who: ApiPrincipal, call: Callable[[], HttpResponse]
) -> HttpResponse:
    key = request.headers.get("Idempotency-Key")
    if request.method != "POST" or not key:
        return call()
    if len(key) > 255:
        raise ApiError(
            400,
            "invalid_idempotency_key",
            "Idempotency-Key must be at most 255 characters",
            {"field": "Idempotency-Key"},
        )
    fingerprint = hashlib.sha256(
        request.method.encode() + b" " + request.path.encode() + b"\n" + request.body
    ).hexdigest()
    try:
        with transaction.atomic():
            record = IdempotencyRecord.objects.create(
                org=who.org, key=key, fingerprint=fingerprint, api_key_id=who.key_id
            )
    except IntegrityError:
        return _replay(who, key, fingerprint)
    response = call()
    if 200 <= response.status_code < 300:
        record.state, record.status_code = "done", response.status_code
        record.response_body = response.content.decode()
        record.save(update_fields=["state", "status_code", "response_body"])
    else:  # a refused or failed request frees the key for a corrected retry
        IdempotencyRecord.objects.filter(pk=record.pk).delete()
    return response


def _replay(who: ApiPrincipal, key: str, fingerprint: str) -> HttpResponse:
    record = IdempotencyRecord.objects.filter(org=who.org, key=key).first()
    if record is None:  # freed meanwhile; tell the client to retry rather than guess
        raise ApiError(
            409, "idempotency_conflict", "Retry the request", {"field": "Idempotency-Key"}
        )
    if record.fingerprint != fingerprint:
        raise ApiError(
            409,
            "idempotency_key_reused",
            "Idempotency-Key was already used with a different request",
            {"field": "Idempotency-Key"},
        )
    if record.state != "done":
        raise ApiError(
            409,
            "idempotency_in_progress",
            "A request with this Idempotency-Key is still being processed",
            {"field": "Idempotency-Key"},
        )
    response = HttpResponse(
        record.response_body, status=record.status_code or 200, content_type="application/json"
    )
    response["Idempotent-Replayed"] = "true"
    return response


# --- after the response -----------------------------------------------------------------


def _after(
    request: HttpRequest,
    response: HttpResponse,
    who: ApiPrincipal | None,
    raw: str | None,
    ip: str,
    started: float,
) -> None:
    try:
        org_id, key_id = _owner(who, raw)
        if who is not None and who.key_id is not None:
            recorder().record(key_id=who.key_id, org_id=who.org.pk, ip=ip)
        if org_id is None:
            logger.info(
                "api call without a known key: %s %s -> %s",
                request.method,
                request.path,
                response.status_code,
            )
            return
        _log(request, response, org_id, key_id, ip, started)
    except Exception:  # bookkeeping must never turn a good answer into a 500
        logger.exception("api bookkeeping failed")


def _owner(who: ApiPrincipal | None, raw: str | None) -> tuple[UUID | None, UUID | None]:
    if who is not None:
        return who.org.pk, who.key_id
    known = known_key_id(raw) if raw else None
    return (known[1], known[0]) if known else (None, None)


def _log(
    request: HttpRequest,
    response: HttpResponse,
    org_id: UUID,
    key_id: UUID | None,
    ip: str,
    started: float,
) -> None:
    status = response.status_code
    outcome = "success" if status < 400 else ("warning" if status == 429 else "error")
    route = getattr(request.resolver_match, "route", "") or request.path
    request_body: dict[str, Any] = {
        "method": request.method,
        "path": request.path,
        "query": request.META.get("QUERY_STRING", ""),
        "headers": {h: request.headers[h] for h in LOGGED_HEADERS if h in request.headers},
        "ip": ip,
    }
    if request.method in ("POST", "PUT", "PATCH"):
        request_body["body"] = _json_or_text(request.body)
    # Bodies of successful reads are not copied: they are large and reproducible.
    response_body = None
    if status >= 400 or request.method != "GET":
        response_body = _json_or_text(getattr(response, "content", b""))
    log_integration(
        org=org_id,
        defer=True,
        integration_type="api",
        direction="inbound",
        status=outcome,
        event_type=f"{request.method} /{route}",
        http_status=status,
        request_body=request_body,
        response_body=response_body,
        api_key_id=key_id,
        duration_ms=int((time.perf_counter() - started) * 1000),
        error_message=_error_message(response_body) if status >= 400 else "",
    )


def _json_or_text(raw: bytes) -> Any:
    if not raw:
        return None
    if len(raw) > MAX_LOGGED_BODY:
        return _storable(raw[:MAX_LOGGED_BODY].decode(errors="replace") + "…")
    try:
        return _storable(json.loads(raw))
    except ValueError:
        return _storable(raw.decode(errors="replace"))


def _storable(value: Any) -> Any:
    """The log keeps what was sent, minus what jsonb cannot hold (NUL, lone surrogates)."""
    if isinstance(value, str):
        if not _bad_text(value):
            return value
        return value.replace("\x00", "\ufffd").encode("utf-8", "replace").decode("utf-8")
    if isinstance(value, dict):
        return {_storable(k): _storable(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_storable(v) for v in value]
    return value


def _error_message(body: Any) -> str:
    if isinstance(body, dict) and isinstance(body.get("error"), dict):
        return str(body["error"].get("message", ""))
    return ""
