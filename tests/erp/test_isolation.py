"""Org A's selectors never return org B's rows, through every door."""

from __future__ import annotations

import inspect
from datetime import date
from typing import Any

import pytest
from django.db.models import QuerySet
from django.http import Http404

from monopilot.erp import selectors
from monopilot.erp.models import Bom, Payment
from monopilot.erp.services import catalog, invoicing, production, purchasing

from .factories import Base, make_po, make_product, shipped_shipment


def _world(base: Base) -> dict[str, Any]:
    """One of everything for an organisation."""
    flour = make_product(base.org, base.rm, base.vat5, code="RM-MAKA")
    bom = catalog.bom_create(
        product=base.product,
        effective_from=date(2026, 1, 1),
        items=[{"product": flour, "quantity": "1"}],
    )
    po = make_po(base, status="confirmed")
    grn = purchasing.grn_create_draft(po=po, items=[{"line_number": 1, "received_qty": "5"}])
    purchasing.grn_complete(grn=grn)
    wo = production.wo_create(org=base.org, product=base.product, planned_quantity="5")
    shipment = shipped_shipment(base)
    invoice = invoicing.invoice_finalize(
        invoice=invoicing.invoice_create_from_shipment(shipment=shipment)
    )
    payment = invoicing.payment_record(invoice=invoice, amount="1.00")
    return {
        "bom": bom,
        "po": po,
        "grn": grn,
        "wo": wo,
        "shipment": shipment,
        "invoice": invoice,
        "payment": payment,
        "so": shipment.sales_order,
    }


@pytest.fixture
def worlds(base: Base, other_base: Base) -> tuple[Base, Base, dict[str, Any], dict[str, Any]]:
    return base, other_base, _world(base), _world(other_base)


LISTS = [
    name
    for name, fn in inspect.getmembers(selectors, inspect.isfunction)
    if name.endswith("_list") and name != "allergen_list"
] + ["stock_by_product", "stock_by_location"]


def test_lists_only_show_the_callers_rows(worlds: Any) -> None:
    """One test over every list selector (one data build instead of one per selector)."""
    for name in sorted(LISTS):
        _check_list(worlds, name)


def _check_list(worlds: Any, name: str) -> None:
    a, b, _, _ = worlds
    rows_a = list(getattr(selectors, name)(org=a.org))
    rows_b = list(getattr(selectors, name)(org=b.org))
    assert rows_a and rows_b, f"{name} returned nothing: the test proves nothing"
    if isinstance(getattr(selectors, name)(org=a.org), QuerySet):
        assert {r.org_id for r in rows_a} == {a.org.id}, name
        assert {r.org_id for r in rows_b} == {b.org.id}, name
    else:
        ids_b = {r["product_id"] for r in rows_b}
        assert not ids_b & {r["product_id"] for r in rows_a}, name


