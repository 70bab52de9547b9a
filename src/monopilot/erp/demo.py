"""The demo organisations, built through the services (so every row has its events).

`seed()` is idempotent: an organisation that already exists is left alone.
"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import transaction

from monopilot.core.gs1 import with_check_digit
from monopilot.erp import demo_data as D
from monopilot.erp import models as erp_models
from monopilot.erp.demo_documents import (
    DemoContext,
    gln,
    nip,
    purchase_orders,
    sales_orders,
    stock_events,
    work_orders,
)
from monopilot.erp.selectors import product_type_list
from monopilot.erp.services import (
    catalog,
    inventory,
    partners,
    sales,
)
from monopilot.erp.services.common import local_today
from monopilot.tenancy.models import Organization, Plan
from monopilot.tenancy.scoping import scoped
from monopilot.tenancy.services import member_add, organization_create

DEMO_SLUG, OTHER_SLUG = "demo", "other"
COUNTED = (
    "TaxCode",
    "Product",
    "Bom",
    "Warehouse",
    "Location",
    "Supplier",
    "Customer",
    "CustomerAddress",
    "PurchaseOrder",
    "GoodsReceipt",
    "WorkOrder",
    "LicensePlate",
    "SalesOrder",
    "Shipment",
    "ShipmentBox",
    "Invoice",
    "Payment",
)


def demo_counts(*, slug: str) -> dict[str, int]:
    """Rows per erp table of one organisation (what the seed command reports)."""
    org = Organization.objects.filter(slug=slug).first()
    if org is None:
        return {}
    return {name: scoped(getattr(erp_models, name), org).count() for name in COUNTED}


def seed() -> list[str]:
    """Create the demo and other organisations if missing; returns what happened."""
    messages = []
    for slug, build in ((DEMO_SLUG, seed_demo_org), (OTHER_SLUG, seed_other_org)):
        if Organization.objects.filter(slug=slug).exists():
            messages.append(f"organisation {slug!r} already exists: nothing to do")
        else:
            build()
            messages.append(f"organisation {slug!r} created")
    return messages


@transaction.atomic
def seed_demo_org() -> Organization:
    org = organization_create(
        name="Demo Foods sp. z o.o.",
        slug=DEMO_SLUG,
        plan=Plan.GROWTH,
        modules=["integrations"],
        timezone="Europe/Warsaw",
        locale="pl",
        currency="PLN",
        tax_id=nip("525224848"),
        gln=gln("123400001"),
    )
    password = settings.MONOPILOT_DEMO_PASSWORD
    for email, role in (
        ("admin@demo.local", "owner"),
        ("it_manager@demo.local", "it_manager"),
        ("viewer@demo.local", "viewer"),
    ):
        member_add(org=org, email=email, role=role, password=password)
    ctx = DemoContext(org=org, today=local_today(org))
    catalog.erp_settings_set(org=org, gs1_company_prefix=D.DEMO_PREFIX)
    for step in (
        _reference,
        _suppliers,
        _products,
        _boms,
        _warehouses,
        _customers,
        _opening_stock,
        purchase_orders,
        work_orders,
        sales_orders,
        stock_events,
    ):
        step(ctx)
    return org


def _reference(ctx: DemoContext) -> None:
    for code, name, rate, symbol, default in D.TAX_CODES:
        ctx.tax[code] = catalog.tax_code_create(
            org=ctx.org, code=code, name=name, rate=rate, symbol=symbol, is_default=default
        )
    for code, name, color in D.PRODUCT_TYPES:
        catalog.product_type_create(org=ctx.org, code=code, name=name, color=color)


def _suppliers(ctx: DemoContext) -> None:
    for code, name, city, nip_body, gln_body, _, terms in D.SUPPLIERS:
        ctx.suppliers[code] = partners.supplier_create(
            org=ctx.org,
            code=code,
            name=name,
            payment_terms=terms,
            city=city,
            tax_id=nip(nip_body),
            gln=gln(gln_body),
            approved_supplier=True,
            contact_email=f"zamowienia@{code.lower().removeprefix('sup-')}.example.pl",
        )


def _products(ctx: DemoContext) -> None:
    supplier_of = {p: s[0] for s in D.SUPPLIERS for p in s[5].split()}
    types = {t.code: t for t in catalog_types(ctx.org)}
    for i, (code, name, kind, uom, vat, price, allergens, shelf, min_stock) in enumerate(
        D.PRODUCTS
    ):
        ctx.products[code] = catalog.product_create(
            org=ctx.org,
            code=code,
            name=name,
            product_type=types[kind],
            base_uom=uom,
            tax_code=ctx.tax[vat],
            std_price=price,
            allergens=allergens,
            gtin=with_check_digit(f"{D.DEMO_PREFIX}{i + 1:05d}"),
            min_stock=min_stock,
            shelf_life_days=shelf,
            is_perishable=bool(shelf and shelf < 60),
            expiry_policy="rolling" if shelf else "none",
            supplier=ctx.suppliers.get(supplier_of.get(code, "")),
            storage_conditions="2-6°C" if shelf and shelf < 30 else "",
        )


def catalog_types(org: Organization) -> list[Any]:
    return list(product_type_list(org=org))


def _boms(ctx: DemoContext) -> None:
    for code, (output, items) in D.BOMS.items():
        bom = catalog.bom_create(
            product=ctx.products[code],
            effective_from=ctx.day(-180),
            output_qty=output,
            items=[{"product": ctx.products[c], "quantity": q} for c, q in items],
        )
        catalog.bom_activate(bom=bom)


def _warehouses(ctx: DemoContext) -> None:
    for code, name, kind, locations in D.WAREHOUSES:
        wh = inventory.warehouse_create(
            org=ctx.org,
            code=code,
            name=name,
            type=kind,
            is_default=code == "WH-FG",
            address="ul. Przemysłowa 7, 05-800 Pruszków",
        )
        ctx.warehouses[code] = wh
        for loc_code, loc_name, parent in locations:
            loc = inventory.location_create(
                warehouse=wh,
                code=loc_code,
                name=loc_name,
                parent=ctx.locations[f"{code}/{parent}"] if parent else None,
            )
            ctx.locations[f"{code}/{loc_code}"] = loc


def _customers(ctx: DemoContext) -> None:
    for code, name, category, nip_body, gln_body, terms, points in D.CUSTOMERS:
        customer = partners.customer_create(
            org=ctx.org,
            customer_code=code,
            name=name,
            category=category,
            tax_id=nip(nip_body),
            gln=gln(gln_body),
            payment_terms_days=terms,
            email=f"zakupy@{code.lower().removeprefix('cus-')}.example.pl",
            credit_limit=Decimal("250000"),
        )
        partners.customer_address_add(
            customer=customer,
            address_type="billing",
            address_line1=points[0][1],
            city=points[0][2],
            postal_code=points[0][3],
            gln=gln(gln_body),
        )
        for store, street, city, postal, point_gln in points:
            partners.customer_address_add(
                customer=customer,
                address_type="shipping",
                name=store,
                address_line1=street,
                city=city,
                postal_code=postal,
                gln=gln(point_gln),
                dock_hours="06:00-14:00",
            )
        partners.customer_contact_add(
            customer=customer, name="Dział zakupów", email=customer.email, is_primary=True
        )
        ctx.customers[code] = customer


def _opening_stock(ctx: DemoContext) -> None:
    """Stock-take LPs: finished goods in the FG cold store, materials in WH-RM."""
    for i, (code, _n, kind, _u, _v, _p, _a, shelf, _m) in enumerate(D.PRODUCTS):
        if kind == "WIP":
            continue
        where = {"FG": "WH-FG/CHL-R01", "PKG": "WH-RM/OPAK"}.get(kind, "WH-RM/SUCH-R01")
        qty = {"FG": 1500 + 100 * (i % 5), "PKG": 20000}.get(kind, 800)
        made = ctx.day(-(i % 4) - 1)
        inventory.lp_create(
            product=ctx.products[code],
            quantity=str(qty),
            location=ctx.locations[where],
            batch_number=f"B{made:%y%m%d}-{i + 1:02d}",
            manufacture_date=made,
            expiry_date=made + timedelta(days=shelf) if shelf else None,
            source="adjustment",
        )
    inventory.lp_create(
        product=ctx.products["PKG-PALETA"],
        quantity="200",
        location=ctx.locations["WH-FG/WYD"],
        source="adjustment",
    )


@transaction.atomic
def seed_other_org() -> Organization:
    """A second tenant for isolation checks: a few products and customers."""
    org = organization_create(
        name="Other Foods S.A.",
        slug=OTHER_SLUG,
        plan=Plan.GROWTH,
        modules=["integrations"],
        timezone="Europe/Warsaw",
        locale="pl",
        currency="PLN",
        tax_id=nip("634230170"),
        gln=gln("409999990"),
    )
    member_add(
        org=org, email="owner@other.local", role="owner", password=settings.MONOPILOT_DEMO_PASSWORD
    )
    vat5 = catalog.tax_code_create(
        org=org, code="VAT5", name="VAT 5%", rate="5", symbol="5", is_default=True
    )
    fg = catalog.product_type_create(org=org, code="FG", name="Wyrób gotowy")
    products = [
        catalog.product_create(
            org=org,
            code=code,
            name=name,
            product_type=fg,
            tax_code=vat5,
            std_price=price,
            gtin=with_check_digit(f"5909999{i:05d}"),
            allergens=["A07"],
        )
        for i, (code, name, _, price) in enumerate(D.OTHER_PRODUCTS, start=1)
    ]
    wh = inventory.warehouse_create(org=org, code="WH-OT", name="Magazyn główny")
    loc = inventory.location_create(warehouse=wh, code="A01")
    for product in products:
        inventory.lp_create(product=product, quantity="100", location=loc, batch_number="OT-1")
    for code, name, nip_body, gln_body in D.OTHER_CUSTOMERS:
        customer = partners.customer_create(
            org=org, customer_code=code, name=name, tax_id=nip(nip_body), gln=gln(gln_body)
        )
    sales.so_create(org=org, customer=customer, lines=[{"product": products[0], "quantity": "10"}])
    return org
