"""ORDERS in: real sample files and synthetic messages written with the engine."""

from __future__ import annotations

from decimal import Decimal

import pytest

from monopilot.edi.edifact import parse, read_contrl, segment, validate
from monopilot.edi.models import EdiMessage
from monopilot.edi.partners import partner_create
from monopilot.edi.services import receive, retry
from monopilot.erp.models import Customer, Product, SalesOrder
from monopilot.events.models import Event
from monopilot.integration_logs.models import IntegrationLog

from .support import BUYER_GLN, GTINS, OUR_GLN, interchange, orders_message, sample

pytestmark = pytest.mark.django_db


def test_mode(world) -> None:
    world.partner.test_indicator = True
    world.partner.save()


def inbound(rows: list[EdiMessage]) -> list[EdiMessage]:
    return [r for r in rows if r.direction == "inbound"]


def test_synthetic_orders_becomes_a_sales_order(world):
    msg = orders_message("PO-77", [(GTINS[0], "12", "3.40"), (GTINS[1], "5.5", "1.10")])
    data = interchange(msg)
    (parsed,) = parse(data)
    assert validate(parsed).errors == []
    rows = receive(org=world.org, data=data, filename="orders.edi")
    row, contrl = rows
    assert row.status == "processed", row.errors
    assert (row.message_type, row.document_number, row.interchange_ref) == (
        "ORDERS",
        "PO-77",
        "1001",
    )
    so = SalesOrder.objects.get(pk=row.document_id)
    assert row.document_type == "sales_order"
    assert (so.source, so.customer_po, so.customer, so.shipping_address) == (
        "edi",
        "PO-77",
        world.customer,
        world.address,
    )
    assert str(so.order_date) == "2026-11-20" and str(so.required_delivery_date) == "2026-12-01"
    lines = [(ln.product.code, ln.quantity_ordered, ln.unit_price) for ln in so.lines.all()]
    assert lines == [
        ("FG-1", Decimal("12"), Decimal("3.40")),
        ("FG-2", Decimal("5.5"), Decimal("1.10")),
    ]
    assert bytes(row.raw) == data
    # the CONTRL goes back in the outbox, valid, addressed to the partner
    assert (contrl.direction, contrl.message_type, contrl.status) == (
        "outbound",
        "CONTRL",
        "generated",
    )
    assert (contrl.sender_id, contrl.recipient_id, contrl.interchange_ref) == (
        OUR_GLN,
        BUYER_GLN,
        "1",
    )
    (ack,) = parse(bytes(contrl.raw))
    assert validate(ack).errors == []
    results = read_contrl(ack)
    assert {(r.interchange_ref, r.message_ref, r.status) for r in results} == {
        ("1001", None, "accepted"),
        ("1001", "1", "accepted"),
    }
    events = Event.objects.filter(org=world.org, type__startswith="edi.")
    assert sorted(events.values_list("type", flat=True)) == [
        "edi.message.generated",
        "edi.message.received",
    ]
    received = events.get(type="edi.message.received").data
    assert (received["status"], received["document_id"]) == ("processed", str(so.id))
    logs = IntegrationLog.objects.filter(org=world.org, integration_type="edi")
    assert sorted(logs.values_list("direction", "status")) == [
        ("inbound", "success"),
        ("outbound", "success"),
    ]


def test_interchange_counter_is_per_partner_and_gap_free(world):
    receive(org=world.org, data=interchange(orders_message("A1", [(GTINS[0], "1", "1")])))
    receive(
        org=world.org, data=interchange(orders_message("A2", [(GTINS[0], "1", "1")]), ref="1002")
    )
    refs = EdiMessage.objects.filter(message_type="CONTRL").values_list(
        "interchange_ref", flat=True
    )
    assert sorted(refs) == ["1", "2"]
    world.partner.refresh_from_db()
    assert world.partner.control_counter == 2


def test_bots_sample_file_with_24_interchanges(world):
    test_mode(world)  # the sample interchanges carry UNB 0035=1
    rows = receive(
        org=world.org, data=sample("orders_d96a_ean008_bots_multi.edi"), filename="m.edi"
    )
    ins = inbound(rows)
    assert len(ins) == 24 and len(rows) == 48  # one CONTRL per interchange
    first = ins[0]
    assert first.status == "processed"
    so = SalesOrder.objects.get(pk=first.document_id)
    assert [ln.quantity_ordered for ln in so.lines.all()] == [50, 10, 5]
    assert so.shipping_address == world.address and so.customer_po == "123"
    assert {r.status for r in ins} <= {"processed", "pending_review", "error"}
    processed = [r for r in ins if r.status == "processed"]
    assert SalesOrder.objects.filter(org=world.org, source="edi").count() == len(processed)
    assert len({r.document_number for r in processed}) == len(processed)
    dupes = [r for r in ins if r.status == "error" and "duplicate order" in str(r.errors)]
    assert dupes and all(r.related_id for r in dupes)
    review = [r for r in ins if r.status == "pending_review"]
    assert review  # dummy GTINs (87123456, 123456789012…) are not in the catalogue
    for r in review:
        assert all(e["segment_position"] and e["segment_tag"] for e in r.errors), r.errors


