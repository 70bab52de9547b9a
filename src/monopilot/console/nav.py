"""The console's left navigation (FR-INT-001 AC-5), with slots for screens built elsewhere.

A slot becomes a link as soon as something answers at its path (another team's app adds
its URLs); until then it is shown greyed out as "soon", so the menu never has dead links.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from django.urls import Resolver404, resolve
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class NavItem:
    label: str | Promise
    path: str
    capability: str = "integrations.view"
    slot: bool = False  # built by another app: link only when its URL exists


@dataclass(frozen=True)
class NavGroup:
    label: str | Promise
    items: tuple[NavItem, ...]


NAV: tuple[NavGroup, ...] = (
    NavGroup("", (NavItem(_("Dashboard"), "/integrations/dashboard"),)),
    NavGroup(
        _("Connections"),
        (
            NavItem(_("Comarch Optima"), "/integrations/comarch", slot=True),
            NavItem(_("EDI"), "/integrations/edi", slot=True),
            NavItem(_("API keys"), "/integrations/api-keys"),
            NavItem(_("Webhooks"), "/integrations/webhooks"),
        ),
    ),
    NavGroup(
        _("Portals"),
        (
            NavItem(_("Supplier portal"), "/integrations/portals/supplier", slot=True),
            NavItem(_("Customer portal"), "/integrations/portals/customer", slot=True),
        ),
    ),
    NavGroup(
        _("Data operations"),
        (
            NavItem(_("Export"), "/integrations/export", "export.basic", slot=True),
            NavItem(_("Import"), "/integrations/import", "integrations.manage", slot=True),
        ),
    ),
    NavGroup(
        _("Logs & monitoring"),
        (
            NavItem(_("Integration logs"), "/integrations/logs", "integrations.logs"),
            NavItem(_("Retry queue"), "/integrations/logs/retry-queue", "integrations.logs"),
            NavItem(_("Dead letters"), "/integrations/logs/dead-letter-queue", "integrations.logs"),
        ),
    ),
    NavGroup(
        _("Developers"),
        (
            NavItem(_("Events"), "/integrations/events"),
            NavItem(_("Builder"), "/integrations/workflows", slot=True),
            NavItem(_("Marketplace"), "/integrations/marketplace", slot=True),
        ),
    ),
)


@lru_cache(maxsize=64)
def path_exists(path: str) -> bool:
    """True when a URL pattern answers at `path` (URLconfs do not change at run time)."""
    for candidate in (path, path + "/"):
        try:
            resolve(candidate)
            return True
        except Resolver404:
            continue
    return False


def is_active(item_path: str, current: str, all_paths: list[str]) -> bool:
    """The longest nav path that prefixes the current one is the active item."""
    matches = [p for p in all_paths if current == p or current.startswith(p.rstrip("/") + "/")]
    return bool(matches) and max(matches, key=len) == item_path
