from __future__ import annotations

from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction

from monopilot.erp.event_types import register_all
from monopilot.erp.models import LicensePlate, SalesOrder
from monopilot.erp.services import catalog, inventory, partners, sales
from monopilot.events import catalogue
from monopilot.events.models import Event

from .factories import Base, make_lp, make_product, make_so

PRD_SEVEN = {
    "order.created",
    "order.updated",
    "workorder.started",
    "workorder.completed",
    "shipment.dispatched",
    "inventory.low",
    "product.created",
}
ERP_TYPES = PRD_SEVEN | {
    "product.updated",
    "product.deactivated",
    "bom.created",
    "bom.activated",
    "supplier.created",
    "supplier.updated",
    "customer.created",
    "customer.updated",
    "goods_receipt.created",
    "goods_receipt.completed",
    "workorder.created",
    "workorder.status_changed",
    "license_plate.created",
    "license_plate.moved",
    "license_plate.consumed",
    "license_plate.blocked",
    "sales_order.created",
    "sales_order.updated",
    "sales_order.confirmed",
    "sales_order.cancelled",
    "sales_order.status_changed",
    "shipment.created",
    "shipment.status_changed",
    "shipment.delivered",
    "invoice.created",
    "invoice.finalized",
    "invoice.paid",
    "payment.recorded",
}


def test_every_erp_type_is_registered_with_a_valid_example() -> None:
    register_all()  # registering again with identical definitions is harmless
    assert set(catalogue.names()) >= ERP_TYPES
    for name in ERP_TYPES:
        event_type = catalogue.get(name)
        assert event_type.description and event_type.schema["type"] == "object"
        assert event_type.errors(event_type.example) == [], name


def test_workorder_completed_example_has_the_prd_fields() -> None:
    example = catalogue.get("workorder.completed").example
    assert {"wo_number", "product_name", "qty_completed", "completed_at"} <= set(example)


def test_a_service_failing_after_publishing_leaves_no_event(base: Base) -> None:
    """so_create publishes sales_order.created, then the caller's transaction fails."""

    class Boom(Exception):
        pass

    events, orders = Event.objects.count(), SalesOrder.objects.count()
    with pytest.raises(Boom), transaction.atomic():
        make_so(base)
        assert Event.objects.filter(type="sales_order.created").exists()
        raise Boom
    assert Event.objects.count() == events
    assert SalesOrder.objects.count() == orders


def test_a_failure_inside_a_service_after_its_first_publish_rolls_everything_back(
    base: Base,
) -> None:
    """lp_consume publishes, then the stock watch fails on a broken product: nothing stays."""
    lp = make_lp(base, quantity="10")
    events = Event.objects.count()
    original = inventory.stock_watch

    def broken(**kwargs: object):  # type: ignore[no-untyped-def]
        with original(**kwargs):  # type: ignore[arg-type]
            yield
        raise RuntimeError("after publish")

    from contextlib import contextmanager

    inventory.stock_watch = contextmanager(broken)  # type: ignore[assignment]
    try:
        with pytest.raises(RuntimeError):
            inventory.lp_consume(lp=lp, quantity="4")
    finally:
        inventory.stock_watch = original  # type: ignore[assignment]
    lp.refresh_from_db()
    assert lp.quantity == 10
    assert Event.objects.count() == events


def test_inventory_low_fires_once_on_the_crossing(base: Base) -> None:
    product = make_product(base.org, base.fg, base.vat5, code="FG-LOW", min_stock="100")
    lp = make_lp(base, product=product, quantity="150")
    other = make_lp(base, product=product, quantity="20")
    assert not Event.objects.filter(type="inventory.low").exists()
    inventory.lp_consume(lp=lp, quantity="40")  # 110 + 20 = 130: still above
    assert not Event.objects.filter(type="inventory.low").exists()
    inventory.lp_consume(lp=lp, quantity="60")  # 50 + 20 = 70 < 100: the crossing
    inventory.lp_consume(lp=lp, quantity="10")  # still below: no second event
    inventory.lp_block(lp=other, reason="QA")  # still below: no event
    (low,) = Event.objects.filter(type="inventory.low")
    assert low.data["available_quantity"] == "70.0000"
    assert low.data["min_stock"] == "100.0000"
    assert low.subject_type == "product" and low.subject_id == str(product.id)
    make_lp(base, product=product, quantity="500")  # back above
    inventory.lp_consume(lp=lp, quantity="40")  # 500 available: stays above
    assert Event.objects.filter(type="inventory.low").count() == 1


