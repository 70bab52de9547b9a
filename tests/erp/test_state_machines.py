from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import ValidationError

from monopilot.erp.models import PoStatus, ShipmentStatus, SoStatus, WoStatus
from monopilot.erp.services import production, purchasing, sales, shipping
from monopilot.erp.services.production import WO_TRANSITIONS
from monopilot.erp.services.purchasing import PO_TRANSITIONS
from monopilot.erp.services.sales import SO_TRANSITIONS
from monopilot.events.models import Event

from .factories import Base, make_lp, make_po, make_so


def _events(type: str) -> list[dict[str, Any]]:
    return [e.data for e in Event.objects.filter(type=type).order_by("occurred_at")]


# --- purchase orders ------------------------------------------------------------------


def test_po_allowed_path_publishes_order_updated_with_status_change(base: Base) -> None:
    po = make_po(base)
    for status in ("submitted", "pending_approval", "confirmed"):
        purchasing.po_set_status(po=po, status=status)
    changes = [e["changes"]["status"] for e in _events("order.updated")]
    assert changes == [
        ["draft", "submitted"],
        ["submitted", "pending_approval"],
        ["pending_approval", "confirmed"],
    ]
    assert po.approval_status == "approved"
    assert len(_events("order.created")) == 1


@pytest.mark.parametrize(
    ("path", "target"),
    [
        ([], "confirmed"),
        ([], "closed"),
        (["cancelled"], "draft"),
        (["submitted", "confirmed", "closed"], "receiving"),
        ([], "nonsense"),
    ],
)
def test_po_refused_transitions(base: Base, path: list[str], target: str) -> None:
    po = make_po(base)
    for status in path:
        purchasing.po_set_status(po=po, status=status)
    before = Event.objects.count()
    with pytest.raises(
        ValidationError,
        match=f"status: purchase order {po.po_number} cannot go from {po.status} to {target}",
    ):
        purchasing.po_set_status(po=po, status=target)
    po.refresh_from_db()
    assert po.status == (path[-1] if path else "draft")
    assert Event.objects.count() == before


def test_po_transition_table_covers_every_status() -> None:
    targets = {t for allowed in PO_TRANSITIONS.values() for t in allowed}
    assert targets | set(PO_TRANSITIONS) == set(PoStatus.values)


# --- work orders (ADR-007) ------------------------------------------------------------


def _wo(base: Base, *path: str, **kwargs: Any) -> Any:
    wo = production.wo_create(org=base.org, product=base.product, planned_quantity="100")
    for status in path:
        production.wo_transition(work_order=wo, to_status=status, **kwargs)
    return wo


def test_wo_full_lifecycle_and_events(base: Base) -> None:
    wo = _wo(base, "planned", "released", "in_progress")
    assert wo.started_at is not None
    production.wo_transition(work_order=wo, to_status="on_hold", pause_reason="Awaria")
    assert wo.paused_at is not None and wo.pause_reason == "Awaria"
    production.wo_transition(work_order=wo, to_status="in_progress")
    assert wo.paused_at is None
    production.wo_transition(
        work_order=wo, to_status="completed", produced_quantity="97", output_location=base.location
    )
    production.wo_transition(work_order=wo, to_status="closed")
    assert [e["to_status"] for e in _events("workorder.status_changed")] == [
        "planned",
        "released",
        "on_hold",
        "in_progress",
        "closed",
    ]
    (started,) = _events("workorder.started")
    (completed,) = _events("workorder.completed")
    assert started["wo_number"] == wo.wo_number
    assert {"wo_number", "product_name", "qty_completed", "completed_at"} <= set(completed)
    assert completed["qty_completed"] == "97.0000"
    assert completed["lp_number"].startswith("LP")
    assert wo.yield_percent == 97


@pytest.mark.parametrize(
    "path",
    [[], ["planned"], ["planned", "released"], ["planned", "released", "in_progress", "on_hold"]],
)
def test_wo_cancel_allowed_from_draft_planned_released_on_hold(base: Base, path: list[str]) -> None:
    wo = _wo(base, *path, pause_reason="x")
    production.wo_transition(work_order=wo, to_status="cancelled")
    assert wo.status == "cancelled"


