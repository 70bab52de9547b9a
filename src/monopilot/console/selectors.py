"""Reads behind the dashboard (FR-INT-001): health cards, activity, errors, overall status.

Every panel is computed on its own and wrapped by `_panel`, so one failing source shows
an error in its panel while the others still load (AC-12). Apps that other teams own
(outbox, webhooks, apikeys) are imported lazily and guarded: the dashboard works, with
"Not configured" cards, on a tree where they are not installed yet.
"""

from __future__ import annotations

import importlib
import logging
import uuid
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta
from types import ModuleType
from typing import Any, TypeVar

from django.db.models import Count, Max, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from monopilot.console.nav import path_exists
from monopilot.integration_logs.models import IntegrationLog
from monopilot.tenancy.models import Organization
from monopilot.tenancy.scoping import scoped

logger = logging.getLogger(__name__)

WINDOW = timedelta(hours=24)
FEED_SIZE = 20
T = TypeVar("T")


def optional_module(name: str) -> ModuleType | None:
    """Another team's module, or None while it does not exist yet."""
    try:
        return importlib.import_module(name)
    except ImportError:
        return None


@dataclass
class Card:
    key: str
    name: str
    status: str  # connected | error | warning | active | not_configured
    status_label: str
    link: str
    message: str = ""
    metrics: list[tuple[str, str]] = field(default_factory=list)
    last_error: str = ""
    last_error_at: datetime | None = None
    last_sync_at: datetime | None = None


@dataclass
class ErrorSummary:
    failed_count_24h: int
    pending_retries: int
    dlq_count: int

    @property
    def all_healthy(self) -> bool:
        return not (self.failed_count_24h or self.pending_retries or self.dlq_count)


@dataclass
class Panel:
    """A dashboard panel's data, or the reason it could not be computed."""

    data: Any = None
    error: str = ""
    title: str = ""


def _panel(compute: Callable[[], T], title: str = "") -> Panel:
    try:
        return Panel(data=compute(), title=title)
    except Exception:  # one broken source must not take the whole dashboard down
        logger.exception("dashboard panel failed: %s", title or "panel")
        return Panel(error=_("Temporarily unavailable"), title=title)


def _since(now: datetime | None) -> tuple[datetime, datetime]:
    now = now or timezone.now()
    return now, now - WINDOW


def logs_24h(*, org: Organization, now: datetime | None = None) -> QuerySet[IntegrationLog]:
    now, since = _since(now)
    return scoped(IntegrationLog, org).filter(timestamp__gte=since, timestamp__lte=now)


def _rate(ok: int, failed: int) -> int | None:
    total = ok + failed
    return round(100 * ok / total) if total else None


def _rate_text(ok: int, failed: int, noun: str) -> str:
    rate = _rate(ok, failed)
    if rate is None:
        return "—"
    return f"{rate}% ({ok}/{ok + failed} {noun})".replace(" )", ")")


# --- health cards -------------------------------------------------------------------------


def _sync_card(org: Organization, now: datetime, kind: str, name: str, link: str) -> Card:
    """Comarch / EDI: status from the last success against the last error in the log."""
    since = now - WINDOW
    stats = (
        scoped(IntegrationLog, org)
        .filter(integration_type=kind)
        .aggregate(
            last_ok=Max("timestamp", filter=Q(status="success")),
            last_err=Max("timestamp", filter=Q(status="error")),
            ok_24h=Count("id", filter=Q(status="success", timestamp__gte=since)),
            err_24h=Count("id", filter=Q(status="error", timestamp__gte=since)),
        )
    )
    last_ok, last_err = stats["last_ok"], stats["last_err"]
    if last_ok is None and last_err is None:
        message = (
            _("Set up EDI to enable order automation")
            if kind == "edi"
            else _("Connect Comarch Optima to push invoices and sync payments")
        )
        return Card(kind, name, "not_configured", _("Not configured"), link, message=message)
    card = Card(kind, name, "connected", _("Connected"), link, last_sync_at=last_ok)
    if kind == "edi":
        card.status_label = _("Active")
    if last_err is not None and (last_ok is None or last_err > last_ok):
        card.status, card.status_label = "error", _("Error")
        card.last_error_at = last_err
        card.last_error = (
            scoped(IntegrationLog, org)
            .filter(integration_type=kind, status="error", timestamp=last_err)
            .values_list("error_message", flat=True)
            .first()
            or ""
        )
    card.metrics = [(_("Success rate (24 h)"), _rate_text(stats["ok_24h"], stats["err_24h"], ""))]
    return card


