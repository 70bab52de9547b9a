"""Purchase orders (+ lines, status changes) and sales orders (read:/write:orders)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any, Literal
from uuid import UUID

from django.http import HttpRequest
from ninja import Field, Router, Schema, Status

from monopilot.api.context import require_scope
from monopilot.api.refs import opt_ref, ref
from monopilot.api.resources import one, read_endpoints, tenant
from monopilot.api.schemas import responses
from monopilot.erp.models import (
    Customer,
    Product,
    PurchaseOrder,
    SalesOrder,
    Supplier,
    TaxCode,
    Warehouse,
)
from monopilot.erp.services import purchasing, sales

READ = ("read:orders",)
purchase_orders = Router(tags=["purchase orders"])
sales_orders = Router(tags=["sales orders"])


class PoLineOut(Schema):
    id: UUID
    line_number: int
    product: str
    quantity: Decimal
    uom: str
    unit_price: Decimal
    discount_percent: Decimal
    line_total: Decimal
    received_qty: Decimal
    expected_delivery_date: date | None
    notes: str

    @staticmethod
    def resolve_product(obj: Any) -> str:
        return obj.product.code


class PurchaseOrderOut(Schema):
    id: UUID
    po_number: str
    supplier: str
    status: str
    currency: str
    expected_delivery_date: date
    warehouse: str
    payment_terms: str
    notes: str
    subtotal: Decimal
    tax_amount: Decimal
    total: Decimal
    lines: list[PoLineOut]
    created_at: datetime
    updated_at: datetime

    @staticmethod
    def resolve_supplier(obj: PurchaseOrder) -> str:
        return obj.supplier.code

    @staticmethod
    def resolve_warehouse(obj: PurchaseOrder) -> str:
        return obj.warehouse.code

    @staticmethod
    def resolve_lines(obj: PurchaseOrder) -> list[Any]:
        return list(obj.lines.all())


class SoLineOut(Schema):
    id: UUID
    line_number: int
    product: str
    quantity_ordered: Decimal
    quantity_allocated: Decimal
    quantity_shipped: Decimal
    unit_price: Decimal
    line_total: Decimal
    requested_lot: str
    notes: str

    @staticmethod
    def resolve_product(obj: Any) -> str:
        return obj.product.code


class SalesOrderOut(Schema):
    id: UUID
    order_number: str
    customer: str
    customer_po: str
    status: str
    order_date: date
    promised_ship_date: date | None
    required_delivery_date: date | None
    currency: str
    total_amount: Decimal
    notes: str
    source: str
    lines: list[SoLineOut]
    created_at: datetime
    updated_at: datetime

    @staticmethod
    def resolve_customer(obj: SalesOrder) -> str:
        return obj.customer.customer_code

    @staticmethod
    def resolve_lines(obj: SalesOrder) -> list[Any]:
        return list(obj.lines.all())


class PoLineIn(Schema):
    product: str = Field(..., description="Product code or id")
    quantity: Decimal = Field(..., gt=0, max_digits=15, decimal_places=4)
    unit_price: Decimal = Field(Decimal(0), ge=0, max_digits=15, decimal_places=4)
    uom: str | None = Field(None, max_length=20)
    discount_percent: Decimal = Field(Decimal(0), ge=0, le=100, max_digits=5, decimal_places=2)
    expected_delivery_date: date | None = None
    notes: str = ""


class PurchaseOrderIn(Schema):
    supplier: str = Field(..., description="Supplier code (e.g. SUP-001) or id")
    warehouse: str = Field(..., description="Warehouse code or id")
    expected_delivery_date: date
    lines: list[PoLineIn] = Field(..., min_length=1, max_length=500)
    tax_code: str | None = Field(None, description="Tax code or id")
    currency: Literal["PLN", "EUR", "USD", "GBP"] | None = None
    shipping_cost: Decimal = Field(Decimal(0), ge=0, max_digits=15, decimal_places=2)
    payment_terms: str = Field("", max_length=100)
    notes: str = ""


class StatusIn(Schema):
    status: str = Field(..., min_length=1, max_length=20)


class SoLineIn(Schema):
    product: str = Field(..., description="Product code or id")
    quantity: Decimal = Field(..., gt=0, max_digits=15, decimal_places=4)
    unit_price: Decimal | None = Field(None, ge=0, max_digits=15, decimal_places=4)
    requested_lot: str = Field("", max_length=50)
    notes: str = ""


class SalesOrderFields(Schema):
    customer_po: str | None = Field(None, max_length=50)
    promised_ship_date: date | None = None
    required_delivery_date: date | None = None
    notes: str | None = None
    lines: list[SoLineIn] | None = Field(None, min_length=1, max_length=500)


class SalesOrderIn(SalesOrderFields):
    customer: str = Field(..., description="Customer code (e.g. CUST-001) or id")
    order_date: date | None = None
    currency: str | None = Field(None, min_length=3, max_length=3)
    lines: list[SoLineIn] = Field(..., min_length=1, max_length=500)


def _lines(org: Any, lines: list[Any]) -> list[dict[str, Any]]:
    out = []
    for index, line in enumerate(lines):
        values = {k: v for k, v in line.dict().items() if v is not None}
        values["product"] = ref(org, Product, line.product, field=f"lines[{index}].product")
        out.append(values)
    return out


@purchase_orders.post(
    "",
    response=responses(PurchaseOrderOut, 201),
    operation_id="create_purchase_order",
    summary="Create a purchase order",
)
def create_purchase_order(request: HttpRequest, payload: PurchaseOrderIn) -> Any:
    who = require_scope(request, "write:orders")
    org = who.org
    po = purchasing.po_create(
        org=org,
        supplier=ref(org, Supplier, payload.supplier, field="supplier"),
        warehouse=ref(org, Warehouse, payload.warehouse, field="warehouse"),
        expected_delivery_date=payload.expected_delivery_date,
        lines=_lines(org, payload.lines),
        tax_code=opt_ref(org, TaxCode, payload.tax_code, field="tax_code"),
        currency=payload.currency or "",
        shipping_cost=payload.shipping_cost,
        payment_terms=payload.payment_terms,
        notes=payload.notes,
    )
    return Status(201, one(_pos(org), "Purchase order", pk=po.pk))


@purchase_orders.post(
    "/{id}/status",
    response=responses(PurchaseOrderOut),
    operation_id="set_purchase_order_status",
    summary="Change the status of a purchase order",
)
def set_purchase_order_status(request: HttpRequest, id: UUID, payload: StatusIn) -> Any:
    who = require_scope(request, "write:orders")
    po = one(_pos(who.org), "Purchase order", pk=id)
    purchasing.po_set_status(po=po, status=payload.status)
    return one(_pos(who.org), "Purchase order", pk=id)


@sales_orders.post(
    "",
    response=responses(SalesOrderOut, 201),
    operation_id="create_sales_order",
    summary="Create a sales order",
)
def create_sales_order(request: HttpRequest, payload: SalesOrderIn) -> Any:
    who = require_scope(request, "write:orders")
    org = who.org
    so = sales.so_create(
        org=org,
        customer=ref(org, Customer, payload.customer, field="customer", by=("customer_code",)),
        lines=_lines(org, payload.lines),
        customer_po=payload.customer_po or "",
        source="api",
        order_date=payload.order_date,
        promised_ship_date=payload.promised_ship_date,
        required_delivery_date=payload.required_delivery_date,
        currency=payload.currency or "",
        notes=payload.notes or "",
    )
    return Status(201, one(_sos(org), "Sales order", pk=so.pk))


@sales_orders.patch(
    "/{id}",
    response=responses(SalesOrderOut),
    operation_id="update_sales_order",
    summary="Change a sales order",
)
def update_sales_order(request: HttpRequest, id: UUID, payload: SalesOrderFields) -> Any:
    who = require_scope(request, "write:orders")
    so = one(_sos(who.org), "Sales order", pk=id)
    values = {k: v for k, v in payload.dict(exclude_unset=True).items() if v is not None}
    lines = _lines(who.org, payload.lines) if payload.lines else None
    values.pop("lines", None)
    sales.so_update(sales_order=so, lines=lines, **values)
    return one(_sos(who.org), "Sales order", pk=id)


_pos = tenant(PurchaseOrder, "supplier", "warehouse", prefetch=["lines__product"])
_sos = tenant(SalesOrder, "customer", prefetch=["lines__product"])

read_endpoints(
    purchase_orders,
    name="purchase_orders",
    what="Purchase order",
    out=PurchaseOrderOut,
    scopes=READ,
    queryset=_pos,
    number_field="po_number",
)
read_endpoints(
    sales_orders,
    name="sales_orders",
    what="Sales order",
    out=SalesOrderOut,
    scopes=READ,
    queryset=_sos,
    number_field="order_number",
)
router = purchase_orders
