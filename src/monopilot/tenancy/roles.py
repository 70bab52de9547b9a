"""Roles and the per-module permission map (upstream `roles.permissions`, plus DECISIONS).

Upstream stores the map as JSON on a global roles table; the roles are system roles that
cannot be edited, so a constant is the faithful and simpler stand-in.
"""

from __future__ import annotations

from django.db import models


class Role(models.TextChoices):
    OWNER = "owner", "Owner"
    ADMIN = "admin", "Administrator"
    PRODUCTION_MANAGER = "production_manager", "Production manager"
    QUALITY_MANAGER = "quality_manager", "Quality manager"
    WAREHOUSE_MANAGER = "warehouse_manager", "Warehouse manager"
    PRODUCTION_OPERATOR = "production_operator", "Production operator"
    QUALITY_INSPECTOR = "quality_inspector", "Quality inspector"
    WAREHOUSE_OPERATOR = "warehouse_operator", "Warehouse operator"
    PLANNER = "planner", "Planner"
    VIEWER = "viewer", "Viewer"
    IT_MANAGER = "it_manager", "IT manager"
    ACCOUNTANT = "accountant", "Accountant"


MODULES = (
    "settings", "users", "technical", "planning", "production", "quality",
    "warehouse", "shipping", "npd", "finance", "oee", "integrations",
)  # fmt: skip

_ALL_CRUD = {module: "CRUD" for module in MODULES}

# Upstream seeds (supabase migrations 004/007) for the modules the integrations touch,
# plus it_manager and accountant from DECISIONS. Viewer gets "-" on integrations: the
# stories answer 403 to VIEWER on the dashboard and DECISIONS maps VIEWER to "others".
PERMISSIONS: dict[str, dict[str, str]] = {
    Role.OWNER: _ALL_CRUD,
    Role.ADMIN: _ALL_CRUD,
    Role.PRODUCTION_MANAGER: {
        **{m: "R" for m in MODULES},
        "production": "CRUD", "planning": "CRU", "quality": "CRU", "integrations": "R",
    },
    Role.QUALITY_MANAGER: {**{m: "R" for m in MODULES}, "quality": "CRUD", "integrations": "-"},
    Role.WAREHOUSE_MANAGER: {
        **{m: "R" for m in MODULES}, "warehouse": "CRUD", "shipping": "CRUD", "integrations": "-",
    },
    Role.PRODUCTION_OPERATOR: {"production": "CRU", "technical": "R", "warehouse": "R"},
    Role.QUALITY_INSPECTOR: {"quality": "CRU", "technical": "R"},
    Role.WAREHOUSE_OPERATOR: {"warehouse": "CRU", "shipping": "CRU", "technical": "R"},
    Role.PLANNER: {"planning": "CRUD", "technical": "R", "production": "R", "warehouse": "R"},
    Role.VIEWER: {**{m: "R" for m in MODULES}, "integrations": "-", "users": "-"},
    Role.IT_MANAGER: {"integrations": "R", "settings": "R"},
    Role.ACCOUNTANT: {"integrations": "R", "finance": "CRUD", "shipping": "R", "planning": "R"},
}  # fmt: skip

# Integration capabilities beyond plain CRUD, from DECISIONS and the stories.
CAPABILITIES: dict[str, frozenset[str]] = {
    "integrations.view": frozenset(
        {Role.OWNER, Role.ADMIN, Role.IT_MANAGER, Role.ACCOUNTANT, Role.PRODUCTION_MANAGER}
    ),
    "integrations.manage": frozenset({Role.OWNER, Role.ADMIN}),
    "integrations.logs": frozenset({Role.OWNER, Role.ADMIN, Role.IT_MANAGER}),
    "finance.mapping": frozenset({Role.OWNER, Role.ADMIN, Role.ACCOUNTANT}),
    "export.basic": frozenset(set(Role) - {Role.PRODUCTION_OPERATOR, Role.QUALITY_INSPECTOR}),
}


def permission(role: str, module: str) -> str:
    """The upstream permission string ('CRUD', 'R', '-', …) of a role on a module."""
    return PERMISSIONS.get(role, {}).get(module, "-")


def can(role: str, module: str, action: str) -> bool:
    """action is one of C, R, U, D."""
    granted = permission(role, module)
    return granted != "-" and action in granted


def has_capability(role: str, capability: str) -> bool:
    return role in CAPABILITIES.get(capability, frozenset())
