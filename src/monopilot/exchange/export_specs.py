"""What each exportable entity looks like: its layout, its rows and its filters.

One `ExportSpec` per entity (FR-INT-008 and more). `records()` turns model rows into the
plain dicts the writers stream; nested children are prefetched per chunk of the iterator,
so memory stays flat whatever the number of rows.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db.models import Model, Prefetch, Q, QuerySet

from monopilot.erp.models import (
    Bom,
    BomItem,
    Customer,
    Invoice,
    InvoiceLine,
    LicensePlate,
    Product,
    PurchaseOrder,
    PurchaseOrderLine,
    SalesOrder,
    SalesOrderLine,
    Shipment,
    ShipmentBoxContent,
    Supplier,
    WorkOrder,
)
from monopilot.exchange.import_products import type_label
from monopilot.exchange.layouts import Field, Layout, Nested

S, I, D, DATE, DT, B = "str", "int", "decimal", "date", "datetime", "bool"  # noqa: E741
BASIC = "export.basic"  # any role that may export (FR-INT-008: USER may export products/BOMs)
ADMIN = "integrations.manage"  # the other entities need an administrator


def F(name: str, kind: str = S, required: bool = False, item: str = "") -> Field:
    return Field(name, kind, required, item)


@dataclass(frozen=True)
class ExportSpec:
    layout: Layout
    model: type[Model]
    record: Callable[[Any], dict[str, Any]]
    date_field: str  # filtered by date_from / date_to
    archived: Q  # rows hidden unless include_archived
    filters: dict[str, str]  # filter name -> ORM lookup (values are codes)
    capability: str = ADMIN
    related: tuple[str, ...] = ()
    prefetch: tuple[Prefetch, ...] = ()
    order_by: tuple[str, ...] = ("created_at", "id")

    @property
    def entity(self) -> str:
        return self.layout.entity


AUDIT = (F("created_at", DT), F("updated_at", DT))


def _product(p: Product) -> dict[str, Any]:
    return {
        "product_code": p.code,
        "name": p.name,
        "type": type_label(p.product_type.code),
        "unit": p.base_uom,
        "description": p.description,
        "allergens": sorted(a.code for a in p.allergens.all()),
        "shelf_life_days": p.shelf_life_days,
        "storage_temp": p.storage_conditions,
        "tax_code": p.tax_code.code if p.tax_code else None,
        "status": p.status,
        "gtin": p.gtin,
        "supplier_code": p.supplier.code if p.supplier else None,
        "supplier_name": p.supplier.name if p.supplier else None,
        "created_at": p.created_at,
        "updated_at": p.updated_at,
    }


PRODUCTS = ExportSpec(
    layout=Layout(
        "products",
        "Products",
        "Product",
        (
            F("product_code", S, True),
            F("name", S, True),
            F("type", S, True),
            F("unit", S, True),
            F("description"),
            F("allergens", "list", item="Allergen"),
            F("shelf_life_days", I),
            F("storage_temp"),
            F("tax_code"),
            F("status"),
            F("gtin"),
            F("supplier_code"),
            F("supplier_name"),
            *AUDIT,
        ),
    ),
    model=Product,
    record=_product,
    date_field="updated_at",
    archived=~Q(status="active") | Q(deleted_at__isnull=False),
    filters={
        "status": "status",
        "type": "product_type__code",
        "supplier": "supplier__code",
        "product": "code",
    },
    capability=BASIC,
    related=("product_type", "tax_code", "supplier"),
    prefetch=(Prefetch("allergens"),),
    order_by=("code",),
)


def _bom(b: Bom) -> dict[str, Any]:
    return {
        "product_code": b.product.code,
        "product_name": b.product.name,
        "version": b.version,
        "status": b.status,
        "effective_from": b.effective_from,
        "effective_to": b.effective_to,
        "output_qty": b.output_qty,
        "output_uom": b.output_uom,
        "yield_percent": b.yield_percent,
        "items": [
            {
                "item_product_code": i.product.code,
                "item_qty": i.quantity,
                "item_unit": i.uom,
                "operation_sequence": i.operation_seq,
                "is_output": i.is_output,
            }
            for i in b.items.all()
        ],
        "created_at": b.created_at,
        "updated_at": b.updated_at,
    }


BOMS = ExportSpec(
    layout=Layout(
        "boms",
        "Boms",
        "Bom",
        (
            F("product_code", S, True),
            F("product_name"),
            F("version", I, True),
            F("status"),
            F("effective_from", DATE),
            F("effective_to", DATE),
            F("output_qty", D),
            F("output_uom"),
            F("yield_percent", D),
            *AUDIT,
        ),
        Nested(
            "items",
            "Item",
            (
                F("item_product_code", S, True),
                F("item_qty", D, True),
                F("item_unit", S, True),
                F("operation_sequence", I),
                F("is_output", B),
            ),
        ),
    ),
    model=Bom,
    record=_bom,
    date_field="effective_from",
    archived=Q(status__in=["phased_out", "inactive"]),
    filters={"status": "status", "product": "product__code"},
    capability=BASIC,
    related=("product",),
    prefetch=(Prefetch("items", BomItem.objects.select_related("product").order_by("sequence")),),
    order_by=("product__code", "version"),
)


def _po(po: PurchaseOrder) -> dict[str, Any]:
    return {
        "po_number": po.po_number,
        "po_date": po.created_at.date(),
        "supplier_code": po.supplier.code,
        "supplier_name": po.supplier.name,
        "delivery_date": po.expected_delivery_date,
        "status": po.status,
        "warehouse_code": po.warehouse.code,
        "currency": po.currency,
        "total_amount": po.total,
        "lines": [
            {
                "line_number": ln.line_number,
                "product_code": ln.product.code,
                "qty": ln.quantity,
                "unit": ln.uom,
                "unit_price": ln.unit_price,
                "line_total": ln.line_total,
                "received_qty": ln.received_qty,
            }
            for ln in po.lines.all()
        ],
        "created_at": po.created_at,
        "updated_at": po.updated_at,
    }


PURCHASE_ORDERS = ExportSpec(
    layout=Layout(
        "purchase_orders",
        "Orders",
        "PurchaseOrder",
        (
            F("po_number", S, True),
            F("po_date", DATE),
            F("supplier_code"),
            F("supplier_name"),
            F("delivery_date", DATE),
            F("status"),
            F("warehouse_code"),
            F("currency"),
            F("total_amount", D),
            *AUDIT,
        ),
        Nested(
            "lines",
            "Line",
            (
                F("line_number", I),
                F("product_code"),
                F("qty", D),
                F("unit"),
                F("unit_price", D),
                F("line_total", D),
                F("received_qty", D),
            ),
        ),
    ),
    model=PurchaseOrder,
    record=_po,
    date_field="created_at",
    archived=Q(status__in=["closed", "cancelled"]),
    filters={
        "status": "status",
        "supplier": "supplier__code",
        "warehouse": "warehouse__code",
        "product": "lines__product__code",
    },
    related=("supplier", "warehouse"),
    prefetch=(
        Prefetch(
            "lines", PurchaseOrderLine.objects.select_related("product").order_by("line_number")
        ),
    ),
    order_by=("po_number",),
)


def _wo(wo: WorkOrder) -> dict[str, Any]:
    return {
        "wo_number": wo.wo_number,
        "product_code": wo.product.code,
        "product_name": wo.product.name,
        "bom_version": wo.bom.version if wo.bom else None,
        "planned_quantity": wo.planned_quantity,
        "produced_quantity": wo.produced_quantity,
        "uom": wo.uom,
        "status": wo.status,
        "priority": wo.priority,
        "planned_start_date": wo.planned_start_date,
        "planned_end_date": wo.planned_end_date,
        "started_at": wo.started_at,
        "completed_at": wo.completed_at,
        "created_at": wo.created_at,
        "updated_at": wo.updated_at,
    }


WORK_ORDERS = ExportSpec(
    layout=Layout(
        "work_orders",
        "WorkOrders",
        "WorkOrder",
        (
            F("wo_number", S, True),
            F("product_code"),
            F("product_name"),
            F("bom_version", I),
            F("planned_quantity", D),
            F("produced_quantity", D),
            F("uom"),
            F("status"),
            F("priority"),
            F("planned_start_date", DATE),
            F("planned_end_date", DATE),
            F("started_at", DT),
            F("completed_at", DT),
            *AUDIT,
        ),
    ),
    model=WorkOrder,
    record=_wo,
    date_field="created_at",
    archived=Q(status__in=["closed", "cancelled"]),
    filters={"status": "status", "product": "product__code", "priority": "priority"},
    related=("product", "bom"),
    order_by=("wo_number",),
)


def _lp(lp: LicensePlate) -> dict[str, Any]:
    return {
        "product_code": lp.product.code,
        "product_name": lp.product.name,
        "location_warehouse": lp.warehouse.code,
        "location_zone": lp.location.full_path,
        "license_plate_number": lp.lp_number,
        "qty_available": lp.quantity,
        "unit": lp.uom,
        "status": lp.status,
        "qa_status": lp.qa_status,
        "batch_number": lp.batch_number,
        "expiry_date": lp.expiry_date,
        "sscc": lp.sscc,
        "last_movement_date": lp.updated_at,
    }


INVENTORY = ExportSpec(
    layout=Layout(
        "inventory",
        "Inventory",
        "LicensePlate",
        (
            F("product_code", S, True),
            F("product_name"),
            F("location_warehouse"),
            F("location_zone"),
            F("license_plate_number", S, True),
            F("qty_available", D),
            F("unit"),
            F("status"),
            F("qa_status"),
            F("batch_number"),
            F("expiry_date", DATE),
            F("sscc"),
            F("last_movement_date", DT),
        ),
    ),
    model=LicensePlate,
    record=_lp,
    date_field="updated_at",
    archived=Q(status="consumed") | Q(quantity=0),
    filters={
        "status": "status",
        "product": "product__code",
        "warehouse": "warehouse__code",
        "location": "location__full_path__startswith",
        "batch": "batch_number",
    },
    related=("product", "warehouse", "location"),
    order_by=("lp_number",),
)


def _shipment(sh: Shipment) -> dict[str, Any]:
    contents = [c for box in sh.boxes.all() for c in box.contents.all()]
    return {
        "shipment_number": sh.shipment_number,
        "order_number": sh.sales_order.order_number,
        "customer_code": sh.customer.customer_code,
        "customer_name": sh.customer.name,
        "status": sh.status,
        "carrier": sh.carrier,
        "tracking_number": sh.tracking_number,
        "sscc": sh.sscc,
        "total_weight": sh.total_weight,
        "total_boxes": sh.total_boxes,
        "shipped_at": sh.shipped_at,
        "delivered_at": sh.delivered_at,
        "contents": [
            {
                "box_number": c.shipment_box.box_number,
                "box_sscc": c.shipment_box.sscc,
                "product_code": c.product.code,
                "lot_number": c.lot_number,
                "expiry_date": c.expiry_date,
                "quantity": c.quantity,
            }
            for c in contents
        ],
        "created_at": sh.created_at,
        "updated_at": sh.updated_at,
    }


SHIPMENTS = ExportSpec(
    layout=Layout(
        "shipments",
        "Shipments",
        "Shipment",
        (
            F("shipment_number", S, True),
            F("order_number"),
            F("customer_code"),
            F("customer_name"),
            F("status"),
            F("carrier"),
            F("tracking_number"),
            F("sscc"),
            F("total_weight", D),
            F("total_boxes", I),
            F("shipped_at", DT),
            F("delivered_at", DT),
            *AUDIT,
        ),
        Nested(
            "contents",
            "Content",
            (
                F("box_number", I),
                F("box_sscc"),
                F("product_code"),
                F("lot_number"),
                F("expiry_date", DATE),
                F("quantity", D),
            ),
        ),
    ),
    model=Shipment,
    record=_shipment,
    date_field="created_at",
    archived=Q(pk__in=[]),  # a shipment is never archived
    filters={"status": "status", "customer": "customer__code", "carrier": "carrier"},
    related=("sales_order", "customer"),
    prefetch=(
        Prefetch(
            "boxes__contents",
            ShipmentBoxContent.objects.select_related("product", "shipment_box").order_by(
                "shipment_box__box_number", "id"
            ),
        ),
    ),
    order_by=("shipment_number",),
)


def _supplier(s: Supplier) -> dict[str, Any]:
    return {
        "supplier_code": s.code,
        "name": s.name,
        "tax_id": s.tax_id,
        "gln": s.gln,
        "address": s.address,
        "city": s.city,
        "postal_code": s.postal_code,
        "country": s.country,
        "contact_name": s.contact_name,
        "contact_email": s.contact_email,
        "contact_phone": s.contact_phone,
        "currency": s.currency,
        "payment_terms": s.payment_terms,
        "is_active": s.is_active,
        "approved_supplier": s.approved_supplier,
        "created_at": s.created_at,
        "updated_at": s.updated_at,
    }


SUPPLIERS = ExportSpec(
    layout=Layout(
        "suppliers",
        "Suppliers",
        "Supplier",
        (
            F("supplier_code", S, True),
            F("name", S, True),
            F("tax_id"),
            F("gln"),
            F("address"),
            F("city"),
            F("postal_code"),
            F("country"),
            F("contact_name"),
            F("contact_email"),
            F("contact_phone"),
            F("currency"),
            F("payment_terms"),
            F("is_active", B),
            F("approved_supplier", B),
            *AUDIT,
        ),
    ),
    model=Supplier,
    record=_supplier,
    date_field="created_at",
    archived=Q(is_active=False),
    filters={"supplier": "code", "country": "country", "currency": "currency"},
    order_by=("code",),
)


def _customer(c: Customer) -> dict[str, Any]:
    return {
        "customer_code": c.customer_code,
        "name": c.name,
        "tax_id": c.tax_id,
        "gln": c.gln,
        "email": c.email,
        "phone": c.phone,
        "category": c.category,
        "credit_limit": c.credit_limit,
        "payment_terms_days": c.payment_terms_days,
        "allergen_restrictions": [str(a) for a in c.allergen_restrictions or []],
        "is_active": c.is_active,
        "created_at": c.created_at,
        "updated_at": c.updated_at,
    }


CUSTOMERS = ExportSpec(
    layout=Layout(
        "customers",
        "Customers",
        "Customer",
        (
            F("customer_code", S, True),
            F("name", S, True),
            F("tax_id"),
            F("gln"),
            F("email"),
            F("phone"),
            F("category"),
            F("credit_limit", D),
            F("payment_terms_days", I),
            F("allergen_restrictions", "list", item="Allergen"),
            F("is_active", B),
            *AUDIT,
        ),
    ),
    model=Customer,
    record=_customer,
    date_field="created_at",
    archived=Q(is_active=False),
    filters={"customer": "customer_code", "category": "category"},
    order_by=("customer_code",),
)


def _so(so: SalesOrder) -> dict[str, Any]:
    return {
        "order_number": so.order_number,
        "order_date": so.order_date,
        "customer_code": so.customer.customer_code,
        "customer_name": so.customer.name,
        "customer_po": so.customer_po,
        "status": so.status,
        "source": so.source,
        "required_delivery_date": so.required_delivery_date,
        "currency": so.currency,
        "total_amount": so.total_amount,
        "lines": [
            {
                "line_number": ln.line_number,
                "product_code": ln.product.code,
                "quantity_ordered": ln.quantity_ordered,
                "quantity_shipped": ln.quantity_shipped,
                "unit_price": ln.unit_price,
                "line_total": ln.line_total,
            }
            for ln in so.lines.all()
        ],
        "created_at": so.created_at,
        "updated_at": so.updated_at,
    }


SALES_ORDERS = ExportSpec(
    layout=Layout(
        "sales_orders",
        "Orders",
        "SalesOrder",
        (
            F("order_number", S, True),
            F("order_date", DATE),
            F("customer_code"),
            F("customer_name"),
            F("customer_po"),
            F("status"),
            F("source"),
            F("required_delivery_date", DATE),
            F("currency"),
            F("total_amount", D),
            *AUDIT,
        ),
        Nested(
            "lines",
            "Line",
            (
                F("line_number", I),
                F("product_code"),
                F("quantity_ordered", D),
                F("quantity_shipped", D),
                F("unit_price", D),
                F("line_total", D),
            ),
        ),
    ),
    model=SalesOrder,
    record=_so,
    date_field="order_date",
    archived=Q(status="cancelled"),
    filters={
        "status": "status",
        "customer": "customer__customer_code",
        "source": "source",
        "product": "lines__product__code",
    },
    related=("customer",),
    prefetch=(
        Prefetch("lines", SalesOrderLine.objects.select_related("product").order_by("line_number")),
    ),
    order_by=("order_number",),
)


def _invoice(inv: Invoice) -> dict[str, Any]:
    return {
        "invoice_number": inv.invoice_number,
        "issue_date": inv.issue_date,
        "sale_date": inv.sale_date,
        "due_date": inv.due_date,
        "customer_code": inv.customer.customer_code,
        "buyer_name": inv.buyer_name,
        "buyer_tax_id": inv.buyer_tax_id,
        "status": inv.status,
        "payment_status": inv.payment_status,
        "currency": inv.currency,
        "total_net": inv.total_net,
        "total_vat": inv.total_vat,
        "total_gross": inv.total_gross,
        "amount_paid": inv.amount_paid,
        "lines": [
            {
                "line_number": ln.line_number,
                "product_code": ln.product.code if ln.product else None,
                "description": ln.description,
                "quantity": ln.quantity,
                "uom": ln.uom,
                "unit_price": ln.unit_price,
                "vat_rate": ln.vat_rate,
                "net_amount": ln.net_amount,
                "vat_amount": ln.vat_amount,
                "gross_amount": ln.gross_amount,
            }
            for ln in inv.lines.all()
        ],
        "created_at": inv.created_at,
        "updated_at": inv.updated_at,
    }


INVOICES = ExportSpec(
    layout=Layout(
        "invoices",
        "Invoices",
        "Invoice",
        (
            F("invoice_number"),
            F("issue_date", DATE),
            F("sale_date", DATE),
            F("due_date", DATE),
            F("customer_code"),
            F("buyer_name"),
            F("buyer_tax_id"),
            F("status"),
            F("payment_status"),
            F("currency"),
            F("total_net", D),
            F("total_vat", D),
            F("total_gross", D),
            F("amount_paid", D),
            *AUDIT,
        ),
        Nested(
            "lines",
            "Line",
            (
                F("line_number", I),
                F("product_code"),
                F("description"),
                F("quantity", D),
                F("uom"),
                F("unit_price", D),
                F("vat_rate", D),
                F("net_amount", D),
                F("vat_amount", D),
                F("gross_amount", D),
            ),
        ),
    ),
    model=Invoice,
    record=_invoice,
    date_field="issue_date",
    archived=Q(status="cancelled"),
    filters={
        "status": "status",
        "payment_status": "payment_status",
        "customer": "customer__customer_code",
    },
    related=("customer",),
    prefetch=(
        Prefetch("lines", InvoiceLine.objects.select_related("product").order_by("line_number")),
    ),
    order_by=("issue_date", "invoice_number", "id"),
)

SPECS: dict[str, ExportSpec] = {
    spec.entity: spec
    for spec in (
        PRODUCTS,
        BOMS,
        PURCHASE_ORDERS,
        WORK_ORDERS,
        INVENTORY,
        SHIPMENTS,
        SUPPLIERS,
        CUSTOMERS,
        SALES_ORDERS,
        INVOICES,
    )
}
ENTITIES = tuple(SPECS)


def base_queryset(spec: ExportSpec) -> QuerySet[Any]:
    qs = spec.model._default_manager.select_related(*spec.related)
    return qs.prefetch_related(*spec.prefetch).order_by(*spec.order_by)
