"""ORDRSP out when an EDI partner's sales order is confirmed or cancelled."""

from __future__ import annotations

import pytest

from monopilot.edi.edifact import parse, validate
from monopilot.edi.flows.outbound import generate_for_event
from monopilot.edi.models import EdiMessage
from monopilot.edi.services import receive
from monopilot.erp.models import Customer, SalesOrder
from monopilot.erp.services.sales import so_cancel, so_confirm, so_create
from monopilot.events.models import Event

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
