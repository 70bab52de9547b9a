"""Purchasing, receiving, BOMs and license plates."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from monopilot.erp.models import GoodsReceipt, LicensePlate
from monopilot.erp.services import catalog, inventory, production, purchasing
from monopilot.events.models import Event

from .factories import Base, make_lp, make_po, make_product


def test_po_totals(base: Base) -> None:
    po = purchasing.po_create(
        org=base.org,
        supplier=base.supplier,
        warehouse=base.warehouse,
        expected_delivery_date=date(2026, 12, 1),
        tax_code=base.vat23,
        shipping_cost="50",
        lines=[
            {"product": base.product, "quantity": "3", "unit_price": "0.3333"},
            {
                "product": base.product,
                "quantity": "10",
                "unit_price": "12.50",
                "discount_percent": "10",
            },
        ],
    )
    lines = list(po.lines.all())
    assert [ln.line_total for ln in lines] == [Decimal("1.00"), Decimal("112.50")]
    assert lines[1].discount_amount == Decimal("12.50")
    assert (po.subtotal, po.discount_total, po.tax_amount, po.total) == (
        Decimal("113.50"),
        Decimal("12.50"),
        Decimal("26.11"),
        Decimal("189.61"),
    )
    assert po.payment_terms == "30 dni"


def test_grn_partial_then_full_receipt_moves_the_po(base: Base) -> None:
    po = make_po(base, quantity="100", status="confirmed")
    first = purchasing.grn_create_draft(
        po=po,
        delivery_note_number="WZ/1",
        items=[
            {
                "line_number": 1,
                "received_qty": "40",
                "batch_number": "M1",
                "expiry_date": date(2027, 5, 1),
            }
        ],
    )
    purchasing.grn_complete(grn=first)
    po.refresh_from_db()
    assert po.status == "receiving" and po.lines.get().received_qty == 40
    (lp,) = LicensePlate.objects.filter(grn=first)
    assert (lp.source, lp.batch_number, lp.po_number, lp.qa_status) == (
        "receipt",
        "M1",
        po.po_number,
        "pending",
    )
    second = purchasing.grn_create_draft(
        po=po, delivery_note_number="WZ/2", items=[{"line_number": 1, "received_qty": "60"}]
    )
    purchasing.grn_complete(grn=second)
    po.refresh_from_db()
    assert po.status == "closed"
    statuses = [
        e.data["changes"]["status"]
        for e in Event.objects.filter(type="order.updated").order_by("occurred_at")
    ]
    assert statuses[-2:] == [["confirmed", "receiving"], ["receiving", "closed"]]
    assert Event.objects.filter(type="goods_receipt.completed").count() == 2
    completed = Event.objects.filter(type="goods_receipt.completed").order_by("occurred_at").first()
    assert completed is not None and completed.data["items"][0]["lp_number"] == lp.lp_number


def test_grn_duplicate_delivery_note_and_over_receipt_are_flagged(base: Base) -> None:
    po = make_po(base, quantity="100", status="confirmed")
    purchasing.grn_create_draft(
        po=po, delivery_note_number="WZ/9", items=[{"line_number": 1, "received_qty": "70"}]
    )
    count = GoodsReceipt.objects.count()
    with pytest.raises(
        ValidationError,
        match=f"delivery_note_number: delivery note WZ/9 was already received on {po.po_number}",
    ):
        purchasing.grn_create_draft(
            po=po, delivery_note_number="WZ/9", items=[{"line_number": 1, "received_qty": "1"}]
        )
    with pytest.raises(ValidationError, match=r"items\[0\].received_qty: 31 exceeds the 30"):
        purchasing.grn_create_draft(
            po=po, delivery_note_number="WZ/10", items=[{"line_number": 1, "received_qty": "31"}]
        )
    assert GoodsReceipt.objects.count() == count


def test_grn_needs_a_confirmed_po(base: Base) -> None:
    po = make_po(base)
    with pytest.raises(ValidationError, match=r"po: purchase order .* is draft"):
        purchasing.grn_create_draft(po=po, items=[{"line_number": 1, "received_qty": "1"}])


def test_grn_complete_only_once(base: Base) -> None:
    po = make_po(base, status="confirmed")
    grn = purchasing.grn_create_draft(po=po, items=[{"line_number": 1, "received_qty": "5"}])
    purchasing.grn_complete(grn=grn)
    with pytest.raises(ValidationError, match=r"status: goods receipt .* is completed, not draft"):
        purchasing.grn_complete(grn=grn)


def test_bom_versions_and_overlap(base: Base) -> None:
    flour = make_product(base.org, base.rm, base.vat5, code="RM-MAKA")
    items = [{"product": flour, "quantity": "16", "uom": "kg"}]
    v1 = catalog.bom_create(
        product=base.product,
        effective_from=date(2026, 1, 1),
        effective_to=date(2026, 6, 30),
        items=items,
        output_qty="100",
    )
    v2 = catalog.bom_create(product=base.product, effective_from=date(2026, 7, 1), items=items)
    assert (v1.version, v2.version) == (1, 2)
    with pytest.raises(ValidationError, match="effective_from: dates overlap BOM version 1"):
        catalog.bom_create(
            product=base.product,
            effective_from=date(2026, 3, 1),
            effective_to=date(2026, 3, 31),
            items=items,
        )
    with pytest.raises(ValidationError, match="effective_from: dates overlap BOM version 2"):
        catalog.bom_create(product=base.product, effective_from=date(2030, 1, 1), items=items)
    with pytest.raises(ValidationError, match=r"items\[0\].quantity: must be greater than zero"):
        catalog.bom_create(
            product=flour,
            effective_from=date(2026, 1, 1),
            items=[{"product": base.product, "quantity": "0"}],
        )
    catalog.bom_activate(bom=v2)
    with pytest.raises(ValidationError, match="status: only a draft BOM can be activated"):
        catalog.bom_activate(bom=v2)
    assert catalog.active_bom(product=base.product, on=date(2026, 8, 1)) == v2
    wo = production.wo_create(
        org=base.org,
        product=base.product,
        planned_quantity="10",
        planned_start_date=date(2026, 8, 1),
    )
    assert wo.bom == v2
    bom_event = Event.objects.filter(type="bom.created").first()
    assert bom_event is not None and bom_event.data["items"][0]["product_code"] == "RM-MAKA"


def test_lp_move_consume_block(base: Base) -> None:
    lp = make_lp(base, quantity="10")
    inventory.lp_move(lp=lp, to_location=base.other_location)
    moved = Event.objects.get(type="license_plate.moved")
    assert (moved.data["from_location"], moved.data["to_location"]) == ("WH-1/A01", "WH-1/WYD")
    with pytest.raises(ValidationError, match=r"to_location: license plate .* is already there"):
        inventory.lp_move(lp=lp, to_location=base.other_location)
    with pytest.raises(ValidationError, match="quantity: 11 exceeds the 10"):
        inventory.lp_consume(lp=lp, quantity="11")
    inventory.lp_consume(lp=lp)
    assert lp.status == "consumed" and lp.quantity == 0
    with pytest.raises(ValidationError, match=r"status: license plate .* consumed; cannot block"):
        inventory.lp_block(lp=lp, reason="x")
    fresh = make_lp(base)
    with pytest.raises(ValidationError, match="reason: a block needs a reason"):
        inventory.lp_block(lp=fresh, reason="")
    inventory.lp_block(lp=fresh, reason="Reklamacja")
    assert Event.objects.get(type="license_plate.blocked").data["block_reason"] == "Reklamacja"


def test_location_tree_full_path_and_depth(base: Base) -> None:
    parent = base.location
    for code in ("R01", "P1", "B1"):
        parent = inventory.location_create(warehouse=base.warehouse, code=code, parent=parent)
    assert parent.full_path == "WH-1/A01/R01/P1/B1" and parent.level == 4
    with pytest.raises(ValidationError, match="parent: locations nest at most 4 levels deep"):
        inventory.location_create(warehouse=base.warehouse, code="X", parent=parent)
