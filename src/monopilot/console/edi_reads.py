"""Reads behind the console's EDI screens: the list filters (on top of `edi.selectors`:
date range, search, business document), the business documents messages point at, and the
rows the templates show."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from monopilot.edi import selectors
from monopilot.edi.models import (
    EdiMessage,
    MessageDirection,
    MessageStatus,
)
from monopilot.erp.models import GoodsReceipt, Invoice, SalesOrder, Shipment
from monopilot.tenancy.models import Organization
from monopilot.tenancy.scoping import scoped

KNOWN_TYPES = ("ORDERS", "ORDRSP", "DESADV", "INVOIC", "RECADV", "CONTRL")
S = MessageStatus
STATUS_LABELS: dict[str, Any] = {
    S.RECEIVED: gettext_lazy("Received"),
    S.PARSED: gettext_lazy("Parsed"),
    S.VALIDATED: gettext_lazy("Validated"),
    S.PROCESSED: gettext_lazy("Processed"),
    S.PENDING_REVIEW: gettext_lazy("Pending review"),
    S.ERROR: gettext_lazy("Error"),
    S.GENERATED: gettext_lazy("Generated"),
    S.SENT: gettext_lazy("Sent"),
    S.CONFIRMED: gettext_lazy("Confirmed"),
    S.REJECTED: gettext_lazy("Rejected"),
}
BADGES: dict[str, str] = {
    S.PROCESSED: "ok",
    S.SENT: "ok",
    S.CONFIRMED: "ok",
    S.PENDING_REVIEW: "warning",
    S.ERROR: "error",
    S.REJECTED: "error",
}
DOCUMENTS: dict[str, tuple[Any, str, Any]] = {
    "sales_order": (SalesOrder, "order_number", gettext_lazy("Sales order")),
    "shipment": (Shipment, "shipment_number", gettext_lazy("Shipment")),
    "invoice": (Invoice, "invoice_number", gettext_lazy("Invoice")),
    "goods_receipt": (GoodsReceipt, "grn_number", gettext_lazy("Goods receipt")),
}


# --- filters -----------------------------------------------------------------------------
@dataclass
class MessageFilters:
    direction: str = ""
    status: str = ""
    message_type: str = ""
    partner: str = ""
    date_from: date | None = None
    date_to: date | None = None
    q: str = ""
    document: str = ""
    errors: list[str] = field(default_factory=list)


def _uuid(raw: str) -> uuid.UUID | None:
    try:
        return uuid.UUID(raw)
    except ValueError:
        return None


def parse_filters(params: Mapping[str, str]) -> MessageFilters:
    """Query parameters to filters; bad values are dropped and named (never a 500)."""
    f = MessageFilters()
    get = lambda key: (params.get(key) or "").strip()  # noqa: E731
    checks: list[tuple[str, Callable[[str], bool]]] = [
        ("direction", lambda v: v in MessageDirection.values),
        ("status", lambda v: v in MessageStatus.values),
        ("message_type", lambda v: v.isalnum() and len(v) <= 6),
        ("partner", lambda v: _uuid(v) is not None),
        ("document", lambda v: _uuid(v) is not None),
    ]
    for name, valid in checks:
        value = get(name).upper() if name == "message_type" else get(name)
        if value and not valid(value):
            f.errors.append(f"{name}: unknown value {value[:40]!r}")
        elif value:
            setattr(f, name, value)
    for name in ("date_from", "date_to"):
        value = get(name)
        try:
            setattr(f, name, date.fromisoformat(value) if value else None)
        except ValueError:
            f.errors.append(f"{name}: not a date (YYYY-MM-DD): {value[:20]!r}")
    if f.date_from and f.date_to and f.date_from > f.date_to:
        f.errors.append("date_from: must not be after date_to")
        f.date_from, f.date_to = f.date_to, f.date_from
    f.q = get("q")[:70]
    return f


def filtered_messages(org: Organization, f: MessageFilters) -> QuerySet[EdiMessage]:
    qs = selectors.message_list(
        org=org,
        direction=f.direction,
        message_type=f.message_type,
        status=f.status,
        partner_id=_uuid(f.partner),
    )
    tz = timezone.get_current_timezone()  # the organisation's: local days
    if f.date_from:
        qs = qs.filter(created_at__gte=datetime.combine(f.date_from, time.min, tzinfo=tz))
    if f.date_to:
        end = datetime.combine(f.date_to + timedelta(days=1), time.min, tzinfo=tz)
        qs = qs.filter(created_at__lt=end)
    if f.q:
        qs = qs.filter(
            Q(document_number__icontains=f.q)
            | Q(interchange_ref__icontains=f.q)
            | Q(message_ref=f.q)
            | Q(filename__icontains=f.q)
        )
    if f.document:
        qs = qs.filter(document_id=f.document)
    return qs


# --- rows as the templates show them --------------------------------------------------------
def documents_of(org: Organization, rows: Iterable[EdiMessage]) -> dict[str, dict[str, Any]]:
    """The business documents of `rows` (one query per document type), by document id."""
    wanted: dict[str, set[uuid.UUID]] = {}
    for row in rows:
        if row.document_id and row.document_type:
            wanted.setdefault(row.document_type, set()).add(row.document_id)
    found: dict[str, dict[str, Any]] = {}
    for kind, ids in wanted.items():
        if kind == "edi_message":
            for m in scoped(EdiMessage, org).filter(pk__in=ids).defer("raw"):
                number = f"{m.message_type} {m.interchange_ref}/{m.message_ref}".strip("/ ")
                url = f"/integrations/edi/messages/{m.pk}"
                found[str(m.pk)] = {"label": _("EDI message"), "number": number, "url": url}
            continue
        if kind not in DOCUMENTS:
            continue
        model, number_field, label = DOCUMENTS[kind]
        for obj in scoped(model, org).filter(pk__in=ids):
            found[str(obj.pk)] = {
                "label": label,
                "number": getattr(obj, number_field) or str(obj.pk)[:8],
                "status": _(obj.get_status_display()),
                "status_value": obj.status,
                "url": f"/integrations/edi?document={obj.pk}",
            }
    return found


def item(row: EdiMessage, docs: Mapping[str, dict[str, Any]], **extra: Any) -> dict[str, Any]:
    doc = docs.get(str(row.document_id)) if row.document_id else None
    if row.document_id and doc is None:
        doc = {"label": row.document_type, "number": str(row.document_id)[:8], "missing": True}
    return {
        "m": row,
        "doc": doc,
        "status_label": STATUS_LABELS.get(row.status, row.status),
        "badge": BADGES.get(row.status, ""),
        **extra,
    }


def items(org: Organization, rows: list[EdiMessage], **extra: Any) -> list[dict[str, Any]]:
    docs = documents_of(org, rows)
    return [item(r, docs, **extra) for r in rows]


# --- list, upload -------------------------------------------------------------------------
