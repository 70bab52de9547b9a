"""Builders for erp test data, going through the services like real callers do."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from monopilot.core.gs1 import with_check_digit
from monopilot.erp.models import (
    Customer,
    LicensePlate,
    Location,
    Product,
    ProductType,
    PurchaseOrder,
    SalesOrder,
    Shipment,
    Supplier,
    TaxCode,
    Warehouse,
)
from monopilot.erp.services import catalog, inventory, partners, purchasing, sales, shipping
from monopilot.tenancy.models import Organization

PREFIX = "5901234"
_serial = {"n": 100}


def gtin() -> str:
    _serial["n"] += 1
    return with_check_digit(f"{PREFIX}{_serial['n']:05d}")


def gln(body: str = "") -> str:
    _serial["n"] += 1
    return with_check_digit(body or f"590{_serial['n']:09d}")


@dataclass
class Base:
    org: Organization
    vat23: TaxCode
    vat8: TaxCode
    vat5: TaxCode
    fg: ProductType
    rm: ProductType
    warehouse: Warehouse
    location: Location
    other_location: Location
    supplier: Supplier
    customer: Customer
    product: Product
    extras: dict[str, Any] = field(default_factory=dict)


def build_base(org: Organization) -> Base:
    catalog.erp_settings_set(org=org, gs1_company_prefix=PREFIX)
    vat23 = catalog.tax_code_create(org=org, code="VAT23", name="23%", rate="23", symbol="23")
    vat8 = catalog.tax_code_create(org=org, code="VAT8", name="8%", rate="8", symbol="8")
    vat5 = catalog.tax_code_create(
        org=org, code="VAT5", name="5%", rate="5", symbol="5", is_default=True
    )
    fg = catalog.product_type_create(org=org, code="FG", name="Finished goods")
    rm = catalog.product_type_create(org=org, code="RM", name="Raw material")
    warehouse = inventory.warehouse_create(org=org, code="WH-1", name="Main")
    location = inventory.location_create(warehouse=warehouse, code="A01")
    other_location = inventory.location_create(warehouse=warehouse, code="WYD")
    supplier = partners.supplier_create(
        org=org, code="SUP-1", name="Młyn", payment_terms="30 dni", tax_id="5261040828", gln=gln()
    )
    customer = partners.customer_create(
        org=org, customer_code="CUS-1", name="Sklep", tax_id="3861610227", gln=gln()
    )
    partners.customer_address_add(
        customer=customer,
        address_type="shipping",
        address_line1="ul. Polna 1",
        city="Kraków",
        postal_code="30-001",
        gln=gln(),
    )
    partners.customer_contact_add(customer=customer, name="Anna Nowak", is_primary=True)
    product = make_product(org, fg, vat5, code="FG-PIER", price="7.20")
    return Base(
        org,
        vat23,
        vat8,
        vat5,
        fg,
        rm,
        warehouse,
        location,
        other_location,
        supplier,
        customer,
        product,
    )


def make_product(
    org: Organization,
    ptype: ProductType,
    tax: TaxCode,
    *,
    code: str,
    price: str = "1.00",
    **values: Any,
) -> Product:
    return catalog.product_create(
        org=org,
        code=code,
        name=f"Produkt {code}",
        product_type=ptype,
        tax_code=tax,
        std_price=price,
        gtin=gtin(),
        **values,
    )


def make_lp(
    base: Base, *, product: Product | None = None, quantity: str = "100", **values: Any
) -> LicensePlate:
    return inventory.lp_create(
        product=product or base.product,
        quantity=quantity,
        location=base.location,
        batch_number=values.pop("batch", "B1"),
        expiry_date=values.pop("expiry", date(2027, 1, 31)),
        **values,
    )


def make_po(base: Base, *, quantity: str = "100", status: str = "draft") -> PurchaseOrder:
    po = purchasing.po_create(
        org=base.org,
        supplier=base.supplier,
        warehouse=base.warehouse,
        expected_delivery_date=date(2026, 12, 1),
        tax_code=base.vat5,
        lines=[{"product": base.product, "quantity": quantity, "unit_price": "2.50"}],
    )
    path = {"draft": [], "confirmed": ["submitted", "confirmed"]}[status]
    for step in path:
        purchasing.po_set_status(po=po, status=step)
    return po


def make_so(
    base: Base, *, lines: list[dict[str, Any]] | None = None, confirm: bool = False, **values: Any
) -> SalesOrder:
    so = sales.so_create(
        org=base.org,
        customer=base.customer,
        lines=lines or [{"product": base.product, "quantity": "10"}],
        **values,
    )
    if confirm:
        sales.so_confirm(sales_order=so)
    return so


def shipped_shipment(base: Base, *, quantity: str = "10", deliver: bool = False) -> Shipment:
    lp = make_lp(base, quantity="500")
    so = make_so(base, lines=[{"product": base.product, "quantity": quantity}], confirm=True)
    shipment = shipping.shipment_create(sales_order=so, carrier="dpd")
    shipping.shipment_set_status(shipment=shipment, status="packing")
    box = shipping.shipment_add_box(shipment=shipment, weight="12.5")
    shipping.shipment_add_content(
        box=box, license_plate=lp, sales_order_line=so.lines.get(), quantity=Decimal(quantity)
    )
    for status in ("packed", "shipped") + (("delivered",) if deliver else ()):
        shipping.shipment_set_status(shipment=shipment, status=status, tracking_number="TRK1")
    return shipment
