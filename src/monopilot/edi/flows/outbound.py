"""Outbound documents for EDI partners, generated from business events.

`generate_for_event(event)` is called by an events subscriber (apps.ready) inside the
publishing transaction, so the outbound EdiMessage commits or rolls back with the change
that caused it. It only looks at the event types it handles and at customers that are
enabled EDI partners; everything else returns at once.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from django.utils import timezone

from monopilot.edi import messages as store
from monopilot.edi.eancom.orders import OrderLine, read_orders
from monopilot.edi.eancom.ordrsp import (
    ACCEPTED,
    CHANGED,
    LINE_ACCEPTED,
    REJECTED,
    ConfirmedLine,
    OrderResponse,
    ResponseLine,
    build_ordrsp,
    compare,
    response_function,
)
from monopilot.edi.edifact import (
    Interchange,
    Message,
    WriterOptions,
    load_spec,
    parse,
    validate,
    write_interchange,
)
from monopilot.edi.models import EdiMessage, MessageDirection, TradingPartner
from monopilot.edi.partners import next_control_ref
from monopilot.erp.models import SalesOrder
from monopilot.tenancy.scoping import scoped

HANDLED = (
    "sales_order.confirmed",
    "sales_order.cancelled",
    "shipment.dispatched",
    "invoice.finalized",
)


class OutboundInvalid(Exception):
    """We refuse to send a message that does not validate against its own spec."""


def generate_for_event(event: Any) -> EdiMessage | None:
    if event.type not in HANDLED:
        return None
    if event.type == "shipment.dispatched":
        from monopilot.edi.flows.documents_out import desadv_for_event

        return desadv_for_event(event)
    if event.type == "invoice.finalized":
        from monopilot.edi.flows.documents_out import invoic_for_event

        return invoic_for_event(event)
    if event.subject_type != "sales_order":
        return None
    so = scoped(SalesOrder, event.org).filter(pk=event.subject_id).first()
    if so is None:
        return None
    partner = partner_for_customer(so)
    if partner is None:
        return None
    function = ACCEPTED if event.type == "sales_order.confirmed" else REJECTED
    reason = str(event.data.get("reason") or "") if function == REJECTED else ""
    return ordrsp_for(so, partner, function=function, reason=reason)


def partner_for_customer(so: Any) -> TradingPartner | None:
    """The enabled partner of a document's customer (sales order, shipment, invoice)."""
    return (
        scoped(TradingPartner, so.org)
        .filter(customer_id=so.customer_id, edi_enabled=True)
        .order_by("created_at")
        .first()
    )


def ordrsp_for(
    so: SalesOrder, partner: TradingPartner, *, function: str, reason: str = ""
) -> EdiMessage:
    """27 for a cancelled order; for a confirmed one 29, or 4 when the order came from an
    ORDERS and the planner changed it (see `_lines`). One response per (order, function):
    a confirmation answers once, whether with 29 or 4."""
    confirming = function != REJECTED
    existing = _already(so, *((ACCEPTED, CHANGED) if confirming else (REJECTED,)))
    if existing is not None:
        return existing  # the same event delivered twice
    lines = _lines(so) if confirming else _as_ordered(so)
    function = response_function(lines) if confirming else function
    response = OrderResponse(
        number=so.order_number,
        function=function,
        issued=timezone.localdate(),
        order_number=so.customer_po or so.order_number,
        order_date=so.order_date,
        buyer_gln=so.customer.gln or partner.gln,
        supplier_gln=partner.our_gln,
        delivery_gln=so.shipping_address.gln if so.shipping_address else "",
        reason=(reason or "Order not accepted") if function == REJECTED else "",
        lines=lines,
    )
    message = build_ordrsp(response, ref="1", directory=partner.directory)
    return send(
        partner,
        message,
        document_type="sales_order",
        document_id=so.id,
        document_number=f"{so.order_number}:{function}",
    )


def _confirmed(so: SalesOrder) -> list[ConfirmedLine]:
    lines = so.lines.select_related("product").order_by("line_number")
    return [
        ConfirmedLine(
            ln.line_number, ln.product.gtin, ln.product.code, ln.quantity_ordered, ln.unit_price
        )
        for ln in lines
    ]


def _as_ordered(so: SalesOrder, action: str = "") -> list[ResponseLine]:
    """Our lines with ordered = confirmed: a 27, or an order that did not come from EDI."""
    return [
        ResponseLine(ln.line_number, ln.gtin, ln.code, ln.quantity, ln.quantity, ln.price, action)
        for ln in _confirmed(so)
    ]


def _lines(so: SalesOrder) -> list[ResponseLine]:
    """A confirmation: compared with the buyer's ORDERS when the order came from one."""
    ordered = _ordered(so)
    return _as_ordered(so, LINE_ACCEPTED) if ordered is None else compare(ordered, _confirmed(so))


def _ordered(so: SalesOrder) -> list[OrderLine] | None:
    """The lines of the ORDERS the order was created from, re-read from the stored bytes
    with the ORDERS mapper; None when the order did not come from an ORDERS."""
    row = (
        scoped(EdiMessage, so.org)
        .filter(
            direction=MessageDirection.INBOUND,
            message_type="ORDERS",
            document_type="sales_order",
            document_id=so.id,
        )
        .order_by("created_at")
        .first()
    )
    if row is None:
        return None
    msg = store.stored_message(row)
    if msg is not None:
        return read_orders(msg).lines
    raise OutboundInvalid(
        f"ORDERS {row.interchange_ref}/{row.message_ref} of sales order {so.order_number} "
        f"is not in its stored interchange (message {row.id})"
    )


def _already(so: SalesOrder, *functions: str) -> EdiMessage | None:
    return (
        scoped(EdiMessage, so.org)
        .filter(
            direction=MessageDirection.OUTBOUND,
            message_type="ORDRSP",
            document_id=so.id,
            document_number__in=[f"{so.order_number}:{f}" for f in functions],
        )
        .first()
    )


def send(
    partner: TradingPartner,
    message: Message,
    *,
    document_type: str,
    document_id: Any,
    document_number: str,
) -> EdiMessage:
    """Wrap in an interchange with the partner's next control ref, validate, store."""
    ref = next_control_ref(partner)
    now = datetime.now(UTC)
    inter = Interchange(
        syntax_id=partner.syntax_id,
        syntax_version=partner.syntax_version,
        sender_id=partner.our_gln,
        sender_qualifier="14",
        recipient_id=partner.interchange_id,
        recipient_qualifier=partner.interchange_qualifier,
        date=now.strftime("%Y%m%d" if partner.syntax_version >= 4 else "%y%m%d"),
        time=now.strftime("%H%M"),
        control_ref=ref,
        test_indicator="1" if partner.test_indicator else "",
        messages=[message],
    )
    options = WriterOptions(syntax_id=partner.syntax_id, syntax_version=partner.syntax_version)
    data = write_interchange(inter, options)
    check(data, message.type, f"{message.version}:{message.release}")
    return store.outbound(
        partner=partner,
        message_type=message.type,
        message_version=message.identifier,
        data=data,
        interchange_ref=ref,
        message_ref=message.ref,
        document_number=document_number,
        document_type=document_type,
        document_id=document_id,
    )


def check(data: bytes, message_type: str, version: str) -> None:
    load_spec(message_type, version)  # raises EdifactSpecError when we have no spec
    errors = [p for inter in parse(data) for p in validate(inter).errors]
    if errors:
        raise OutboundInvalid("; ".join(str(p) for p in errors))