@pytest.mark.parametrize(
    ("path", "target"),
    [
        ([], "released"),
        ([], "in_progress"),
        (["planned"], "completed"),
        (["planned", "released", "in_progress"], "cancelled"),
        (["planned", "released", "in_progress"], "closed"),
        (["planned", "cancelled"], "planned"),
        (["planned", "released"], "planned"),
    ],
)
def test_wo_refused_transitions(base: Base, path: list[str], target: str) -> None:
    wo = _wo(base, *path)
    with pytest.raises(
        ValidationError, match=f"work order {wo.wo_number} cannot go from {wo.status} to {target}"
    ):
        production.wo_transition(work_order=wo, to_status=target)


def test_wo_hold_needs_a_reason_and_completion_a_quantity(base: Base) -> None:
    wo = _wo(base, "planned", "released", "in_progress")
    with pytest.raises(ValidationError, match="pause_reason"):
        production.wo_transition(work_order=wo, to_status="on_hold")
    with pytest.raises(ValidationError, match="produced_quantity"):
        production.wo_transition(work_order=wo, to_status="completed")
    wo.refresh_from_db()
    assert wo.status == "in_progress"


def test_wo_transition_table_matches_adr_007() -> None:
    assert set(WO_TRANSITIONS[WoStatus.IN_PROGRESS]) == {"on_hold", "completed"}
    cancellable = {s for s, allowed in WO_TRANSITIONS.items() if "cancelled" in allowed}
    assert cancellable == {"draft", "planned", "released", "on_hold"}


# --- sales orders ---------------------------------------------------------------------


def test_so_confirm_cancel_and_status_events(base: Base) -> None:
    so = make_so(base, source="edi", customer_po="4500001")
    assert so.source == "edi"
    sales.so_confirm(sales_order=so)
    assert so.confirmed_at is not None
    sales.so_set_status(sales_order=so, status="allocated")
    sales.so_set_status(sales_order=so, status="picking")
    sales.so_cancel(sales_order=so, reason="Klient anulował")
    assert len(_events("sales_order.confirmed")) == 1
    assert [e["to_status"] for e in _events("sales_order.status_changed")] == [
        "allocated",
        "picking",
    ]
    (cancelled,) = _events("sales_order.cancelled")
    assert cancelled["from_status"] == "picking" and cancelled["reason"] == "Klient anulował"


@pytest.mark.parametrize(
    ("path", "target"),
    [
        ([], "shipped"),
        ([], "picking"),
        (["confirmed"], "delivered"),
        (["cancelled"], "confirmed"),
        (["confirmed", "packing"], "picking"),
    ],
)
def test_so_refused_transitions(base: Base, path: list[str], target: str) -> None:
    so = make_so(base)
    for status in path:
        sales.so_set_status(sales_order=so, status=status)
    with pytest.raises(
        ValidationError,
        match=f"sales order {so.order_number} cannot go from {so.status} to {target}",
    ):
        sales.so_set_status(sales_order=so, status=target)


def test_so_update_records_changes_and_locks_lines_after_draft(base: Base) -> None:
    so = make_so(base)
    sales.so_update(
        sales_order=so,
        customer_po="PO-K-1",
        lines=[{"product": base.product, "quantity": "20", "unit_price": "7.00"}],
    )
    (updated,) = _events("sales_order.updated")
    assert updated["changes"]["customer_po"] == ["", "PO-K-1"]
    assert so.total_amount == 140
    sales.so_confirm(sales_order=so)
    with pytest.raises(
        ValidationError, match=r"lines: lines of .* can only change while it is a draft"
    ):
        sales.so_update(sales_order=so, lines=[{"product": base.product, "quantity": "1"}])


def test_so_duplicate_customer_po_is_refused(base: Base) -> None:
    make_so(base, customer_po="4500777")
    with pytest.raises(ValidationError, match="customer_po: order 4500777 of CUS-1 already exists"):
        make_so(base, customer_po="4500777")


