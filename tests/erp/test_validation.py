"""Bad input: a clear error naming the field, and nothing saved (no row, no event)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

import pytest
from django.core.exceptions import ValidationError

from monopilot.erp.models import (
    Customer,
    CustomerAddress,
    LicensePlate,
    Product,
    PurchaseOrder,
    SalesOrder,
    ShipmentBox,
    Supplier,
)
from monopilot.erp.services import catalog, inventory, partners, purchasing, shipping
from monopilot.events.models import Event

from .factories import Base, make_so


def _refused(call: Callable[[], Any], field: str, text: str, model: type) -> None:
    rows, events = model.objects.count(), Event.objects.count()
    with pytest.raises(ValidationError) as caught:
        call()
    assert field in caught.value.message_dict
    assert f"{field}: " in str(caught.value) and text in str(caught.value)
    assert model.objects.count() == rows
    assert Event.objects.count() == events


@pytest.mark.parametrize(
    ("gtin", "text"),
    [
        ("5901234123458", "wrong check digit (expected 7)"),
        ("59012341234", "GTIN must be 8/12/13/14 digits"),
        ("590123412345X", "GTIN must be 8/12/13/14 digits"),
    ],
)
def test_invalid_gtin_on_product(base: Base, gtin: str, text: str) -> None:
    _refused(
        lambda: catalog.product_create(
            org=base.org, code="X", name="X", product_type=base.fg, gtin=gtin
        ),
        "gtin",
        text,
        Product,
    )


def test_invalid_gtin_on_update_changes_nothing(base: Base) -> None:
    old = base.product.gtin
    _refused(
        lambda: catalog.product_update(product=base.product, gtin="5901234123458"),
        "gtin",
        "wrong check digit",
        Product,
    )
    base.product.refresh_from_db()
    assert base.product.gtin == old


@pytest.mark.parametrize(
    ("values", "field", "text"),
    [
        ({"tax_id": "1234567890"}, "tax_id", "NIP 1234567890 has a wrong check digit"),
        ({"tax_id": "526587763"}, "tax_id", "NIP must be 10 digits"),
        ({"gln": "5900000000016"}, "gln", "GLN 5900000000016 has a wrong check digit (expected 5)"),
        ({"gln": "590000000001"}, "gln", "GLN must be 13 digits"),
    ],
)
def test_invalid_partner_identifiers(
    base: Base, values: dict[str, str], field: str, text: str
) -> None:
    _refused(
        lambda: partners.supplier_create(
            org=base.org, code="S9", name="S", payment_terms="7 dni", **values
        ),
        field,
        text,
        Supplier,
    )
    _refused(
        lambda: partners.customer_create(org=base.org, customer_code="C9", name="C", **values),
        field,
        text,
        Customer,
    )


def test_nip_with_separators_and_pl_prefix_is_normalised(base: Base) -> None:
    supplier = partners.supplier_create(
        org=base.org, code="S8", name="S", payment_terms="7 dni", tax_id="PL 526-587-76-35"
    )
    assert supplier.tax_id == "5265877635"


def test_invalid_delivery_point_gln(base: Base) -> None:
    _refused(
        lambda: partners.customer_address_add(
            customer=base.customer,
            address_type="shipping",
            address_line1="ul. A 1",
            city="Łódź",
            postal_code="90-001",
            gln="5900000000016",
        ),
        "gln",
        "wrong check digit",
        CustomerAddress,
    )


def test_invalid_sscc_on_box_and_lp(base: Base) -> None:
    so = make_so(base, confirm=True)
    shipment = shipping.shipment_create(sales_order=so)
    _refused(
        lambda: shipping.shipment_add_box(shipment=shipment, sscc="059012340000000011"),
        "sscc",
        "SSCC 059012340000000011 has a wrong check digit",
        ShipmentBox,
    )
    _refused(
        lambda: shipping.shipment_add_box(shipment=shipment, sscc="12345"),
        "sscc",
        "SSCC must be 18 digits",
        ShipmentBox,
    )
    _refused(
        lambda: inventory.lp_create(
            product=base.product, quantity="1", location=base.location, sscc="059012340000000011"
        ),
        "sscc",
        "wrong check digit",
        LicensePlate,
    )


def test_generated_and_given_ssccs_are_valid_and_unique(base: Base) -> None:
    from monopilot.core.gs1 import validate_sscc, with_check_digit

    so = make_so(base, confirm=True)
    shipment = shipping.shipment_create(sales_order=so)
    boxes = [shipping.shipment_add_box(shipment=shipment) for _ in range(3)]
    for box in boxes:
        assert validate_sscc(box.sscc) == box.sscc and box.sscc.startswith("05901234")
    given = shipping.shipment_add_box(shipment=shipment, sscc=with_check_digit("05901234999999999"))
    assert given.box_number == 4
    _refused(
        lambda: shipping.shipment_add_box(shipment=shipment, sscc=given.sscc),
        "sscc",
        "is already used on another box",
        ShipmentBox,
    )


def test_sscc_needs_a_company_prefix(base: Base) -> None:
    catalog.erp_settings_set(org=base.org, gs1_company_prefix="")
    so = make_so(base, confirm=True)
    shipment = shipping.shipment_create(sales_order=so)
    _refused(
        lambda: shipping.shipment_add_box(shipment=shipment),
        "sscc",
        "no GS1 company prefix is configured",
        ShipmentBox,
    )


@pytest.mark.parametrize(
    ("line", "field", "text"),
    [
        ({"quantity": "0"}, "lines[0].quantity", "must be greater than zero"),
        ({"quantity": "abc"}, "lines[0].quantity", "'abc' is not a number"),
        ({"quantity": 1.5}, "lines[0].quantity", "not a float"),
        ({"quantity": "1", "unit_price": "-1"}, "lines[0].unit_price", "must not be negative"),
        ({"quantity": "1", "product": None}, "lines[0].product", "is required"),
    ],
)
def test_bad_document_lines_name_the_line(
    base: Base, line: dict[str, Any], field: str, text: str
) -> None:
    line = {"product": base.product, **line}
    _refused(
        lambda: purchasing.po_create(
            org=base.org,
            supplier=base.supplier,
            warehouse=base.warehouse,
            expected_delivery_date=date(2026, 12, 1),
            lines=[line],
        ),
        field,
        text,
        PurchaseOrder,
    )
    _refused(lambda: make_so(base, lines=[line]), field, text, SalesOrder)


def test_cross_org_references_are_refused(base: Base, other_base: Base) -> None:
    _refused(
        lambda: make_so(base, lines=[{"product": other_base.product, "quantity": "1"}]),
        "lines[0].product",
        "must be a product of this organisation",
        SalesOrder,
    )
    _refused(
        lambda: purchasing.po_create(
            org=base.org,
            supplier=other_base.supplier,
            warehouse=base.warehouse,
            expected_delivery_date=date(2026, 12, 1),
            lines=[{"product": base.product, "quantity": "1"}],
        ),
        "supplier",
        "belongs to another organisation",
        PurchaseOrder,
    )


def test_duplicate_codes_and_bad_warehouse_codes(base: Base) -> None:
    _refused(
        lambda: catalog.product_create(
            org=base.org, code="FG-PIER", name="dup", product_type=base.fg
        ),
        "code",
        "product FG-PIER already exists",
        Product,
    )
    from monopilot.erp.models import Warehouse

    _refused(
        lambda: inventory.warehouse_create(org=base.org, code="wh 1", name="x"),
        "code",
        "must be 2-20 characters",
        Warehouse,
    )
    _refused(
        lambda: catalog.product_create(
            org=base.org, code="X2", name="x", product_type=base.fg, allergens=["A99"]
        ),
        "allergens",
        "unknown allergen code(s) A99",
        Product,
    )
