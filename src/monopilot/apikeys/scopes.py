"""Scopes of DECISIONS: read:/write: x resources, plus four integration scopes.

Write implies read. A key never holds more than its creator's role allows: each scope
maps onto an upstream module permission (read needs R, write needs C or U).
"""

from __future__ import annotations

from collections.abc import Iterable

from monopilot.tenancy.roles import can

RESOURCES = ("products", "orders", "inventory", "production", "shipping", "invoices", "partners")
SPECIAL = ("webhook:manage", "edi:exchange", "export:run", "import:run")
ALL_SCOPES: tuple[str, ...] = (
    *(f"{verb}:{res}" for res in RESOURCES for verb in ("read", "write")),
    *SPECIAL,
)

# resource/scope -> upstream module whose permission bounds it
_MODULE = {
    "products": "technical",
    "orders": "planning",
    "inventory": "warehouse",
    "production": "production",
    "shipping": "shipping",
    "invoices": "finance",
    "partners": "planning",
    "webhook:manage": "integrations",
    "edi:exchange": "integrations",
    "export:run": "integrations",
    "import:run": "integrations",
}


class ScopeError(ValueError):
    pass


def normalize(scopes: Iterable[str]) -> list[str]:
    """Validated, de-duplicated, sorted; each write scope adds its read scope."""
    wanted = {s.strip() for s in scopes if s and s.strip()}
    if not wanted:
        raise ScopeError("At least one scope is required")
    unknown = sorted(wanted - set(ALL_SCOPES))
    if unknown:
        raise ScopeError(f"Unknown scope: {', '.join(unknown)}")
    for scope in list(wanted):
        if scope.startswith("write:"):
            wanted.add("read:" + scope.removeprefix("write:"))
    return sorted(wanted)


def role_allows(role: str, scope: str) -> bool:
    if scope in SPECIAL:
        return can(role, _MODULE[scope], "C")
    verb, resource = scope.split(":", 1)
    module = _MODULE[resource]
    if verb == "read":
        return can(role, module, "R")
    return can(role, module, "C") or can(role, module, "U")


def beyond_role(role: str, scopes: Iterable[str]) -> list[str]:
    return [s for s in scopes if not role_allows(role, s)]
