"""Shipments (read:shipping) and invoices (read:invoices)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any
from uuid import UUID

from django.http import HttpRequest
from ninja import Field, Router, Schema

from monopilot.api.context import require_scope
from monopilot.api.resources import one, read_endpoints, tenant
from monopilot.api.schemas import responses
from monopilot.erp.models import Invoice, Shipment
from monopilot.erp.services import shipping

shipments = Router(tags=["shipments"])
invoices = Router(tags=["invoices"])


class BoxOut(Schema):
    id: UUID
    box_number: int
    sscc: str
    weight: Decimal | None
    tracking_number: str


class ShipmentOut(Schema):
    id: UUID
    shipment_number: str
    sales_order: str
    customer: str
    status: str
    carrier: str
    service_level: str
    tracking_number: str
    sscc: str
    total_weight: Decimal
    total_boxes: int
    boxes: list[BoxOut]
    packed_at: datetime | None
    shipped_at: datetime | None
    delivered_at: datetime | None
    created_at: datetime
    updated_at: datetime

    @staticmethod
    def resolve_sales_order(obj: Shipment) -> str:
        return obj.sales_order.order_number

    @staticmethod
    def resolve_customer(obj: Shipment) -> str:
        return obj.customer.customer_code

    @staticmethod
    def resolve_boxes(obj: Shipment) -> list[Any]:
        return list(obj.boxes.all())


class InvoiceLineOut(Schema):
    id: UUID
    line_number: int
    description: str
    quantity: Decimal
    uom: str
    unit_price: Decimal
    vat_rate: Decimal
    vat_symbol: str
    net_amount: Decimal
    vat_amount: Decimal
    gross_amount: Decimal
    batch_number: str


class InvoiceOut(Schema):
    id: UUID
    invoice_number: str
    customer: str
    status: str
    payment_status: str
    issue_date: date | None
    sale_date: date | None
    due_date: date | None
    currency: str
    total_net: Decimal
    total_vat: Decimal
    total_gross: Decimal
    amount_paid: Decimal
    buyer_name: str
    buyer_tax_id: str
    lines: list[InvoiceLineOut]
    created_at: datetime
    updated_at: datetime

    @staticmethod
    def resolve_customer(obj: Invoice) -> str:
        return obj.customer.customer_code

    @staticmethod
    def resolve_lines(obj: Invoice) -> list[Any]:
        return list(obj.lines.all())


class ShipmentStatusIn(Schema):
    status: str = Field(..., min_length=1, max_length=20)
    tracking_number: str = Field("", max_length=100)


_shipments = tenant(Shipment, "sales_order", "customer", prefetch=["boxes"])


@shipments.post(
    "/{id}/status",
    response=responses(ShipmentOut),
    operation_id="set_shipment_status",
    summary="Change a shipment's status",
)
def set_shipment_status(request: HttpRequest, id: UUID, payload: ShipmentStatusIn) -> Any:
    who = require_scope(request, "write:shipping")
    shipment = one(_shipments(who.org), "Shipment", pk=id)
    shipping.shipment_set_status(
        shipment=shipment, status=payload.status, tracking_number=payload.tracking_number
    )
    return one(_shipments(who.org), "Shipment", pk=id)


read_endpoints(
    shipments,
    name="shipments",
    what="Shipment",
    out=ShipmentOut,
    scopes=("read:shipping",),
    queryset=_shipments,
    number_field="shipment_number",
)
read_endpoints(
    invoices,
    name="invoices",
    what="Invoice",
    out=InvoiceOut,
    scopes=("read:invoices",),
    queryset=tenant(Invoice, "customer", prefetch=["lines"]),
    number_field="invoice_number",
    number_has_slashes=True,  # FV/0001/11/2026
)
router = shipments
