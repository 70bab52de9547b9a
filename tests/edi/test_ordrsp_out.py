"""ORDRSP out when an EDI partner's sales order is confirmed or cancelled."""

from __future__ import annotations

import pytest

from monopilot.edi.edifact import parse, validate
from monopilot.edi.flows.outbound import generate_for_event
from monopilot.edi.models import EdiMessage
from monopilot.edi.services import receive
from monopilot.erp.models import Customer, Product, SalesOrder
from monopilot.erp.services.sales import so_cancel, so_confirm, so_create, so_update
from monopilot.events.models import Event
from monopilot.integration_logs.models import IntegrationLog

from .support import BUYER_GLN, DP_GLN, GTINS, OUR_GLN, interchange, orders_message

pytestmark = pytest.mark.django_db


def edi_order(world) -> SalesOrder:
    msg = orders_message("PO-77", [(GTINS[0], "12", "3.40"), (GTINS[1], "2", "1.10")])
    (row, _) = receive(org=world.org, data=interchange(msg))
    return SalesOrder.objects.get(pk=row.document_id)


def segments(row: EdiMessage) -> dict[str, list[str]]:
    (inter,) = parse(bytes(row.raw))
    assert validate(inter).problems == []  # not even a warning
    out: dict[str, list[str]] = {}
    for msg in inter.all_messages():
        for seg in msg.body:
            out.setdefault(seg.tag, []).append("+".join(":".join(e) for e in seg.elements))
    return out


def test_confirm_sends_accepting_ordrsp(world):
    so = so_confirm(sales_order=edi_order(world))
    row = EdiMessage.objects.get(message_type="ORDRSP")
    assert (row.status, row.document_id, row.interchange_ref) == ("generated", so.id, "2")
    assert (row.sender_id, row.recipient_id) == (OUR_GLN, BUYER_GLN)
    segs = segments(row)
    assert segs["BGM"] == [f"231+{so.order_number}+29"]
    assert segs["RFF"] == ["ON:PO-77"]
    assert segs["NAD"] == [
        f"BY:{BUYER_GLN}::9".replace(":", "+", 1),
        f"SU+{OUR_GLN}::9",
        f"DP+{DP_GLN}::9",
    ]
    assert segs["LIN"] == [f"1+5+{GTINS[0]}:EN", f"2+5+{GTINS[1]}:EN"]
    assert segs["QTY"] == ["21:12", "12:12", "21:2", "12:2"]
    assert segs["CNT"] == ["2:2"]
    # the same event delivered twice makes no second message
    event = Event.objects.get(type="sales_order.confirmed")
    assert generate_for_event(event) == row
    assert EdiMessage.objects.filter(message_type="ORDRSP").count() == 1


def test_cancel_sends_rejecting_ordrsp_with_reason(world):
    so = so_cancel(sales_order=edi_order(world), reason="Out of stock")
    segs = segments(EdiMessage.objects.get(message_type="ORDRSP", document_id=so.id))
    assert segs["BGM"] == [f"231+{so.order_number}+27"]
    assert segs["FTX"] == ["AAO+++Out of stock"]
    assert segs["LIN"][0].split("+")[1] == "7" and "12:12" not in segs["QTY"]


def test_d01b_partner_gets_d01b_ordrsp(world):
    world.partner.directory = "D01B"
    world.partner.save()
    so_confirm(sales_order=edi_order(world))
    row = EdiMessage.objects.get(message_type="ORDRSP")
    assert row.message_version == "ORDRSP:D:01B:UN:EAN008"
    assert segments(row)["LIN"][0].endswith(":SRV")


def test_customers_without_edi_get_nothing(world):
    other = Customer.objects.create(org=world.org, customer_code="C2", name="No EDI")
    so = so_create(
        org=world.org, customer=other, lines=[{"product": world.products[0], "quantity": 1}]
    )
    so_confirm(sales_order=so)
    edi = edi_order(world)
    world.partner.edi_enabled = False
    world.partner.save()
    so_confirm(sales_order=edi)
    assert not EdiMessage.objects.filter(message_type="ORDRSP").exists()


