"""Helpers shared by the exchange tests."""

from __future__ import annotations

from typing import Any

from monopilot.erp.models import Allergen, Product, ProductType, TaxCode
from monopilot.tenancy.models import Organization


def make_catalogue(org: Organization) -> dict[str, Any]:
    types = {
        code: ProductType.objects.create(org=org, code=code, name=name)
        for code, name in (
            ("RM", "Raw Material"),
            ("WIP", "Work in Progress"),
            ("FG", "Finished Goods"),
            ("PKG", "Packaging"),
        )
    }
    for code, name in (("A01", "Gluten"), ("A03", "Eggs"), ("A07", "Milk")):
        Allergen.objects.get_or_create(
            code=code, defaults={"name_en": name, "is_eu_mandatory": True}
        )
    TaxCode.objects.create(org=org, code="VAT5", name="VAT 5%", rate=5, symbol="5")
    return {"types": types}


def snapshot(org: Organization) -> list[tuple[Any, ...]]:
    """Everything an import may touch, to prove that nothing changed."""
    from monopilot.erp.models import Bom, BomItem, ProductAllergen
    from monopilot.events.models import Event

    return [
        tuple(
            Product.objects.filter(org=org)
            .order_by("code")
            .values_list("code", "name", "base_uom", "version", "shelf_life_days", "updated_at")
        ),
        tuple(
            ProductAllergen.objects.filter(org=org)
            .values_list("product__code", "allergen__code")
            .order_by("product__code", "allergen__code")
        ),
        tuple(
            Bom.objects.filter(org=org)
            .values_list("product__code", "version", "updated_at")
            .order_by("product__code", "version")
        ),
        tuple(
            BomItem.objects.filter(org=org)
            .values_list("bom__product__code", "product__code", "quantity")
            .order_by("bom__product__code", "sequence")
        ),
        Event.objects.filter(org=org).count(),
    ]


def make_world(org: Organization) -> dict[str, Any]:
    """One record of every exportable entity (models written directly: a fixture, not a flow)."""
    from datetime import date
    from decimal import Decimal

    from monopilot.erp import models as m

    cat = make_catalogue(org)
    gluten = Allergen.objects.get(code="A01")
    supplier = m.Supplier.objects.create(
        org=org, code="SUP-1", name='=HYPERLINK("x")', payment_terms="30 days", tax_id="5261040828"
    )
    flour = Product.objects.create(
        org=org,
        code="RM-FLOUR",
        name="Flour",
        base_uom="kg",
        product_type=cat["types"]["RM"],
        supplier=supplier,
        shelf_life_days=180,
    )
    m.ProductAllergen.objects.create(org=org, product=flour, allergen=gluten)
    bread = Product.objects.create(
        org=org, code="FG-BREAD", name="-Bread", base_uom="pcs", product_type=cat["types"]["FG"]
    )
    bom = m.Bom.objects.create(org=org, product=bread, version=1, effective_from=date(2026, 1, 1))
    m.BomItem.objects.create(
        org=org, bom=bom, product=flour, sequence=10, quantity=Decimal("0.5"), uom="kg"
    )
    wh = m.Warehouse.objects.create(org=org, code="WH-1", name="Main")
    loc = m.Location.objects.create(
        org=org, warehouse=wh, code="A01", name="A01", full_path="WH-1/ZONE-A/A01"
    )
    po = m.PurchaseOrder.objects.create(
        org=org,
        po_number="PO-2026-00001",
        supplier=supplier,
        expected_delivery_date=date(2026, 12, 1),
        warehouse=wh,
        status="confirmed",
        total=Decimal("1234.50"),
    )
    for n, qty in ((1, "10"), (2, "2.5")):
        m.PurchaseOrderLine.objects.create(
            org=org,
            po=po,
            line_number=n,
            product=flour,
            quantity=Decimal(qty),
            uom="kg",
            unit_price=Decimal("3.10"),
        )
    m.WorkOrder.objects.create(
        org=org,
        wo_number="WO-20261125-0001",
        product=bread,
        bom=bom,
        planned_quantity=Decimal("100"),
        uom="pcs",
    )
    lp = m.LicensePlate.objects.create(
        org=org,
        lp_number="LP0001",
        product=flour,
        quantity=Decimal("25.5"),
        uom="kg",
        location=loc,
        warehouse=wh,
        batch_number="B1",
        expiry_date=date(2027, 1, 31),
    )
    customer = m.Customer.objects.create(
        org=org, customer_code="C-1", name="Sklep", allergen_restrictions=["A07"]
    )
    so = m.SalesOrder.objects.create(
        org=org,
        order_number="SO-2026-00001",
        customer=customer,
        order_date=date(2026, 11, 20),
        total_amount=Decimal("99"),
    )
    sol = m.SalesOrderLine.objects.create(
        org=org,
        sales_order=so,
        line_number=1,
        product=bread,
        quantity_ordered=Decimal("10"),
        unit_price=Decimal("9.9"),
    )
    shipment = m.Shipment.objects.create(
        org=org, shipment_number="SH-2026-00001", sales_order=so, customer=customer, carrier="dpd"
    )
    box = m.ShipmentBox.objects.create(
        org=org, shipment=shipment, box_number=1, sscc="059012341234567890"
    )
    m.ShipmentBoxContent.objects.create(
        org=org,
        shipment_box=box,
        sales_order_line=sol,
        product=bread,
        license_plate=lp,
        quantity=Decimal("10"),
    )
    tax = TaxCode.objects.get(org=org, code="VAT5")
    invoice = m.Invoice.objects.create(
        org=org,
        customer=customer,
        invoice_number="FV/1/11/2026",
        issue_date=date(2026, 11, 21),
        total_net=Decimal("99"),
    )
    m.InvoiceLine.objects.create(
        org=org,
        invoice=invoice,
        line_number=1,
        product=bread,
        description="Bread",
        quantity=Decimal("10"),
        uom="pcs",
        unit_price=Decimal("9.9"),
        tax_code=tax,
        vat_rate=Decimal("5"),
        vat_symbol="5",
    )
    return {"flour": flour, "bread": bread, "po": po, "supplier": supplier}
