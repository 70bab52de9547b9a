"""Sales orders: create, edit, confirm, cancel and the status machine."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from django.db import transaction
from django.utils import timezone

from monopilot.erp import payloads
from monopilot.erp.models import (
    AddressType,
    Customer,
    CustomerAddress,
    Product,
    SalesOrder,
    SalesOrderLine,
    SoSource,
    SoStatus,
)
from monopilot.erp.services import numbering
from monopilot.erp.services.common import (
    ZERO,
    changes_of,
    check_transition,
    emit,
    fail,
    local_today,
    money,
    non_negative,
    positive,
)
from monopilot.tenancy.models import Organization
from monopilot.tenancy.scoping import scoped

S = SoStatus
SO_TRANSITIONS: dict[str, tuple[str, ...]] = {
    S.DRAFT: (S.CONFIRMED, S.CANCELLED),
    S.CONFIRMED: (S.ALLOCATED, S.PICKING, S.PACKING, S.CANCELLED),
    S.ALLOCATED: (S.PICKING, S.PACKING, S.CANCELLED),
    S.PICKING: (S.PACKING, S.CANCELLED),
    S.PACKING: (S.SHIPPED, S.CANCELLED),
    S.SHIPPED: (S.DELIVERED,),
}
_HEADER_FIELDS = (
    "customer_po",
    "shipping_address",
    "promised_ship_date",
    "required_delivery_date",
    "notes",
    "allergen_validated",
)


def _address(customer: Customer, address: CustomerAddress | None) -> CustomerAddress | None:
    if address is None:
        return customer.addresses.filter(address_type=AddressType.SHIPPING, is_default=True).first()
    if address.customer_id != customer.id or address.address_type != AddressType.SHIPPING:
        fail("shipping_address", f"must be a shipping address of {customer.customer_code}")
    return address


def _so_line(so: SalesOrder, index: int, line: dict[str, Any]) -> SalesOrderLine:
    where = f"lines[{index}]"
    product = line.get("product")
    if not isinstance(product, Product) or product.org_id != so.org_id:
        fail(f"{where}.product", "is required and must be a product of this organisation")
    if product.status != "active":
        fail(f"{where}.product", f"product {product.code} is {product.status}")
    quantity = positive(line.get("quantity"), field=f"{where}.quantity")
    price = line.get("unit_price", product.std_price)
    if price is None:
        fail(f"{where}.unit_price", f"is required (product {product.code} has no std_price)")
    unit_price = non_negative(price, field=f"{where}.unit_price")
    return SalesOrderLine(
        org=so.org,
        sales_order=so,
        line_number=index + 1,
        product=product,
        quantity_ordered=quantity,
        unit_price=unit_price,
        line_total=money(quantity * unit_price),
        requested_lot=line.get("requested_lot", ""),
        notes=line.get("notes", ""),
    )


def _replace_lines(so: SalesOrder, lines: Sequence[dict[str, Any]]) -> None:
    if not lines:
        fail("lines", "a sales order needs at least one line")
    built = [_so_line(so, i, line) for i, line in enumerate(lines)]
    so.lines.all().delete()
    SalesOrderLine.objects.bulk_create(built)
    so.total_amount = sum((ln.line_total for ln in built), ZERO)


@transaction.atomic
def so_create(
    *,
    org: Organization,
    customer: Customer,
    lines: Sequence[dict[str, Any]],
    customer_po: str = "",
    source: str = SoSource.MANUAL,
    shipping_address: CustomerAddress | None = None,
    order_date: date | None = None,
    promised_ship_date: date | None = None,
    required_delivery_date: date | None = None,
    currency: str = "",
    notes: str = "",
) -> SalesOrder:
    if customer.org_id != org.id:
        fail("customer", "belongs to another organisation")
    if not customer.is_active:
        fail("customer", f"customer {customer.customer_code} is inactive")
    if source not in SoSource.values:
        fail("source", f"must be one of {', '.join(SoSource.values)}")
    if (
        customer_po
        and scoped(SalesOrder, org)
        .filter(customer=customer, customer_po=customer_po)
        .exclude(status=S.CANCELLED)
        .exists()
    ):
        fail("customer_po", f"order {customer_po} of {customer.customer_code} already exists")
    day = order_date or local_today(org)
    so = SalesOrder.objects.create(
        org=org,
        order_number=numbering.yearly(org=org, prefix="SO", day=day),
        customer=customer,
        customer_po=customer_po,
        source=source,
        order_date=day,
        shipping_address=_address(customer, shipping_address),
        promised_ship_date=promised_ship_date,
        required_delivery_date=required_delivery_date,
        currency=currency or org.currency,
        notes=notes,
    )
    _replace_lines(so, lines)
    so.save(update_fields=["total_amount"])
    emit(
        org=org,
        type="sales_order.created",
        subject=("sales_order", so.id),
        data=payloads.sales_order(so),
    )
    return so


@transaction.atomic
def so_update(
    *, sales_order: SalesOrder, lines: Sequence[dict[str, Any]] | None = None, **values: Any
) -> SalesOrder:
    so = sales_order
    unknown = sorted(set(values) - set(_HEADER_FIELDS))
    if unknown:
        fail(unknown[0], "cannot be changed on a sales order")
    if so.status not in (S.DRAFT, S.CONFIRMED):
        fail(
            "status",
            f"sales order {so.order_number} is {so.status}; only draft or "
            "confirmed orders can be edited",
        )
    if "shipping_address" in values:
        values["shipping_address"] = _address(so.customer, values["shipping_address"])
    changes = changes_of(so, values)
    if lines is not None:
        if so.status != S.DRAFT:
            fail("lines", f"lines of {so.order_number} can only change while it is a draft")
        old_total, old_count = so.total_amount, so.lines.count()
        _replace_lines(so, lines)
        changes["lines"] = [old_count, len(lines)]
        if so.total_amount != old_total:
            changes["total_amount"] = [str(old_total), str(so.total_amount)]
    if changes:
        so.save()
        emit(
            org=so.org,
            type="sales_order.updated",
            subject=("sales_order", so.id),
            data={**payloads.sales_order(so), "changes": changes},
        )
    return so


def _move(so: SalesOrder, target: str) -> str:
    check_transition(
        field="status",
        current=so.status,
        target=target,
        allowed=SO_TRANSITIONS,
        what=f"sales order {so.order_number}",
    )
    old, so.status = so.status, target
    stamp: dict[str, str] = {
        S.CONFIRMED: "confirmed_at",
        S.SHIPPED: "shipped_at",
        S.DELIVERED: "delivered_at",
    }
    if target in stamp:
        setattr(so, stamp[target], timezone.now())
    so.save()
    return old


@transaction.atomic
def so_confirm(*, sales_order: SalesOrder) -> SalesOrder:
    _move(sales_order, S.CONFIRMED)
    emit(
        org=sales_order.org,
        type="sales_order.confirmed",
        subject=("sales_order", sales_order.id),
        data=payloads.sales_order(sales_order),
    )
    return sales_order


@transaction.atomic
def so_cancel(*, sales_order: SalesOrder, reason: str = "") -> SalesOrder:
    old = _move(sales_order, S.CANCELLED)
    emit(
        org=sales_order.org,
        type="sales_order.cancelled",
        subject=("sales_order", sales_order.id),
        data={
            **payloads.sales_order(sales_order, lines=False),
            "from_status": old,
            "reason": reason,
        },
    )
    return sales_order


@transaction.atomic
def so_set_status(*, sales_order: SalesOrder, status: str) -> SalesOrder:
    """Any transition; confirm and cancel publish their own events, the rest
    sales_order.status_changed."""
    if status == S.CONFIRMED:
        return so_confirm(sales_order=sales_order)
    if status == S.CANCELLED:
        return so_cancel(sales_order=sales_order)
    old = _move(sales_order, status)
    emit(
        org=sales_order.org,
        type="sales_order.status_changed",
        subject=("sales_order", sales_order.id),
        data={
            **payloads.sales_order(sales_order, lines=False),
            "from_status": old,
            "to_status": status,
        },
    )
    return sales_order
