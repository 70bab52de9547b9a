"""DESADV for a dispatched shipment and INVOIC for a finalized invoice."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.utils import timezone

from monopilot.edi.eancom.despatch import (
    Despatch,
    InvoiceData,
    InvoiceLine,
    Package,
    PackedLine,
    VatRow,
    build_desadv,
    build_invoic,
    invoice_problems,
)
from monopilot.edi.flows.outbound import OutboundInvalid, partner_for_customer, send
from monopilot.edi.models import EdiMessage, MessageDirection
from monopilot.erp.models import Invoice, Shipment
from monopilot.tenancy.scoping import scoped

# VAT symbol -> TAX 5305 category (Polish symbols: zw exempt, np/oo outside scope/reverse).
_CATEGORY = {"0": "Z", "zw": "E", "np": "O", "oo": "AE"}


def _existing(org: Any, message_type: str, document_id: Any) -> EdiMessage | None:
    return (
        scoped(EdiMessage, org)
        .filter(
            direction=MessageDirection.OUTBOUND, message_type=message_type, document_id=document_id
        )
        .first()
    )


def desadv_for_event(event: Any) -> EdiMessage | None:
    shipment = scoped(Shipment, event.org).filter(pk=event.subject_id).first()
    partner = partner_for_customer(shipment) if shipment else None
    if shipment is None or partner is None:
        return None
    existing = _existing(event.org, "DESADV", shipment.id)
    if existing is not None:
        return existing
    so = shipment.sales_order
    despatch = Despatch(
        number=shipment.shipment_number,
        issued=timezone.localdate(),
        shipped=timezone.localdate(shipment.shipped_at)
        if shipment.shipped_at
        else timezone.localdate(),
        order_number=so.customer_po or so.order_number,
        buyer_gln=shipment.customer.gln or partner.gln,
        supplier_gln=partner.our_gln,
        delivery_gln=shipment.shipping_address.gln if shipment.shipping_address else "",
        tracking=shipment.tracking_number,
        packages=[_package(box) for box in shipment.boxes.order_by("box_number")],
    )
    if not despatch.packages:
        raise OutboundInvalid(f"shipment {shipment.shipment_number} has no boxes (SSCC)")
    message = build_desadv(despatch, ref="1", directory=partner.directory)
    return send(
        partner,
        message,
        document_type="shipment",
        document_id=shipment.id,
        document_number=shipment.shipment_number,
    )


def _package(box: Any) -> Package:
    lines = [
        PackedLine(c.product.gtin, c.product.code, c.quantity, c.lot_number, c.expiry_date)
        for c in box.contents.select_related("product").order_by("created_at")
    ]
    return Package(box.sscc, box.weight, lines)


def invoic_for_event(event: Any) -> EdiMessage | None:
    invoice = scoped(Invoice, event.org).filter(pk=event.subject_id).first()
    partner = partner_for_customer(invoice) if invoice else None
    if invoice is None or partner is None:
        return None
    existing = _existing(event.org, "INVOIC", invoice.id)
    if existing is not None:
        return existing
    data = _invoice_data(invoice, partner.our_gln, partner.gln)
    problems = invoice_problems(data)
    if problems:
        raise OutboundInvalid(f"invoice {invoice.invoice_number}: " + "; ".join(problems))
    message = build_invoic(data, ref="1", directory=partner.directory)
    return send(
        partner,
        message,
        document_type="invoice",
        document_id=invoice.id,
        document_number=invoice.invoice_number,
    )


def _invoice_data(invoice: Invoice, our_gln: str, partner_gln: str) -> InvoiceData:
    so = invoice.sales_order
    issued = invoice.issue_date or timezone.localdate()
    return InvoiceData(
        number=invoice.invoice_number,
        issued=issued,
        delivered=invoice.sale_date or issued,
        order_number=(so.customer_po or so.order_number) if so else "",
        buyer_gln=invoice.buyer_gln or partner_gln,
        buyer_vat=invoice.buyer_tax_id,
        supplier_gln=our_gln,
        currency=invoice.currency,
        total_net=invoice.total_net,
        total_vat=invoice.total_vat,
        total_gross=invoice.total_gross,
        lines=[
            InvoiceLine(
                ln.product.gtin if ln.product else "",
                ln.product.code if ln.product else ln.description[:35],
                ln.quantity,
                ln.unit_price,
                ln.net_amount,
                ln.vat_rate,
                _CATEGORY.get(ln.vat_symbol, "S"),
                ln.batch_number,
            )
            for ln in invoice.lines.select_related("product").order_by("line_number")
        ],
        vat=[
            VatRow(
                Decimal(str(row["rate"] or 0)),
                _CATEGORY.get(str(row["symbol"]), "S"),
                Decimal(str(row["net"])),
                Decimal(str(row["vat"])),
            )
            for row in invoice.vat_breakdown
        ],
    )
