"""Who is calling: set on `request.auth` by the API-key authentication of /api/v1.

Routers of every app (webhooks, outbox, edi, exchange …) use `principal(request)` and
`require_scope(request, "webhook:manage")`; they never look at keys themselves.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any
from uuid import UUID

from django.http import HttpRequest

from monopilot.api.errors import ApiError
from monopilot.tenancy.models import Organization


@dataclass
class ApiPrincipal:
    org: Organization
    key_id: UUID | None
    scopes: frozenset[str]
    key_prefix: str = ""
    extra: dict[str, Any] = field(default_factory=dict)

    def has_scope(self, scope: str) -> bool:
        """Write implies read (DECISIONS): write:orders grants read:orders."""
        if scope in self.scopes:
            return True
        if scope.startswith("read:"):
            return "write:" + scope.removeprefix("read:") in self.scopes
        return False


def principal(request: HttpRequest) -> ApiPrincipal:
    auth = getattr(request, "auth", None)
    if not isinstance(auth, ApiPrincipal):
        raise ApiError(401, "unauthorized", "Invalid API key")
    return auth


def require_scope(request: HttpRequest, scope: str) -> ApiPrincipal:
    who = principal(request)
    if not who.has_scope(scope):
        raise ApiError(403, "insufficient_scope", f"Insufficient scope: {scope} required")
    return who