def _api_keys_card(org: Organization, now: datetime) -> Card:
    link = "/integrations/api-keys"
    models = optional_module("monopilot.apikeys.models")
    if models is None:
        return Card("api_keys", _("API keys"), "not_configured", _("Not configured"), link)
    active = (
        scoped(models.ApiKey, org)
        .filter(status="active")
        .filter(Q(expires_at__isnull=True) | Q(expires_at__gt=now))
        .count()
    )
    requests = logs_24h(org=org, now=now).filter(integration_type="api", direction="inbound")
    counts = requests.exclude(event_type__startswith="api_key.").aggregate(
        total=Count("id"), failed=Count("id", filter=Q(status="error"))
    )
    if not active:
        return Card(
            "api_keys", _("API keys"), "not_configured", _("Not configured"), link,
            message=_("Create an API key to let your systems use the REST API"),
        )  # fmt: skip
    card = Card("api_keys", _("API keys"), "active", _("Active"), link)
    if counts["failed"]:
        card.status, card.status_label = "warning", _("Warning")
    card.metrics = [
        (_("Active keys"), str(active)),
        (_("Requests (24 h)"), str(counts["total"])),
        (_("Failed requests (24 h)"), str(counts["failed"])),
    ]
    return card


def _webhooks_card(org: Organization, now: datetime) -> Card:
    link = "/integrations/webhooks"
    models = optional_module("monopilot.webhooks.models")
    outbox = optional_module("monopilot.outbox.models")
    name = _("Webhooks")
    if models is None or outbox is None:
        return Card("webhooks", name, "not_configured", _("Not configured"), link)
    endpoints = scoped(models.Endpoint, org).filter(deleted_at__isnull=True)
    states = endpoints.aggregate(
        n_all=Count("id"),
        n_active=Count("id", filter=Q(status="active")),
        n_disabled=Count("id", filter=Q(status="disabled")),
    )
    active = states["n_active"]
    if not states["n_all"]:
        message = _("Add a webhook to push events to your systems")
        return Card("webhooks", name, "not_configured", _("Not configured"), link, message=message)
    attempts = scoped(outbox.Attempt, org).filter(
        started_at__gte=now - WINDOW, message__kind="webhook"
    )
    # aliases must not shadow Attempt.ok, or Django reads them as aggregates of aggregates
    counts = attempts.aggregate(
        n_ok=Count("id", filter=Q(ok=True)), n_bad=Count("id", filter=Q(ok=False))
    )
    counts = {"ok": counts["n_ok"], "bad": counts["n_bad"]}
    rate = _rate(counts["ok"], counts["bad"])

    card = Card("webhooks", name, "active", _("Active"), link)
    if rate is not None and rate < 50:
        card.status, card.status_label = "error", _("Error")
    elif counts["bad"] or states["n_disabled"]:
        card.status, card.status_label = "warning", _("Warning")
    card.metrics = [
        (_("Active webhooks"), str(active)),
        (_("Success rate (24 h)"), _rate_text(counts["ok"], counts["bad"], _("deliveries"))),
        (_("Failed deliveries (24 h)"), str(counts["bad"])),
    ]
    return card


def health_cards(*, org: Organization, now: datetime | None = None) -> list[Panel]:
    now = now or timezone.now()
    builders: list[tuple[str, Callable[[], Card]]] = [
        (
            "Comarch Optima",
            lambda: _sync_card(org, now, "comarch", "Comarch Optima", "/integrations/comarch"),
        ),
        ("EDI", lambda: _sync_card(org, now, "edi", "EDI", "/integrations/edi")),
        (_("API keys"), lambda: _api_keys_card(org, now)),
        (_("Webhooks"), lambda: _webhooks_card(org, now)),
    ]
    panels = [_panel(build, title) for title, build in builders]
    for panel in panels:  # a card links only to a screen that exists (EDI/Comarch come later)
        if panel.data is not None and not path_exists(panel.data.link):
            panel.data.link = ""
    return panels


# --- activity, errors, overall ------------------------------------------------------------


def recent_activity(
    *, org: Organization, now: datetime | None = None, limit: int = FEED_SIZE
) -> list[IntegrationLog]:
    return list(logs_24h(org=org, now=now).order_by("-timestamp")[:limit])


def message_id_of(row: IntegrationLog) -> str | None:
    """The outbox message a log row is about: metadata, or an external id `msg_<hex>`."""
    raw = str((row.metadata or {}).get("message_id") or "")
    if not raw and row.external_id.startswith("msg_"):
        raw = row.external_id.removeprefix("msg_")
    try:
        return str(uuid.UUID(raw)) if raw else None
    except ValueError:
        return None


def retryable_messages(*, org: Organization, logs: list[IntegrationLog]) -> dict[str, str]:
    """Log row id -> message id, for rows whose message waits in the retry queue."""
    outbox = optional_module("monopilot.outbox.services")
    wanted = {str(row.pk): message_id_of(row) for row in logs}
    ids = {mid for mid in wanted.values() if mid}
    if outbox is None or not ids:
        return {}
    waiting = outbox.retry_queue_qs(org=org).filter(id__in=ids).values_list("id", flat=True)
    queued = {str(pk) for pk in waiting}
    return {log_id: mid for log_id, mid in wanted.items() if mid in queued}