def test_edifabric_sample_maps_by_gln_and_detects_duplicate_in_same_file(org):
    from monopilot.erp.models import ProductType

    kind = ProductType.objects.create(org=org, code="FG", name="FG")
    buyer = Customer.objects.create(org=org, customer_code="UK1", name="UK", gln="5412345000013")
    Product.objects.create(org=org, code="abc1234", name="Beans", product_type=kind)
    partner_create(
        org=org,
        name="UK EDI",
        gln="5412345000013",
        interchange_id="SENDER1",
        our_gln=OUR_GLN,
        test_indicator=True,  # the sample is a test interchange (UNB 0035=1)
    )
    rows = inbound(receive(org=org, data=sample("orders_d96a_edifabric_2msgs_bom.edi")))
    assert [r.status for r in rows] == ["processed", "error"]
    so = SalesOrder.objects.get(pk=rows[0].document_id)
    assert so.customer == buyer and so.customer_po == "128576" and so.currency == "GBP"
    (line,) = so.lines.all()
    # GTIN 4000862141404 unknown -> product found by PIA code ABC1234 (case-insensitive)
    assert (line.product.code, line.quantity_ordered, line.unit_price) == (
        "abc1234",
        Decimal("48"),
        Decimal("14.58"),
    )
    assert "duplicate order 128576" in rows[1].errors[0]["message"]
    assert rows[1].related_id == rows[0].id
    assert SalesOrder.objects.filter(org=org).count() == 1


def test_unresolved_data_goes_to_review_then_retry_succeeds(world):
    data = interchange(
        orders_message("PO-9", [("4012345500004", "3", "9.99")], buyer="5412345000013", dp="")
    )
    # the partner is Retail One (UNB sender) but the buyer GLN in NAD+BY is unknown
    (row, _) = receive(org=world.org, data=data)
    assert row.status == "pending_review"
    texts = [(e["segment_position"], e["segment_tag"], e["message"]) for e in row.errors]
    assert (
        5,
        "NAD",
        "NAD+BY: no customer with GLN 5412345000013, customer code 5412345000013",
    ) in texts
    assert any(t[1] == "LIN" and "no product with GTIN 4012345500004" in t[2] for t in texts)
    assert not SalesOrder.objects.exists()
    with pytest.raises(Exception, match="only inbound messages pending review"):
        retry(message=EdiMessage.objects.get(message_type="CONTRL"))
    # fix the data, retry
    Customer.objects.create(org=world.org, customer_code="X", name="X", gln="5412345000013")
    Product.objects.filter(pk=world.products[0].pk).update(gtin="4012345500004")
    retry(message=row)
    row.refresh_from_db()
    assert row.status == "processed" and row.errors == []
    assert SalesOrder.objects.get(pk=row.document_id).customer.customer_code == "X"


def test_customer_by_tax_id_and_dp_address_missing(world):
    msg = orders_message("PO-1", [(GTINS[0], "1", "1")], buyer="4012345500004", dp="5412345000013")
    msg.segments.insert(4, segment("RFF", ["VA", "PL5261040828"]))
    (row, _) = receive(org=world.org, data=interchange(msg))
    assert row.status == "pending_review"
    assert [e["message"] for e in row.errors] == [
        "NAD+DP: RET1 has no address with GLN 5412345000013"
    ]


def test_unknown_sender_and_disabled_partner_are_errors(world, other_org):
    data = interchange(orders_message("PO-1", [(GTINS[0], "1", "1")]))
    (row,) = receive(org=other_org, data=data)  # no CONTRL: we do not know them
    assert row.status == "error"
    assert row.errors == [
        {"message": f"sender {BUYER_GLN} is not a trading partner of this organisation"}
    ]
    world.partner.edi_enabled = False
    world.partner.save()
    (row,) = receive(org=world.org, data=data)
    assert row.status == "error" and "switched off" in row.errors[0]["message"]
    assert not SalesOrder.objects.exists()


@pytest.mark.parametrize(
    ("data", "text"),
    [
        (b"", "no EDIFACT interchange"),
        (b"\x00\xff garbage", "UNB missing"),
        ("nope", "file cannot be read"),
    ],
)
def test_unreadable_input_is_stored_as_error(org, data, text):
    (row,) = receive(org=org, data=data)  # type: ignore[arg-type]
    assert row.status == "error"
    assert any(text in p["message"] for p in row.problems), row.problems
    assert IntegrationLog.objects.get(org=org).status == "error"


def test_syntax_errors_are_stored_with_positions_and_rejected_by_contrl(world):
    data = interchange(orders_message("PO-1", [(GTINS[0], "1", "1")])).replace(b"UNT+14", b"UNT+99")
    row, contrl = receive(org=world.org, data=data)
    assert row.status == "error"
    (problem,) = [p for p in row.problems if p["severity"] == "error"]
    assert problem["segment_tag"] == "UNT" and problem["code"] == 29
    results = read_contrl(parse(bytes(contrl.raw))[0])
    assert {(r.message_ref, r.status) for r in results if r.message_ref} == {("1", "rejected")}
    assert not SalesOrder.objects.exists()


def test_duplicate_interchange_is_detected(world):
    data = interchange(orders_message("PO-1", [(GTINS[0], "1", "1")]))
    receive(org=world.org, data=data)
    row, _ = receive(org=world.org, data=data)
    assert row.status == "error" and any(p["code"] == 26 for p in row.problems)
    assert SalesOrder.objects.count() == 1


def test_test_interchange_needs_partner_in_test_mode(world):
    from monopilot.edi.edifact import Interchange, WriterOptions, write_interchange

    msg = orders_message("PO-T", [(GTINS[0], "1", "1")])
    inter = Interchange(
        sender_id=BUYER_GLN,
        sender_qualifier="14",
        recipient_id=OUR_GLN,
        recipient_qualifier="14",
        date="261120",
        time="1200",
        control_ref="7",
        test_indicator="1",
        messages=[msg],
    )
    data = write_interchange(inter, WriterOptions())
    (row, _) = receive(org=world.org, data=data)
    assert row.status == "error" and row.is_test
    assert "not in test mode" in row.errors[0]["message"]
    world.partner.test_indicator = True
    world.partner.save()
    inter.control_ref = "8"
    (row, _) = receive(org=world.org, data=write_interchange(inter, WriterOptions()))
    assert row.status == "processed"
