"""Event payloads: ids as strings, decimals as strings, dates ISO (events.jsonable does the
final conversion). One function per entity so every event about it has the same shape."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from monopilot.erp.models import (
    Bom,
    Customer,
    GoodsReceipt,
    Invoice,
    LicensePlate,
    Payment,
    Product,
    PurchaseOrder,
    SalesOrder,
    Shipment,
    Supplier,
    WorkOrder,
)

Q4, Q2 = Decimal("0.0001"), Decimal("0.01")


def _s(value: Any) -> str | None:
    return None if value is None else str(value)


def qty(value: Decimal | None) -> str | None:
    """Quantities and unit prices as the database holds them: 4 decimals."""
    return None if value is None else format(Decimal(value).quantize(Q4), "f")


def amount(value: Decimal | None) -> str | None:
    """Money and rates: 2 decimals."""
    return None if value is None else format(Decimal(value).quantize(Q2), "f")


def product(p: Product) -> dict[str, Any]:
    return {
        "product_id": str(p.id),
        "code": p.code,
        "name": p.name,
        "product_type": p.product_type.code,
        "base_uom": p.base_uom,
        "status": p.status,
        "gtin": p.gtin,
        "tax_code": p.tax_code.symbol if p.tax_code else None,
        "min_stock": qty(p.min_stock),
        "allergens": sorted(a.code for a in p.allergens.all()),
    }


def bom(b: Bom) -> dict[str, Any]:
    items = [
        {
            "sequence": i.sequence,
            "product_code": i.product.code,
            "quantity": qty(i.quantity),
            "uom": i.uom,
            "is_output": i.is_output,
        }
        for i in b.items.select_related("product")
    ]
    return {
        "bom_id": str(b.id),
        "product_id": str(b.product_id),
        "product_code": b.product.code,
        "version": b.version,
        "status": b.status,
        "effective_from": b.effective_from,
        "effective_to": b.effective_to,
        "output_qty": qty(b.output_qty),
        "items": items,
    }


def supplier(s: Supplier) -> dict[str, Any]:
    return {
        "supplier_id": str(s.id),
        "code": s.code,
        "name": s.name,
        "tax_id": s.tax_id,
        "gln": s.gln,
        "currency": s.currency,
        "is_active": s.is_active,
    }


def customer(c: Customer) -> dict[str, Any]:
    return {
        "customer_id": str(c.id),
        "customer_code": c.customer_code,
        "name": c.name,
        "tax_id": c.tax_id,
        "gln": c.gln,
        "category": c.category,
        "is_active": c.is_active,
    }


def purchase_order(po: PurchaseOrder, *, lines: bool = True) -> dict[str, Any]:
    data: dict[str, Any] = {
        "po_id": str(po.id),
        "po_number": po.po_number,
        "status": po.status,
        "supplier_id": str(po.supplier_id),
        "supplier_code": po.supplier.code,
        "supplier_name": po.supplier.name,
        "currency": po.currency,
        "expected_delivery_date": po.expected_delivery_date,
        "warehouse_code": po.warehouse.code,
        "subtotal": amount(po.subtotal),
        "tax_amount": amount(po.tax_amount),
        "total": amount(po.total),
    }
    if lines:
        data["lines"] = [
            {
                "line_number": ln.line_number,
                "product_code": ln.product.code,
                "quantity": qty(ln.quantity),
                "uom": ln.uom,
                "unit_price": qty(ln.unit_price),
                "line_total": amount(ln.line_total),
                "received_qty": qty(ln.received_qty),
            }
            for ln in po.lines.select_related("product")
        ]
    return data


def goods_receipt(grn: GoodsReceipt) -> dict[str, Any]:
    items = [
        {
            "product_code": i.product.code,
            "received_qty": qty(i.received_qty),
            "uom": i.uom,
            "batch_number": i.batch_number,
            "expiry_date": i.expiry_date,
            "lp_number": i.lp.lp_number if i.lp else None,
        }
        for i in grn.items.select_related("product", "lp")
    ]
    return {
        "grn_id": str(grn.id),
        "grn_number": grn.grn_number,
        "status": grn.status,
        "po_id": _s(grn.po_id),
        "po_number": grn.po.po_number if grn.po else None,
        "delivery_note_number": grn.delivery_note_number,
        "receipt_date": grn.receipt_date,
        "warehouse_code": grn.warehouse.code,
        "items": items,
    }


def work_order(wo: WorkOrder) -> dict[str, Any]:
    return {
        "wo_id": str(wo.id),
        "wo_number": wo.wo_number,
        "status": wo.status,
        "product_id": str(wo.product_id),
        "product_code": wo.product.code,
        "product_name": wo.product.name,
        "planned_quantity": qty(wo.planned_quantity),
        "produced_quantity": qty(wo.produced_quantity),
        "uom": wo.uom,
        "planned_start_date": wo.planned_start_date,
    }


def license_plate(lp: LicensePlate) -> dict[str, Any]:
    return {
        "lp_id": str(lp.id),
        "lp_number": lp.lp_number,
        "product_id": str(lp.product_id),
        "product_code": lp.product.code,
        "quantity": qty(lp.quantity),
        "uom": lp.uom,
        "status": lp.status,
        "qa_status": lp.qa_status,
        "batch_number": lp.batch_number,
        "expiry_date": lp.expiry_date,
        "location": lp.location.full_path,
        "warehouse_code": lp.warehouse.code,
        "source": lp.source,
        "sscc": lp.sscc,
    }


def sales_order(so: SalesOrder, *, lines: bool = True) -> dict[str, Any]:
    data: dict[str, Any] = {
        "sales_order_id": str(so.id),
        "order_number": so.order_number,
        "status": so.status,
        "customer_id": str(so.customer_id),
        "customer_code": so.customer.customer_code,
        "customer_name": so.customer.name,
        "customer_po": so.customer_po,
        "source": so.source,
        "order_date": so.order_date,
        "required_delivery_date": so.required_delivery_date,
        "total_amount": amount(so.total_amount),
        "currency": so.currency,
    }
    if lines:
        data["lines"] = [
            {
                "line_number": ln.line_number,
                "product_code": ln.product.code,
                "gtin": ln.product.gtin,
                "quantity_ordered": qty(ln.quantity_ordered),
                "quantity_shipped": qty(ln.quantity_shipped),
                "unit_price": qty(ln.unit_price),
                "line_total": amount(ln.line_total),
            }
            for ln in so.lines.select_related("product")
        ]
    return data


def shipment(sh: Shipment, *, boxes: bool = False) -> dict[str, Any]:
    data: dict[str, Any] = {
        "shipment_id": str(sh.id),
        "shipment_number": sh.shipment_number,
        "status": sh.status,
        "sales_order_id": str(sh.sales_order_id),
        "order_number": sh.sales_order.order_number,
        "customer_code": sh.customer.customer_code,
        "carrier": sh.carrier,
        "tracking_number": sh.tracking_number,
        "total_boxes": sh.total_boxes,
    }
    if boxes:
        data["boxes"] = [
            {
                "box_number": b.box_number,
                "sscc": b.sscc,
                "contents": [
                    {
                        "product_code": c.product.code,
                        "quantity": qty(c.quantity),
                        "lot_number": c.lot_number,
                        "expiry_date": c.expiry_date,
                    }
                    for c in b.contents.select_related("product")
                ],
            }
            for b in sh.boxes.all()
        ]
    return data


def invoice(inv: Invoice, *, lines: bool = False) -> dict[str, Any]:
    data: dict[str, Any] = {
        "invoice_id": str(inv.id),
        "invoice_number": inv.invoice_number or None,
        "status": inv.status,
        "payment_status": inv.payment_status,
        "customer_id": str(inv.customer_id),
        "customer_code": inv.customer.customer_code,
        "order_number": inv.sales_order.order_number if inv.sales_order else None,
        "shipment_number": inv.shipment.shipment_number if inv.shipment else None,
        "currency": inv.currency,
        "issue_date": inv.issue_date,
        "sale_date": inv.sale_date,
        "due_date": inv.due_date,
        "total_net": amount(inv.total_net),
        "total_vat": amount(inv.total_vat),
        "total_gross": amount(inv.total_gross),
        "amount_paid": amount(inv.amount_paid),
        "split_payment": inv.split_payment,
    }
    if lines:
        data["buyer"] = {"name": inv.buyer_name, "tax_id": inv.buyer_tax_id, "gln": inv.buyer_gln}
        data["vat_breakdown"] = inv.vat_breakdown
        data["lines"] = [
            {
                "line_number": ln.line_number,
                "product_code": ln.product.code if ln.product else None,
                "description": ln.description,
                "quantity": qty(ln.quantity),
                "uom": ln.uom,
                "unit_price": qty(ln.unit_price),
                "vat_rate": amount(ln.vat_rate),
                "vat_symbol": ln.vat_symbol,
                "net_amount": amount(ln.net_amount),
                "vat_amount": amount(ln.vat_amount),
                "gross_amount": amount(ln.gross_amount),
                "batch_number": ln.batch_number,
            }
            for ln in inv.lines.select_related("product")
        ]
    return data


def payment(p: Payment) -> dict[str, Any]:
    inv = p.invoice
    return {
        "payment_id": str(p.id),
        "invoice_id": str(inv.id),
        "invoice_number": inv.invoice_number,
        "amount": amount(p.amount),
        "currency": p.currency,
        "payment_date": p.payment_date,
        "method": p.method,
        "reference": p.reference,
        "external_id": p.external_id,
        "amount_paid": amount(inv.amount_paid),
        "payment_status": inv.payment_status,
    }
