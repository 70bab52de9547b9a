"""Reads of the upstream stand-in, always through tenancy.scoping (the one door)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any, TypeVar
from uuid import UUID

from django.db import models
from django.db.models import Count, Q, QuerySet, Sum

from monopilot.erp.models import (
    Allergen,
    Bom,
    Customer,
    CustomerAddress,
    CustomerContact,
    GoodsReceipt,
    Invoice,
    LicensePlate,
    Location,
    LpStatus,
    Payment,
    Product,
    ProductType,
    PurchaseOrder,
    SalesOrder,
    Shipment,
    Supplier,
    TaxCode,
    Warehouse,
    WorkOrder,
)
from monopilot.tenancy.models import Organization
from monopilot.tenancy.scoping import get_scoped, scoped

M = TypeVar("M", bound=models.Model)
Id = UUID | str


def _filtered(qs: QuerySet[M], **filters: Any) -> QuerySet[M]:
    """Apply only the filters that were given (None means "any")."""
    return qs.filter(**{k: v for k, v in filters.items() if v is not None})


# --- reference data -------------------------------------------------------------------


def allergen_list() -> QuerySet[Allergen]:
    """Global: allergens are shared by every organisation."""
    return Allergen.objects.all()


def tax_code_list(*, org: Organization) -> QuerySet[TaxCode]:
    return scoped(TaxCode, org).filter(deleted_at__isnull=True)


def product_type_list(*, org: Organization) -> QuerySet[ProductType]:
    return scoped(ProductType, org)


def warehouse_list(*, org: Organization) -> QuerySet[Warehouse]:
    return scoped(Warehouse, org)


def location_list(*, org: Organization, warehouse: Warehouse | None = None) -> QuerySet[Location]:
    return _filtered(scoped(Location, org), warehouse=warehouse)


# --- products and BOMs ----------------------------------------------------------------


def product_list(
    *,
    org: Organization,
    status: str | None = None,
    product_type: str | None = None,
    search: str | None = None,
) -> QuerySet[Product]:
    qs = _filtered(scoped(Product, org), status=status, product_type__code=product_type)
    if search:
        qs = qs.filter(Q(code__icontains=search) | Q(name__icontains=search) | Q(gtin=search))
    return qs.select_related("product_type", "tax_code").prefetch_related("allergens")


def product_get(*, org: Organization, id: Id) -> Product:
    return get_scoped(Product, org, id=id)


def product_get_by_code(*, org: Organization, code: str) -> Product:
    return get_scoped(Product, org, code=code)


def product_get_by_gtin(*, org: Organization, gtin: str) -> Product:
    return get_scoped(Product, org, gtin=gtin)


def bom_list(
    *, org: Organization, product: Product | None = None, status: str | None = None
) -> QuerySet[Bom]:
    return _filtered(scoped(Bom, org), product=product, status=status).prefetch_related("items")


def bom_get(*, org: Organization, id: Id) -> Bom:
    return get_scoped(Bom, org, id=id)


# --- partners -------------------------------------------------------------------------


def supplier_list(*, org: Organization, is_active: bool | None = None) -> QuerySet[Supplier]:
    return _filtered(scoped(Supplier, org), is_active=is_active)


def supplier_get(*, org: Organization, id: Id) -> Supplier:
    return get_scoped(Supplier, org, id=id)


def supplier_get_by_gln(*, org: Organization, gln: str) -> Supplier:
    return get_scoped(Supplier, org, gln=gln)


def customer_list(*, org: Organization, is_active: bool | None = None) -> QuerySet[Customer]:
    return _filtered(scoped(Customer, org), is_active=is_active)


def customer_get(*, org: Organization, id: Id) -> Customer:
    return get_scoped(Customer, org, id=id)


def customer_address_list(
    *, org: Organization, customer: Customer | None = None, address_type: str | None = None
) -> QuerySet[CustomerAddress]:
    return _filtered(scoped(CustomerAddress, org), customer=customer, address_type=address_type)


def customer_contact_list(
    *, org: Organization, customer: Customer | None = None
) -> QuerySet[CustomerContact]:
    return _filtered(scoped(CustomerContact, org), customer=customer)


def customer_get_by_gln(*, org: Organization, gln: str) -> Customer:
    """The buyer (NAD+BY) of an EDI message."""
    return get_scoped(Customer, org, gln=gln)


def customer_address_get_by_gln(*, org: Organization, gln: str) -> CustomerAddress:
    """The delivery point (NAD+DP) of an EDI message."""
    return get_scoped(CustomerAddress, org, gln=gln)


# --- documents ------------------------------------------------------------------------


def purchase_order_list(
    *, org: Organization, status: str | None = None, supplier: Supplier | None = None
) -> QuerySet[PurchaseOrder]:
    qs = _filtered(scoped(PurchaseOrder, org), status=status, supplier=supplier)
    return qs.select_related("supplier", "warehouse")


def purchase_order_get(*, org: Organization, id: Id) -> PurchaseOrder:
    return get_scoped(PurchaseOrder, org, id=id)


def purchase_order_get_by_number(*, org: Organization, po_number: str) -> PurchaseOrder:
    return get_scoped(PurchaseOrder, org, po_number=po_number)


def goods_receipt_list(
    *, org: Organization, po: PurchaseOrder | None = None, status: str | None = None
) -> QuerySet[GoodsReceipt]:
    return _filtered(scoped(GoodsReceipt, org), po=po, status=status)


def goods_receipt_get(*, org: Organization, id: Id) -> GoodsReceipt:
    return get_scoped(GoodsReceipt, org, id=id)


def goods_receipt_get_by_number(*, org: Organization, grn_number: str) -> GoodsReceipt:
    return get_scoped(GoodsReceipt, org, grn_number=grn_number)


def work_order_list(
    *, org: Organization, status: str | None = None, product: Product | None = None
) -> QuerySet[WorkOrder]:
    return _filtered(scoped(WorkOrder, org), status=status, product=product).select_related(
        "product"
    )


def work_order_get(*, org: Organization, id: Id) -> WorkOrder:
    return get_scoped(WorkOrder, org, id=id)


def work_order_get_by_number(*, org: Organization, wo_number: str) -> WorkOrder:
    return get_scoped(WorkOrder, org, wo_number=wo_number)


def license_plate_list(
    *,
    org: Organization,
    product: Product | None = None,
    location: Location | None = None,
    status: str | None = None,
    batch_number: str | None = None,
) -> QuerySet[LicensePlate]:
    qs = _filtered(
        scoped(LicensePlate, org),
        product=product,
        location=location,
        status=status,
        batch_number=batch_number,
    )
    return qs.select_related("product", "location", "warehouse")


def license_plate_get(*, org: Organization, id: Id) -> LicensePlate:
    return get_scoped(LicensePlate, org, id=id)


def license_plate_get_by_number(*, org: Organization, lp_number: str) -> LicensePlate:
    return get_scoped(LicensePlate, org, lp_number=lp_number)


def sales_order_list(
    *,
    org: Organization,
    status: str | None = None,
    customer: Customer | None = None,
    source: str | None = None,
) -> QuerySet[SalesOrder]:
    qs = _filtered(scoped(SalesOrder, org), status=status, customer=customer, source=source)
    return qs.select_related("customer")


def sales_order_get(*, org: Organization, id: Id) -> SalesOrder:
    return get_scoped(SalesOrder, org, id=id)


def sales_order_get_by_number(*, org: Organization, order_number: str) -> SalesOrder:
    return get_scoped(SalesOrder, org, order_number=order_number)


def shipment_list(
    *, org: Organization, status: str | None = None, sales_order: SalesOrder | None = None
) -> QuerySet[Shipment]:
    qs = _filtered(scoped(Shipment, org), status=status, sales_order=sales_order)
    return qs.select_related("sales_order", "customer")


def shipment_get(*, org: Organization, id: Id) -> Shipment:
    return get_scoped(Shipment, org, id=id)


def shipment_get_by_number(*, org: Organization, shipment_number: str) -> Shipment:
    return get_scoped(Shipment, org, shipment_number=shipment_number)


def invoice_list(
    *,
    org: Organization,
    status: str | None = None,
    payment_status: str | None = None,
    customer: Customer | None = None,
) -> QuerySet[Invoice]:
    qs = _filtered(
        scoped(Invoice, org), status=status, payment_status=payment_status, customer=customer
    )
    return qs.select_related("customer")


def invoice_get(*, org: Organization, id: Id) -> Invoice:
    return get_scoped(Invoice, org, id=id)


def invoice_get_by_number(*, org: Organization, invoice_number: str) -> Invoice:
    return get_scoped(Invoice, org, invoice_number=invoice_number)


def payment_list(*, org: Organization, invoice: Invoice | None = None) -> QuerySet[Payment]:
    return _filtered(scoped(Payment, org), invoice=invoice)


# --- stock ----------------------------------------------------------------------------


def stock_by_product(*, org: Organization, product: Product | None = None) -> list[dict[str, Any]]:
    """Available stock per product: [{product_id, product_code, quantity, lp_count}]."""
    qs = _filtered(scoped(LicensePlate, org).filter(status=LpStatus.AVAILABLE), product=product)
    rows = (
        qs.values("product_id", "product__code")
        .annotate(quantity=Sum("quantity"), lp_count=Count("id"))
        .order_by("product__code")
    )
    return [
        {
            "product_id": r["product_id"],
            "product_code": r["product__code"],
            "quantity": r["quantity"],
            "lp_count": r["lp_count"],
        }
        for r in rows
    ]


def stock_by_location(
    *, org: Organization, product: Product | None = None, warehouse: Warehouse | None = None
) -> list[dict[str, Any]]:
    """Available stock per product and location: [{product_code, location, quantity, …}]."""
    qs = scoped(LicensePlate, org).filter(status=LpStatus.AVAILABLE)
    qs = _filtered(qs, product=product, warehouse=warehouse)
    rows = (
        qs.values("product_id", "product__code", "location_id", "location__full_path")
        .annotate(quantity=Sum("quantity"), lp_count=Count("id"))
        .order_by("product__code", "location__full_path")
    )
    return [
        {
            "product_id": r["product_id"],
            "product_code": r["product__code"],
            "location_id": r["location_id"],
            "location": r["location__full_path"],
            "quantity": r["quantity"],
            "lp_count": r["lp_count"],
        }
        for r in rows
    ]


def available_quantity(*, org: Organization, product: Product) -> Decimal:
    total = (
        scoped(LicensePlate, org)
        .filter(product=product, status=LpStatus.AVAILABLE)
        .aggregate(total=Sum("quantity"))["total"]
    )
    return total or Decimal("0")