# -- accepted with changes (1225 4): the planner's edits against the buyer's ORDERS ---------


def lin_groups(row: EdiMessage) -> list[list[str]]:
    """Per LIN: the LIN and the segments under it (up to the next LIN or UNS), validated."""
    segments(row)  # zero problems in the message's own directory
    (inter,) = parse(bytes(row.raw))
    groups: list[list[str]] = []
    (msg,) = inter.all_messages()
    for seg in msg.body:
        text = "+".join(":".join(e) for e in seg.elements)
        if seg.tag == "LIN":
            groups.append([f"LIN+{text}"])
        elif seg.tag == "UNS":
            break
        elif groups:
            groups[-1].append(f"{seg.tag}+{text}")
    return groups


def edit(so: SalesOrder, *lines: tuple[int, str, str]) -> SalesOrder:
    """Replace the draft's lines, as a planner does: (index in GTINS, quantity, price)."""
    return so_update(
        sales_order=so,
        lines=[
            {
                "product": Product.objects.get(org=so.org, gtin=GTINS[i]),
                "quantity": q,
                "unit_price": p,
            }
            for i, q, p in lines
        ],
    )


def confirm(so: SalesOrder) -> EdiMessage:
    so_confirm(sales_order=so)
    return EdiMessage.objects.get(message_type="ORDRSP", document_id=so.id)


def test_unchanged_confirmation_is_29_with_every_line_5(world):
    so = edi_order(world)
    groups = lin_groups(row := confirm(so))
    assert row.document_number == f"{so.order_number}:29"
    assert segments(row)["BGM"] == [f"231+{so.order_number}+29"]
    assert groups == [
        [f"LIN+1+5+{GTINS[0]}:EN", "QTY+21:12", "QTY+12:12", "PRI+AAA:3.4"],
        [f"LIN+2+5+{GTINS[1]}:EN", "QTY+21:2", "QTY+12:2", "PRI+AAA:1.1"],
    ]


def test_quantity_changed_is_4_with_that_line_3(world):
    so = edit(edi_order(world), (0, "10", "3.40"), (1, "2", "1.10"))
    row = confirm(so)
    assert row.document_number == f"{so.order_number}:4"
    assert segments(row)["BGM"] == [f"231+{so.order_number}+4"]
    assert lin_groups(row) == [
        [f"LIN+1+3+{GTINS[0]}:EN", "QTY+21:12", "QTY+12:10", "PRI+AAA:3.4"],
        [f"LIN+2+5+{GTINS[1]}:EN", "QTY+21:2", "QTY+12:2", "PRI+AAA:1.1"],
    ]
    assert segments(row)["CNT"] == ["2:2"]


def test_price_changed_is_3_with_the_confirmed_price(world):
    row = confirm(edit(edi_order(world), (0, "12", "3.40"), (1, "2", "0.95")))
    assert segments(row)["BGM"][0].endswith("+4")
    assert lin_groups(row)[1] == [f"LIN+2+3+{GTINS[1]}:EN", "QTY+21:2", "QTY+12:2", "PRI+AAA:0.95"]
    assert lin_groups(row)[0][0] == f"LIN+1+5+{GTINS[0]}:EN"


def test_removed_line_is_7_with_the_ordered_quantity_only(world):
    # the planner drops line 1; our remaining line (now our line 1) still answers buyer line 2
    row = confirm(edit(edi_order(world), (1, "2", "1.10")))
    assert segments(row)["BGM"][0].endswith("+4")
    assert lin_groups(row) == [
        [f"LIN+1+7+{GTINS[0]}:EN", "QTY+21:12", "PRI+AAA:3.4"],
        [f"LIN+2+5+{GTINS[1]}:EN", "QTY+21:2", "QTY+12:2", "PRI+AAA:1.1"],
    ]
    assert segments(row)["CNT"] == ["2:2"]