def test_inventory_low_on_block_crossing(base: Base) -> None:
    product = make_product(base.org, base.fg, base.vat5, code="FG-BLK", min_stock="50")
    lp = make_lp(base, product=product, quantity="60")
    inventory.lp_block(lp=lp, reason="Reklamacja")
    assert Event.objects.filter(type="inventory.low", subject_id=str(product.id)).count() == 1


def test_event_subjects_allow_ordering_per_object(base: Base) -> None:
    so = make_so(base)
    sales.so_confirm(sales_order=so)
    subjects = set(
        Event.objects.filter(type__startswith="sales_order.").values_list(
            "subject_type", "subject_id"
        )
    )
    assert subjects == {("sales_order", str(so.id))}


def test_product_update_and_deactivate_events(base: Base) -> None:
    catalog.product_update(
        product=base.product, name="Pierogi ruskie 450 g", allergens=["A01", "A07"]
    )
    catalog.product_update(product=base.product, name="Pierogi ruskie 450 g")  # no change
    (updated,) = Event.objects.filter(type="product.updated")
    assert updated.data["changes"]["name"][1] == "Pierogi ruskie 450 g"
    assert updated.data["changes"]["allergens"] == [[], ["A01", "A07"]]
    assert base.product.version == 2
    catalog.product_deactivate(product=base.product)
    assert Event.objects.get(type="product.deactivated").data["status"] == "inactive"
    with pytest.raises(ValidationError, match="status: product FG-PIER is already inactive"):
        catalog.product_deactivate(product=base.product)
    with pytest.raises(ValidationError, match=r"lines\[0\].product: product FG-PIER is inactive"):
        make_so(base)


def test_created_events_carry_document_numbers_and_string_decimals(base: Base) -> None:
    so = make_so(base, required_delivery_date=date(2026, 12, 3))
    data = Event.objects.get(type="sales_order.created").data
    assert data["order_number"] == so.order_number
    assert data["sales_order_id"] == str(so.id)
    assert data["required_delivery_date"] == "2026-12-03"
    assert data["lines"][0]["quantity_ordered"] == "10.0000"
    assert data["total_amount"] == "72.00"


def test_inventory_low_fires_again_after_stock_recovered(base: Base) -> None:
    product = make_product(base.org, base.fg, base.vat5, code="FG-AGAIN", min_stock="10")
    lp = make_lp(base, product=product, quantity="12")
    inventory.lp_consume(lp=lp, quantity="5")  # 7: first crossing
    make_lp(base, product=product, quantity="20")  # 27: recovered
    inventory.lp_consume(lp=lp, quantity="7")  # 20: still above
    refill = make_lp(base, product=product, quantity="1")  # 21
    inventory.lp_block(lp=refill, reason="QA")  # 20
    assert Event.objects.filter(type="inventory.low").count() == 1
    other = LicensePlate.objects.filter(product=product, quantity=20).get()
    inventory.lp_consume(lp=other, quantity="15")  # 5: second crossing
    assert Event.objects.filter(type="inventory.low").count() == 2


def test_partner_updates_publish_changes(base: Base) -> None:
    partners.customer_update(customer=base.customer, payment_terms_days=45, name="Sklep")
    (updated,) = Event.objects.filter(type="customer.updated")
    assert updated.data["changes"] == {"payment_terms_days": [30, 45]}
    partners.supplier_update(supplier=base.supplier, gln="")
    assert Event.objects.get(type="supplier.updated").data["changes"]["gln"][1] == ""
    with pytest.raises(ValidationError, match="payment_terms_days: must be between 1 and 365"):
        partners.customer_update(customer=base.customer, payment_terms_days=0)
    with pytest.raises(ValidationError, match="iban: is not a known field"):
        partners.customer_update(customer=base.customer, iban="PL61")
