"""Public services of the EDI app (the API, CLI and console call these)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, NoReturn

from django.core.exceptions import ValidationError
from django.db import transaction

from monopilot.edi import messages as store
from monopilot.edi.edifact import EdifactError, Message
from monopilot.edi.flows.outbound import (
    OutboundInvalid,
    generate_for_event,
    partner_for_customer,
    send,
)
from monopilot.edi.inbox import process, receive
from monopilot.edi.messages import mark_sent, stored_message
from monopilot.edi.models import EdiMessage, MessageDirection, MessageStatus, TradingPartner
from monopilot.edi.partners import (
    next_control_ref,
    partner_create,
    partner_delete,
    partner_update,
)
from monopilot.erp.models import (
    Invoice,
    InvoiceStatus,
    SalesOrder,
    Shipment,
    ShipmentStatus,
    SoStatus,
)
from monopilot.events.selectors import recent_events
from monopilot.integration_logs.services import log_integration
from monopilot.tenancy.models import Organization
from monopilot.tenancy.scoping import scoped

__all__ = [
    "mark_sent",
    "next_control_ref",
    "partner_create",
    "partner_delete",
    "partner_update",
    "receive",
    "render_document",
    "resend",
    "retry",
]


@transaction.atomic
def retry(*, message: EdiMessage) -> EdiMessage:
    """Run the flow again on a message kept for review (after customers/products were fixed)."""
    row = EdiMessage.objects.select_for_update().get(pk=message.pk)
    if row.direction != MessageDirection.INBOUND or row.status != MessageStatus.PENDING_REVIEW:
        raise ValidationError(
            {
                "status": [
                    f"status: only inbound messages pending review can be retried "
                    f"(this one is {row.direction} {row.status})"
                ]
            }
        )
    if row.partner is None:
        raise ValidationError({"partner": ["partner: the message has no trading partner"]})
    try:
        msg = stored_message(row)
    except EdifactError as exc:  # stored bytes parsed before; keep the verdict explicit anyway
        store.review(row, [{"message": f"stored interchange cannot be read: {exc}"}])
        return row
    if msg is None:
        store.review(row, [{"message": "message not found in the stored interchange"}])
        return row
    process(row, msg, row.partner)
    return row


# -- render: the EANCOM interchange of one business document --------------------------------

RENDER_TYPES = {"invoic": "INVOIC", "desadv": "DESADV", "ordrsp": "ORDRSP"}


@dataclass(frozen=True)
class _DocumentEvent:
    """What `generate_for_event` reads of an event: rendering goes through the very code
    path of the events subscriber, so a rendered message is the one it would have stored."""

    org: Organization
    type: str
    subject_type: str
    subject_id: Any
    data: dict[str, Any] = field(default_factory=dict)


def _refuse(text: str) -> NoReturn:
    raise ValidationError(text)


@transaction.atomic
def render_document(*, org: Organization, kind: str, number: str) -> tuple[EdiMessage, bool]:
    """The outbound message of a document: the stored one (newest) when it exists, else
    generated and stored like the subscriber does. Returns (row, created)."""
    if kind not in RENDER_TYPES:
        _refuse(f"cannot render {kind!r}: one of {', '.join(RENDER_TYPES)}")
    finder = {"invoic": _invoice_event, "desadv": _shipment_event, "ordrsp": _order_event}[kind]
    event = finder(org, number)
    message_type = RENDER_TYPES[kind]
    known = _stored_ids(org, message_type, event.subject_id)
    try:
        row = generate_for_event(event)
    except (EdifactError, OutboundInvalid) as exc:
        _refuse(f"cannot render {message_type} for {number}: {exc}")
    if row is None:  # the checks above make this unreachable; keep the verdict explicit
        _refuse(f"no {message_type} produced for {number}")
    return row, row.id not in known


def _stored_ids(org: Organization, message_type: str, document_id: Any) -> set[Any]:
    rows = scoped(EdiMessage, org).filter(
        direction=MessageDirection.OUTBOUND, message_type=message_type, document_id=document_id
    )
    return set(rows.values_list("id", flat=True))


def _require_partner(document: Any, what: str) -> None:
    if partner_for_customer(document) is None:
        customer = document.customer
        _refuse(
            f"{what}: customer {customer.customer_code} ({customer.name}) is not linked to "
            f"an enabled EDI trading partner"
        )


def _invoice_event(org: Organization, number: str) -> _DocumentEvent:
    invoice = scoped(Invoice, org).filter(invoice_number=number).first()
    if invoice is None:
        _refuse(f"invoice {number} not found in organisation {org.slug}")
    if invoice.status != InvoiceStatus.FINALIZED:
        _refuse(f"invoice {number} is {invoice.status}; only finalized invoices have an INVOIC")
    _require_partner(invoice, f"invoice {number}")
    return _DocumentEvent(org, "invoice.finalized", "invoice", invoice.id)


def _shipment_event(org: Organization, number: str) -> _DocumentEvent:
    shipment = scoped(Shipment, org).filter(shipment_number=number).first()
    if shipment is None:
        _refuse(f"shipment {number} not found in organisation {org.slug}")
    if shipment.status not in (ShipmentStatus.SHIPPED, ShipmentStatus.DELIVERED):
        _refuse(
            f"shipment {number} is {shipment.status}; only shipped or delivered shipments "
            f"have a DESADV"
        )
    _require_partner(shipment, f"shipment {number}")
    return _DocumentEvent(org, "shipment.dispatched", "shipment", shipment.id)


def _order_event(org: Organization, number: str) -> _DocumentEvent:
    so = scoped(SalesOrder, org).filter(order_number=number).first()
    if so is None:
        _refuse(f"sales order {number} not found in organisation {org.slug}")
    if so.status == SoStatus.DRAFT:
        _refuse(
            f"sales order {number} is {so.status}; only confirmed or cancelled orders have "
            f"an ORDRSP"
        )
    _require_partner(so, f"sales order {number}")
    if so.status != SoStatus.CANCELLED:
        return _DocumentEvent(org, "sales_order.confirmed", "sales_order", so.id)
    # The cancellation reason lives only in the event; the ORDRSP carries it in FTX+AAO.
    cancel = recent_events(org=org, type="sales_order.cancelled").filter(subject_id=str(so.id))
    first = cancel.first()
    reason = str(first.data.get("reason") or "") if first is not None else ""
    return _DocumentEvent(org, "sales_order.cancelled", "sales_order", so.id, {"reason": reason})


# -- resend: the same message in a new interchange ------------------------------------------

RESENDABLE = ("ORDRSP", "DESADV", "INVOIC")


@transaction.atomic
def resend(*, message: EdiMessage) -> EdiMessage:
    """A new interchange (next control ref of the partner) carrying the same message;
    stored as a new `generated` outbound row whose `related` is the original, which is left
    as it is. For a partner who lost the file or rejected a damaged transmission."""
    original = EdiMessage.objects.select_related("partner").get(pk=message.pk)
    partner = _resend_partner(original)
    body = _stored_message(original)
    try:
        row = send(
            partner,
            body,
            document_type=original.document_type,
            document_id=original.document_id,
            document_number=original.document_number,
        )
    except (EdifactError, OutboundInvalid) as exc:
        _refuse(f"message {original.id} cannot be resent: {exc}")
    row.related = original
    row.save(update_fields=["related", "updated_at"])
    _log_resend(original, row)
    return row


def _resend_partner(row: EdiMessage) -> TradingPartner:
    if row.direction != MessageDirection.OUTBOUND or row.message_type not in RESENDABLE:
        _refuse(
            f"only outbound {', '.join(RESENDABLE)} messages can be resent "
            f"(this one is {row.direction} {row.message_type or 'unknown'})"
        )
    if row.partner is None or not row.partner.edi_enabled:
        _refuse(f"message {row.id}: its trading partner is missing or has EDI switched off")
    return row.partner


def _stored_message(row: EdiMessage) -> Message:
    """The message as it was sent, without its UNH/UNT (the writer rebuilds them)."""
    msg = stored_message(row)
    if msg is None:
        _refuse(f"message {row.id}: not found in its stored interchange")
    return Message(
        ref=msg.ref,
        type=msg.type,
        version=msg.version,
        release=msg.release,
        agency=msg.agency,
        association=msg.association,
        segments=msg.body,
    )


def _log_resend(original: EdiMessage, row: EdiMessage) -> None:
    """The `generated` row is logged by the store; this one says why it exists."""
    log_integration(
        org=row.org_id,
        integration_type="edi",
        direction="outbound",
        status="success",
        event_type=f"edi.{row.message_type.lower()}.resent",
        external_system=row.partner.name if row.partner else row.recipient_id,
        external_id=f"{row.interchange_ref}/{row.message_ref}",
        metadata={
            "edi_message_id": str(row.id),
            "resent_from": str(original.id),
            "original_interchange_ref": original.interchange_ref,
            "document_number": row.document_number,
        },
    )