def test_added_line_is_1_with_the_confirmed_quantity_only(world):
    row = confirm(edit(edi_order(world), (0, "12", "3.40"), (1, "2", "1.10"), (2, "5", "2.00")))
    assert segments(row)["BGM"][0].endswith("+4")
    assert lin_groups(row)[2] == [f"LIN+3+1+{GTINS[2]}:EN", "QTY+12:5", "PRI+AAA:2"]
    assert [g[0].split("+")[2] for g in lin_groups(row)] == ["5", "5", "1"]
    assert segments(row)["CNT"] == ["2:3"]


def test_product_swapped_on_a_line_is_3_with_our_product(world):
    # line 2 now carries another product: matched by line number only, so changed
    row = confirm(edit(edi_order(world), (0, "12", "3.40"), (2, "2", "1.10")))
    assert lin_groups(row)[1] == [f"LIN+2+3+{GTINS[2]}:EN", "QTY+21:2", "QTY+12:2", "PRI+AAA:1.1"]


@pytest.mark.parametrize("directory", ["D96A", "D01B"])
def test_every_line_action_validates_in_both_directories(world, directory):
    world.partner.directory = directory
    world.partner.save()
    msg = orders_message(
        "PO-88", [(GTINS[0], "12", "3.40"), (GTINS[1], "2", "1.10"), (GTINS[2], "1", "2.50")]
    )
    (order, _) = receive(org=world.org, data=interchange(msg))
    so = SalesOrder.objects.get(pk=order.document_id)
    # 1 unchanged, 2 dropped, 3 fewer; a fourth line of product 1 that nobody ordered
    row = confirm(edit(so, (0, "12", "3.40"), (2, "0.5", "2.50"), (0, "3", "3.40")))
    item = "SRV" if directory == "D01B" else "EN"
    assert [g[0] for g in lin_groups(row)] == [
        f"LIN+1+5+{GTINS[0]}:{item}",
        f"LIN+2+7+{GTINS[1]}:{item}",
        f"LIN+3+3+{GTINS[2]}:{item}",
        f"LIN+4+1+{GTINS[0]}:{item}",
    ]
    assert segments(row)["CNT"] == ["2:4"]


def test_changed_confirmation_twice_makes_one_message_and_cancel_stays_27(world):
    so = edit(edi_order(world), (0, "10", "3.40"))
    row = confirm(so)
    event = Event.objects.get(type="sales_order.confirmed", subject_id=str(so.id))
    assert generate_for_event(event) == row
    assert EdiMessage.objects.filter(message_type="ORDRSP").count() == 1
    so_cancel(sales_order=so, reason="No capacity")
    cancelled = EdiMessage.objects.get(message_type="ORDRSP", document_number__endswith=":27")
    segs = segments(cancelled)
    assert segs["BGM"] == [f"231+{so.order_number}+27"]
    assert segs["LIN"] == [f"1+7+{GTINS[0]}:EN"] and segs["QTY"] == ["21:10"]


def test_order_not_from_edi_is_29_with_ordered_equal_confirmed(world):
    so = so_create(
        org=world.org,
        customer=world.customer,
        lines=[{"product": world.products[0], "quantity": 4, "unit_price": "2.00"}],
    )
    row = confirm(so)
    assert segments(row)["BGM"] == [f"231+{so.order_number}+29"]
    assert lin_groups(row) == [[f"LIN+1+5+{GTINS[0]}:EN", "QTY+21:4", "QTY+12:4", "PRI+AAA:2"]]


def test_unreadable_stored_orders_refuses_the_ordrsp_not_the_confirmation(world):
    so = edi_order(world)
    EdiMessage.objects.filter(message_type="ORDERS").update(message_ref="999")
    world.partner.refresh_from_db()
    before = world.partner.control_counter
    so_confirm(sales_order=so)
    so.refresh_from_db()
    assert so.status == "confirmed"
    assert not EdiMessage.objects.filter(message_type="ORDRSP").exists()
    log = IntegrationLog.objects.get(event_type="edi.sales_order.confirmed", status="error")
    assert "is not in its stored interchange" in log.error_message
    world.partner.refresh_from_db()
    assert world.partner.control_counter == before  # no interchange number consumed
