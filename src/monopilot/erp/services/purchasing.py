"""Purchase orders and goods receipts (GRN) against them."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone

from monopilot.erp import payloads
from monopilot.erp.models import (
    GoodsReceipt,
    GoodsReceiptItem,
    GrnStatus,
    Location,
    LpSource,
    PoStatus,
    Product,
    PurchaseOrder,
    PurchaseOrderLine,
    QaStatus,
    Supplier,
    TaxCode,
    Warehouse,
)
from monopilot.erp.services import numbering
from monopilot.erp.services.common import (
    ZERO,
    check_transition,
    emit,
    fail,
    local_today,
    money,
    non_negative,
    positive,
)
from monopilot.erp.services.inventory import _new_lp, stock_watch
from monopilot.tenancy.models import Organization, User
from monopilot.tenancy.scoping import scoped

PO_TRANSITIONS: dict[str, tuple[str, ...]] = {
    PoStatus.DRAFT: (PoStatus.SUBMITTED, PoStatus.PENDING_APPROVAL, PoStatus.CANCELLED),
    PoStatus.SUBMITTED: (PoStatus.PENDING_APPROVAL, PoStatus.CONFIRMED, PoStatus.CANCELLED),
    PoStatus.PENDING_APPROVAL: (PoStatus.CONFIRMED, PoStatus.DRAFT, PoStatus.CANCELLED),
    PoStatus.CONFIRMED: (PoStatus.RECEIVING, PoStatus.CLOSED, PoStatus.CANCELLED),
    PoStatus.RECEIVING: (PoStatus.CLOSED,),
}
RECEIVABLE = (PoStatus.CONFIRMED, PoStatus.RECEIVING)


def _po_line(po: PurchaseOrder, index: int, line: dict[str, Any]) -> PurchaseOrderLine:
    where = f"lines[{index}]"
    product = line.get("product")
    if not isinstance(product, Product) or product.org_id != po.org_id:
        fail(f"{where}.product", "is required and must be a product of this organisation")
    quantity = positive(line.get("quantity"), field=f"{where}.quantity")
    price = non_negative(line.get("unit_price", "0"), field=f"{where}.unit_price")
    percent = non_negative(line.get("discount_percent", "0"), field=f"{where}.discount_percent")
    if percent > 100:
        fail(f"{where}.discount_percent", "must not exceed 100")
    gross = quantity * price
    discount = money(gross * percent / 100)
    return PurchaseOrderLine(
        org=po.org,
        po=po,
        line_number=index + 1,
        product=product,
        quantity=quantity,
        uom=line.get("uom") or product.base_uom,
        unit_price=price,
        discount_percent=percent,
        discount_amount=discount,
        line_total=money(gross) - discount,
        expected_delivery_date=line.get("expected_delivery_date"),
        notes=line.get("notes", ""),
    )


def _totals(po: PurchaseOrder, lines: Sequence[PurchaseOrderLine]) -> None:
    po.subtotal = sum((ln.line_total for ln in lines), ZERO)
    po.discount_total = sum((ln.discount_amount for ln in lines), ZERO)
    po.tax_rate = po.tax_code.rate if po.tax_code else ZERO
    po.tax_amount = money(po.subtotal * po.tax_rate / 100)
    po.total = po.subtotal + po.tax_amount + po.shipping_cost


@transaction.atomic
def po_create(
    *,
    org: Organization,
    supplier: Supplier,
    warehouse: Warehouse,
    expected_delivery_date: date,
    lines: Sequence[dict[str, Any]],
    tax_code: TaxCode | None = None,
    currency: str = "",
    shipping_cost: Decimal | str = "0",
    payment_terms: str = "",
    notes: str = "",
    order_date: date | None = None,
) -> PurchaseOrder:
    if supplier.org_id != org.id:
        fail("supplier", "belongs to another organisation")
    if warehouse.org_id != org.id:
        fail("warehouse", "belongs to another organisation")
    if not lines:
        fail("lines", "a purchase order needs at least one line")
    day = order_date or local_today(org)
    po = PurchaseOrder(
        org=org,
        po_number=numbering.yearly(org=org, prefix="PO", day=day),
        supplier=supplier,
        warehouse=warehouse,
        expected_delivery_date=expected_delivery_date,
        tax_code=tax_code,
        currency=currency or supplier.currency,
        payment_terms=payment_terms or supplier.payment_terms,
        shipping_cost=non_negative(shipping_cost, field="shipping_cost"),
        notes=notes,
    )
    built = [_po_line(po, i, line) for i, line in enumerate(lines)]
    _totals(po, built)
    po.save()
    PurchaseOrderLine.objects.bulk_create(built)
    emit(
        org=org,
        type="order.created",
        subject=("purchase_order", po.id),
        data=payloads.purchase_order(po),
    )
    return po


def _set_po_status(po: PurchaseOrder, status: str) -> None:
    old = po.status
    po.status = status
    po.save(update_fields=["status", "approved_by", "approved_at", "approval_status", "updated_at"])
    emit(
        org=po.org,
        type="order.updated",
        subject=("purchase_order", po.id),
        data={**payloads.purchase_order(po, lines=False), "changes": {"status": [old, status]}},
    )


@transaction.atomic
def po_set_status(*, po: PurchaseOrder, status: str, by: User | None = None) -> PurchaseOrder:
    check_transition(
        field="status",
        current=po.status,
        target=status,
        allowed=PO_TRANSITIONS,
        what=f"purchase order {po.po_number}",
    )
    if status == PoStatus.CONFIRMED and po.approval_status in ("", "pending"):
        po.approval_status, po.approved_by, po.approved_at = "approved", by, timezone.now()
    _set_po_status(po, status)
    return po


def _grn_item(
    grn: GoodsReceipt, po: PurchaseOrder, index: int, item: dict[str, Any]
) -> GoodsReceiptItem:
    where = f"items[{index}]"
    line = item.get("po_line")
    if line is None and item.get("line_number") is not None:
        line = po.lines.filter(line_number=item["line_number"]).first()
    if not isinstance(line, PurchaseOrderLine) or line.po_id != po.id:
        fail(f"{where}.po_line", f"is required and must be a line of {po.po_number}")
    qty = positive(item.get("received_qty"), field=f"{where}.received_qty")
    open_qty = line.quantity - line.received_qty - _drafted(line)
    if qty > open_qty:
        fail(
            f"{where}.received_qty",
            f"{qty} exceeds the {open_qty} still open on line {line.line_number}",
        )
    return GoodsReceiptItem(
        org=grn.org,
        grn=grn,
        line_number=index + 1,
        product=line.product,
        po_line=line,
        received_qty=qty,
        uom=line.uom,
        batch_number=item.get("batch_number", ""),
        supplier_batch_number=item.get("supplier_batch_number", ""),
        expiry_date=item.get("expiry_date"),
        manufacture_date=item.get("manufacture_date"),
    )


def _drafted(line: PurchaseOrderLine) -> Decimal:
    """Quantity already on draft GRNs of this line (received on paper, not yet booked)."""
    items = scoped(GoodsReceiptItem, line.org).filter(po_line=line, grn__status=GrnStatus.DRAFT)
    return sum((i.received_qty for i in items), ZERO)


def _default_location(warehouse: Warehouse) -> Location:
    location = warehouse.locations.filter(is_active=True).order_by("level", "full_path").first()
    if location is None:
        fail("location", f"warehouse {warehouse.code} has no location to receive into")
    return location


@transaction.atomic
def grn_create_draft(
    *,
    po: PurchaseOrder,
    items: Sequence[dict[str, Any]],
    delivery_note_number: str = "",
    location: Location | None = None,
    receipt_date: date | None = None,
    received_by: User | None = None,
    notes: str = "",
) -> GoodsReceipt:
    """A draft receipt against a PO (from the console, a RECADV or the supplier portal)."""
    if po.status not in RECEIVABLE:
        fail(
            "po",
            f"purchase order {po.po_number} is {po.status}; only confirmed or "
            "receiving orders can be received",
        )
    if not items:
        fail("items", "a goods receipt needs at least one item")
    if (
        delivery_note_number
        and scoped(GoodsReceipt, po.org)
        .filter(po=po, delivery_note_number=delivery_note_number)
        .exclude(status=GrnStatus.CANCELLED)
        .exists()
    ):
        fail(
            "delivery_note_number",
            f"delivery note {delivery_note_number} was already received on {po.po_number}",
        )
    if location is not None and location.warehouse_id != po.warehouse_id:
        fail("location", f"must be in warehouse {po.warehouse.code}")
    org = po.org
    day = receipt_date or local_today(org)
    grn = GoodsReceipt.objects.create(
        org=org,
        grn_number=numbering.yearly(org=org, prefix="GRN", day=day),
        po=po,
        warehouse=po.warehouse,
        location=location or _default_location(po.warehouse),
        receipt_date=day,
        received_by=received_by,
        delivery_note_number=delivery_note_number,
        notes=notes,
    )
    built = []
    for i, item in enumerate(items):
        built.append(_grn_item(grn, po, i, item))
        built[-1].save()
    emit(
        org=org,
        type="goods_receipt.created",
        subject=("goods_receipt", grn.id),
        data=payloads.goods_receipt(grn),
    )
    return grn


@transaction.atomic
def grn_complete(*, grn: GoodsReceipt) -> GoodsReceipt:
    """Book the receipt: one LP per item, received quantities on the PO lines, PO status."""
    if grn.status != GrnStatus.DRAFT:
        fail("status", f"goods receipt {grn.grn_number} is {grn.status}, not draft")
    items = list(grn.items.select_related("product", "po_line"))
    with stock_watch(org=grn.org, products=[i.product for i in items]):
        for item in items:
            _receive(grn, item)
    grn.status, grn.completed_at = GrnStatus.COMPLETED, timezone.now()
    grn.save(update_fields=["status", "completed_at", "updated_at"])
    emit(
        org=grn.org,
        type="goods_receipt.completed",
        subject=("goods_receipt", grn.id),
        data=payloads.goods_receipt(grn),
    )
    if grn.po is not None:
        _advance_po(grn.po)
    return grn


def _receive(grn: GoodsReceipt, item: GoodsReceiptItem) -> None:
    item.lp = _new_lp(
        product=item.product,
        quantity=item.received_qty,
        location=grn.location,
        uom=item.uom,
        batch_number=item.batch_number,
        supplier_batch_number=item.supplier_batch_number,
        expiry_date=item.expiry_date,
        manufacture_date=item.manufacture_date,
        source=LpSource.RECEIPT,
        po_number=grn.po.po_number if grn.po else "",
        grn=grn,
        qa_status=QaStatus.PENDING,
    )
    item.save(update_fields=["lp", "updated_at"])
    if item.po_line is not None:
        item.po_line.received_qty += item.received_qty
        item.po_line.save(update_fields=["received_qty", "updated_at"])


def _advance_po(po: PurchaseOrder) -> None:
    complete = all(ln.received_qty >= ln.quantity for ln in po.lines.all())
    target = PoStatus.CLOSED if complete else PoStatus.RECEIVING
    if po.status != target:
        _set_po_status(po, target)
