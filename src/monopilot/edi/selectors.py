"""Reads of the EDI app (always scoped to one organisation)."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from django.db.models import QuerySet

from monopilot.edi.models import EdiMessage, TradingPartner
from monopilot.tenancy.models import Organization
from monopilot.tenancy.scoping import get_scoped, scoped


def message_list(
    *,
    org: Organization,
    direction: str = "",
    message_type: str = "",
    status: str = "",
    partner_id: UUID | None = None,
    document_number: str = "",
    since: datetime | None = None,
) -> QuerySet[EdiMessage]:
    rows = scoped(EdiMessage, org).select_related("partner").defer("raw")
    if direction:
        rows = rows.filter(direction=direction)
    if message_type:
        rows = rows.filter(message_type=message_type.upper())
    if status:
        rows = rows.filter(status=status)
    if partner_id:
        rows = rows.filter(partner_id=partner_id)
    if document_number:
        rows = rows.filter(document_number=document_number)
    if since:
        rows = rows.filter(created_at__gte=since)
    return rows.order_by("-created_at", "-id")


def message_get(*, org: Organization, message_id: UUID) -> EdiMessage:
    return get_scoped(EdiMessage, org, pk=message_id)


def partner_list(*, org: Organization) -> QuerySet[TradingPartner]:
    return scoped(TradingPartner, org).order_by("name")


def partner_get(*, org: Organization, partner_id: UUID) -> TradingPartner:
    return get_scoped(TradingPartner, org, pk=partner_id)