def _lookups(base: Base, world: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {
        "product_get": {"id": base.product.id},
        "product_get_by_code": {"code": "FG-PIER"},
        "product_get_by_gtin": {"gtin": base.product.gtin},
        "bom_get": {"id": world["bom"].id},
        "supplier_get": {"id": base.supplier.id},
        "supplier_get_by_gln": {"gln": base.supplier.gln},
        "customer_get": {"id": base.customer.id},
        "customer_get_by_gln": {"gln": base.customer.gln},
        "customer_address_get_by_gln": {"gln": base.customer.addresses.get().gln},
        "purchase_order_get": {"id": world["po"].id},
        "purchase_order_get_by_number": {"po_number": world["po"].po_number},
        "goods_receipt_get": {"id": world["grn"].id},
        "goods_receipt_get_by_number": {"grn_number": world["grn"].grn_number},
        "work_order_get": {"id": world["wo"].id},
        "work_order_get_by_number": {"wo_number": world["wo"].wo_number},
        "license_plate_get": {"id": world["grn"].items.get().lp.id},
        "license_plate_get_by_number": {"lp_number": world["grn"].items.get().lp.lp_number},
        "sales_order_get": {"id": world["so"].id},
        "sales_order_get_by_number": {"order_number": world["so"].order_number},
        "shipment_get": {"id": world["shipment"].id},
        "shipment_get_by_number": {"shipment_number": world["shipment"].shipment_number},
        "invoice_get": {"id": world["invoice"].id},
        "invoice_get_by_number": {"invoice_number": world["invoice"].invoice_number},
    }


GETS = sorted(
    name for name, _ in inspect.getmembers(selectors, inspect.isfunction) if "_get" in name
)
COVERED = {
    "product_get",
    "product_get_by_code",
    "product_get_by_gtin",
    "bom_get",
    "supplier_get",
    "supplier_get_by_gln",
    "customer_get",
    "customer_get_by_gln",
    "customer_address_get_by_gln",
    "purchase_order_get",
    "purchase_order_get_by_number",
    "goods_receipt_get",
    "goods_receipt_get_by_number",
    "work_order_get",
    "work_order_get_by_number",
    "license_plate_get",
    "license_plate_get_by_number",
    "sales_order_get",
    "sales_order_get_by_number",
    "shipment_get",
    "shipment_get_by_number",
    "invoice_get",
    "invoice_get_by_number",
}


def test_every_getter_is_covered() -> None:
    assert set(GETS) == COVERED


def test_getters_never_return_the_other_orgs_row(worlds: Any) -> None:
    for name in GETS:
        _check_getter(worlds, name)


def _check_getter(worlds: Any, name: str) -> None:
    a, b, world_a, world_b = worlds
    getter = getattr(selectors, name)
    mine = getter(org=a.org, **_lookups(a, world_a)[name])
    theirs = getter(org=b.org, **_lookups(b, world_b)[name])
    assert mine.org_id == a.org.id and theirs.org_id == b.org.id, name
    if "_by_number" in name or name.endswith("_by_code"):
        # Numbers and codes repeat across organisations: B's number read as A gives A's row.
        assert getter(org=a.org, **_lookups(b, world_b)[name]).id == mine.id, name
    else:
        with pytest.raises(Http404, match="not found"):
            getter(org=a.org, **_lookups(b, world_b)[name])


def test_same_numbers_resolve_per_org(worlds: Any) -> None:
    a, b, world_a, world_b = worlds
    assert world_a["po"].po_number == world_b["po"].po_number  # both orgs number from 1
    found = selectors.purchase_order_get_by_number(org=b.org, po_number=world_a["po"].po_number)
    assert found.id == world_b["po"].id
    found_so = selectors.sales_order_get_by_number(
        org=a.org, order_number=world_b["so"].order_number
    )
    assert found_so.id == world_a["so"].id
    inv = selectors.invoice_get_by_number(
        org=b.org, invoice_number=world_a["invoice"].invoice_number
    )
    assert inv.id == world_b["invoice"].id


def test_filters_cannot_reach_across(worlds: Any) -> None:
    a, b, _world_a, world_b = worlds
    assert not selectors.sales_order_list(org=a.org, customer=b.customer).exists()
    assert not selectors.payment_list(org=a.org, invoice=world_b["invoice"]).exists()
    assert not selectors.license_plate_list(org=a.org, product=b.product).exists()
    assert selectors.stock_by_product(org=a.org, product=b.product) == []
    assert selectors.available_quantity(org=a.org, product=b.product) == 0
    assert not selectors.bom_list(org=a.org, product=b.product).exists()
    assert Bom.objects.count() == 2 and Payment.objects.count() == 2


def test_allergens_are_global(db: None) -> None:
    assert selectors.allergen_list().filter(is_eu_mandatory=True).count() == 14


def test_a_tenant_query_without_an_org_is_refused(db: None) -> None:
    with pytest.raises(ValueError, match="needs an organisation"):
        selectors.product_list(org=None)  # type: ignore[arg-type]