def error_summary(*, org: Organization, now: datetime | None = None) -> ErrorSummary:
    failed = logs_24h(org=org, now=now).filter(status="error").count()
    models = optional_module("monopilot.outbox.models")
    if models is None:
        return ErrorSummary(failed_count_24h=failed, pending_retries=0, dlq_count=0)
    # the retry queue / dead letters definitions of outbox.services, counted in one query
    counts = scoped(models.Message, org).aggregate(
        n_retry=Count("id", filter=Q(status="pending", attempts__gt=0)),
        n_dead=Count("id", filter=Q(status="dead")),
    )
    return ErrorSummary(
        failed_count_24h=failed, pending_retries=counts["n_retry"], dlq_count=counts["n_dead"]
    )


def success_rate_24h(*, org: Organization, now: datetime | None = None) -> int | None:
    counts = logs_24h(org=org, now=now).aggregate(
        ok=Count("id", filter=Q(status="success")), bad=Count("id", filter=Q(status="error"))
    )
    return _rate(counts["ok"], counts["bad"])


def overall_status(cards: list[Panel], errors: Panel) -> str:
    """healthy | degraded | down: down when every configured integration is in error."""
    known = [p.data for p in cards if p.data is not None]
    configured = [c for c in known if c.status != "not_configured"]
    if configured and all(c.status == "error" for c in configured):
        return "down"
    if any(p.error for p in cards) or errors.error:
        return "degraded"
    if any(c.status in ("error", "warning") for c in configured):
        return "degraded"
    if errors.data is not None and errors.data.dlq_count:
        return "degraded"
    return "healthy"


@dataclass
class Dashboard:
    cards: list[Panel]
    activity: Panel
    errors: Panel
    success_rate_24h: Panel
    overall: str
    generated_at: datetime


def dashboard(*, org: Organization, now: datetime | None = None) -> Dashboard:
    now = now or timezone.now()
    cards = health_cards(org=org, now=now)
    errors = _panel(lambda: error_summary(org=org, now=now))
    return Dashboard(
        cards=cards,
        activity=_panel(lambda: recent_activity(org=org, now=now)),
        errors=errors,
        success_rate_24h=_panel(lambda: success_rate_24h(org=org, now=now)),
        overall=overall_status(cards, errors),
        generated_at=now,
    )


# --- JSON shapes (GET /api/integrations/dashboard and /health) -------------------------------


def card_json(card: Card) -> dict[str, Any]:
    body = asdict(card)
    body["metrics"] = {label: value for label, value in card.metrics}
    for key in ("last_error_at", "last_sync_at"):
        body[key] = body[key].isoformat() if body[key] else None
    return body


def log_json(row: IntegrationLog) -> dict[str, Any]:
    return {
        "id": str(row.pk),
        "timestamp": row.timestamp.isoformat(),
        "integration_type": row.integration_type,
        "event_type": row.event_type,
        "direction": row.direction,
        "status": row.status,
        "http_status": row.http_status,
        "external_system": row.external_system,
        "external_id": row.external_id,
        "error_message": row.error_message,
        "retry_count": row.retry_count,
        "duration_ms": row.duration_ms,
    }


def health_json(board: Dashboard) -> dict[str, Any]:
    integrations: dict[str, dict[str, Any]] = {}
    for panel, key in zip(board.cards, ("comarch", "edi", "api_keys", "webhooks"), strict=True):
        if panel.error:
            integrations[key] = {"status": "unknown", "error_message": panel.error}
        else:
            integrations[key] = {
                "status": panel.data.status,
                "error_message": panel.data.last_error or None,
                "last_sync_at": card_json(panel.data)["last_sync_at"],
            }
    return {
        "overall_status": board.overall,
        "integrations": integrations,
        "checked_at": board.generated_at.isoformat(),
    }


def dashboard_json(board: Dashboard) -> dict[str, Any]:
    keys = ("comarch", "edi", "api_keys", "webhooks")
    health = {
        key: (card_json(p.data) if p.data else {"status": "unknown", "error": p.error})
        for key, p in zip(keys, board.cards, strict=True)
    }
    errors = board.errors.data
    return {
        "health_status": health,
        "overall_status": board.overall,
        "recent_activity": [log_json(r) for r in board.activity.data or []],
        "error_summary": (
            {
                "failed_count_24h": errors.failed_count_24h,
                "pending_retries": errors.pending_retries,
                "dlq_count": errors.dlq_count,
            }
            if errors
            else None
        ),
        "success_rate_24h": board.success_rate_24h.data,
        "generated_at": board.generated_at.isoformat(),
    }
