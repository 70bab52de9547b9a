"""RECADV in: matched to the PO by RFF+ON, a draft goods receipt, duplicates flagged."""

from __future__ import annotations

import pytest

from erp.factories import build_base, make_po
from monopilot.edi.edifact import Interchange, Message, parse, segment, validate, write_interchange
from monopilot.edi.partners import partner_create
from monopilot.edi.services import receive
from monopilot.erp.models import GoodsReceipt

from .support import OUR_GLN, sample

pytestmark = pytest.mark.django_db


@pytest.fixture
def base(org):
    base = build_base(org)
    partner_create(
        org=org, name="Młyn EDI", gln=base.supplier.gln, our_gln=OUR_GLN, supplier=base.supplier
    )
    return base


def recadv(base, po_number: str, note: str, qty: str = "40", *, ref: str = "9") -> bytes:
    body = [
        segment("BGM", ["352", "", "9"], "R-1", "9"),
        segment("DTM", ["137", "20261124", "102"]),
        segment("DTM", ["50", "20261124", "102"]),
        segment("RFF", ["ON", po_number]),
        segment("RFF", ["DQ", note]),
        segment("NAD", "BY", [OUR_GLN, "", "9"]),
        segment("NAD", "SU", [base.supplier.gln, "", "9"]),
        segment("CPS", "1"),
        segment("LIN", "1", "", [base.product.gtin, "EN"]),
        segment("QTY", ["48", qty]),
        segment("DTM", ["36", "20270131", "102"]),
        segment("RFF", ["BT", "LOT-7"]),
        segment("CNT", ["2", "1"]),
    ]
    msg = Message(
        ref="1",
        type="RECADV",
        version="D",
        release="96A",
        agency="UN",
        association="EAN003",
        segments=body,
    )
    inter = Interchange(
        sender_id=base.supplier.gln,
        sender_qualifier="14",
        recipient_id=OUR_GLN,
        recipient_qualifier="14",
        date="261124",
        time="1000",
        control_ref=ref,
        messages=[msg],
    )
    return write_interchange(inter)


def test_recadv_creates_draft_grn(base):
    po = make_po(base, quantity="100", status="confirmed")
    data = recadv(base, po.po_number, "WZ/1")
    assert validate(parse(data)[0]).errors == []
    row, contrl = receive(org=base.org, data=data)
    assert row.status == "processed", row.errors
    grn = GoodsReceipt.objects.get(pk=row.document_id)
    assert (grn.po, grn.status, grn.delivery_note_number) == (po, "draft", "WZ/1")
    (item,) = grn.items.all()
    assert (item.received_qty, item.supplier_batch_number, str(item.expiry_date)) == (
        40,
        "LOT-7",
        "2027-01-31",
    )
    assert contrl.message_type == "CONTRL"


def test_no_po_match_is_a_clear_error(base):
    (row, _) = receive(org=base.org, data=recadv(base, "PO-NOPE", "WZ/2"))
    assert row.status == "pending_review"
    assert row.errors == [
        {
            "segment_position": 5,
            "segment_tag": "RFF",
            "message": "RFF+ON PO-NOPE: no purchase order with this number",
        }
    ]
    assert not GoodsReceipt.objects.exists()


def test_duplicate_delivery_note_is_flagged(base):
    po = make_po(base, quantity="100", status="confirmed")
    receive(org=base.org, data=recadv(base, po.po_number, "WZ/3", "10"))
    (row, _) = receive(org=base.org, data=recadv(base, po.po_number, "WZ/3", "10", ref="10"))
    assert row.status == "error"
    assert "duplicate delivery note WZ/3" in row.errors[0]["message"]
    assert GoodsReceipt.objects.count() == 1


def test_over_receipt_goes_to_review(base):
    po = make_po(base, quantity="5", status="confirmed")
    (row, _) = receive(org=base.org, data=recadv(base, po.po_number, "WZ/4", "50"))
    assert row.status == "pending_review"
    assert "exceeds" in row.errors[0]["message"]


def test_real_sample_without_order_reference(org):
    partner_create(
        org=org,
        name="FR",
        gln="5412345000013",
        interchange_id="512X20101054836182",
        our_gln=OUR_GLN,
    )
    (row, _) = receive(org=org, data=sample("recadv_d01b_ean007_smooks_release_utf8.edi"))
    assert row.status == "pending_review"
    assert "no order reference (RFF+ON)" in row.errors[0]["message"]