def test_so_transition_table_covers_every_status() -> None:
    targets = {t for allowed in SO_TRANSITIONS.values() for t in allowed}
    assert targets | set(SO_TRANSITIONS) == set(SoStatus.values)


# --- shipments ------------------------------------------------------------------------


def test_shipment_lifecycle_moves_the_sales_order(base: Base) -> None:
    lp = make_lp(base, quantity="50", batch="B-77")
    so = make_so(base, lines=[{"product": base.product, "quantity": "30"}], confirm=True)
    shipment = shipping.shipment_create(sales_order=so, carrier="dpd")
    shipping.shipment_set_status(shipment=shipment, status="packing")
    so.refresh_from_db()
    assert so.status == "packing"
    box = shipping.shipment_add_box(shipment=shipment)
    content = shipping.shipment_add_content(
        box=box, license_plate=lp, sales_order_line=so.lines.get(), quantity="30"
    )
    assert (content.lot_number, content.expiry_date) == ("B-77", lp.expiry_date)
    shipping.shipment_set_status(shipment=shipment, status="packed")
    shipping.shipment_set_status(shipment=shipment, status="shipped", tracking_number="0000712")
    so.refresh_from_db()
    lp.refresh_from_db()
    assert so.status == "shipped" and so.shipped_at is not None
    assert lp.quantity == 20 and lp.status == "available"
    (dispatched,) = _events("shipment.dispatched")
    assert dispatched["tracking_number"] == "0000712"
    assert dispatched["boxes"][0]["sscc"] == box.sscc
    assert dispatched["boxes"][0]["contents"][0]["lot_number"] == "B-77"
    shipping.shipment_set_status(shipment=shipment, status="delivered")
    so.refresh_from_db()
    assert so.status == "delivered"
    assert len(_events("shipment.delivered")) == 1
    assert [e["to_status"] for e in _events("shipment.status_changed")] == ["packing", "packed"]


@pytest.mark.parametrize(
    ("path", "target"),
    [
        ([], "shipped"),
        ([], "packed"),
        (["packing"], "delivered"),
        (["packing", "packed", "shipped", "delivered"], "shipped"),
    ],
)
def test_shipment_refused_transitions(base: Base, path: list[str], target: str) -> None:
    lp = make_lp(base)
    so = make_so(base, confirm=True)
    shipment = shipping.shipment_create(sales_order=so)
    box = shipping.shipment_add_box(shipment=shipment)
    shipping.shipment_add_content(
        box=box, license_plate=lp, sales_order_line=so.lines.get(), quantity="10"
    )
    for status in path:
        shipping.shipment_set_status(shipment=shipment, status=status)
    with pytest.raises(
        ValidationError,
        match=f"shipment {shipment.shipment_number} cannot go from {shipment.status} to {target}",
    ):
        shipping.shipment_set_status(shipment=shipment, status=target)


def test_shipment_refuses_empty_packing_and_unshippable_orders(base: Base) -> None:
    so = make_so(base)
    with pytest.raises(ValidationError, match=r"sales_order: sales order .* is draft"):
        shipping.shipment_create(sales_order=so)
    sales.so_confirm(sales_order=so)
    shipment = shipping.shipment_create(sales_order=so)
    shipping.shipment_set_status(shipment=shipment, status="packing")
    with pytest.raises(ValidationError, match="has no packed contents"):
        shipping.shipment_set_status(shipment=shipment, status="packed")
    assert set(ShipmentStatus.values) >= {"manifested", "exception"}


def test_packing_more_than_the_lp_holds_is_refused(base: Base) -> None:
    lp = make_lp(base, quantity="5")
    so = make_so(base, confirm=True)
    shipment = shipping.shipment_create(sales_order=so)
    box = shipping.shipment_add_box(shipment=shipment)
    with pytest.raises(
        ValidationError, match=rf"quantity: 10 exceeds the 5(\.0+)? szt free on {lp.lp_number}"
    ):
        shipping.shipment_add_content(
            box=box, license_plate=lp, sales_order_line=so.lines.get(), quantity="10"
        )
