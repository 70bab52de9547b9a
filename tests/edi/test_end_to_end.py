"""End to end through the API, as a partner's file would travel: an uploaded ORDERS becomes a
sales order; confirming, shipping and invoicing it produce an ORDRSP, a DESADV and an
INVOIC, downloaded through the API, valid against our specs, readable by pydifact, and
pointing back at the buyer's order number."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from pydifact.segmentcollection import Interchange as PydifactInterchange

from erp.factories import build_base, make_lp
from monopilot.edi.edifact import parse, validate
from monopilot.edi.partners import partner_create
from monopilot.erp.models import SalesOrder
from monopilot.erp.services import sales, shipping
from monopilot.erp.services.invoicing import invoice_create_from_shipment, invoice_finalize

from .support import OUR_GLN, interchange, orders_message

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _urls(settings):
    settings.ROOT_URLCONF = "edi.urls"


@pytest.fixture
def api(client, org):
    client.defaults["HTTP_X_TEST_ORG"] = org.slug
    return client


def _download(api, message_type: str) -> bytes:
    listing = api.get(f"/api/v1/edi/messages?direction=outbound&message_type={message_type}")
    (row,) = listing.json()["results"]
    assert row["status"] == "generated"
    raw = api.get(f"/api/v1/edi/messages/{row['id']}/raw")
    assert raw.status_code == 200
    return bytes(raw.content)


def _segments(data: bytes) -> dict[str, list[str]]:
    (inter,) = parse(data)
    assert validate(inter).problems == []
    # a reader we did not write sees the same segments
    theirs = [seg.tag for seg in PydifactInterchange.from_str(data.decode("latin-1")).segments]
    ours = [seg.tag for msg in inter.all_messages() for seg in msg.segments]
    assert theirs == ours
    out: dict[str, list[str]] = {}
    for msg in inter.all_messages():
        for seg in msg.body:
            out.setdefault(seg.tag, []).append("+".join(":".join(e) for e in seg.elements))
    return out


def test_orders_upload_to_ordrsp_desadv_invoic_download(api, org):
    base = build_base(org)
    customer = base.customer
    address = customer.addresses.get()
    partner_create(org=org, name="Sklep EDI", gln=customer.gln, our_gln=OUR_GLN, customer=customer)
    lp = make_lp(base, quantity="500")
    data = interchange(
        orders_message(
            "PO-E2E-7", [(base.product.gtin, "12", "7.20")], buyer=customer.gln, dp=address.gln
        ),
        sender=customer.gln,
        recipient=OUR_GLN,
    )

    uploaded = api.post("/api/v1/edi/inbox", {"file": SimpleUploadedFile("orders.edi", data)})
    assert uploaded.status_code == 201, uploaded.content
    order_row = uploaded.json()["messages"][0]
    assert (order_row["status"], order_row["document_type"]) == ("processed", "sales_order")
    so = SalesOrder.objects.get(id=order_row["document_id"])
    assert so.customer_po == "PO-E2E-7" and so.shipping_address == address
    assert so.lines.get().quantity_ordered == Decimal("12")

    sales.so_confirm(sales_order=so)
    ordrsp = _segments(_download(api, "ORDRSP"))
    assert ordrsp["BGM"] == [f"231+{so.order_number}+29"]
    assert "ON:PO-E2E-7" in ordrsp["RFF"]
    assert ordrsp["QTY"] == ["21:12", "12:12"]

    shipment = shipping.shipment_create(sales_order=so, carrier="dpd")
    shipping.shipment_set_status(shipment=shipment, status="packing")
    box = shipping.shipment_add_box(shipment=shipment, weight="9.5")
    shipping.shipment_add_content(
        box=box,
        license_plate=lp,
        sales_order_line=so.lines.get(),
        quantity=Decimal("12"),
    )
    for status in ("packed", "shipped"):
        shipping.shipment_set_status(shipment=shipment, status=status, tracking_number="TRK9")
    desadv = _segments(_download(api, "DESADV"))
    assert desadv["BGM"] == [f"351+{shipment.shipment_number}+9"]
    assert "ON:PO-E2E-7" in desadv["RFF"]
    assert f"BJ+{box.sscc}" in desadv["GIN"]

    invoice = invoice_finalize(invoice=invoice_create_from_shipment(shipment=shipment))
    invoic = _segments(_download(api, "INVOIC"))
    assert invoic["BGM"] == [f"380+{invoice.invoice_number}+9"]
    assert "ON:PO-E2E-7" in invoic["RFF"]
    assert invoice.total_net == Decimal("86.40")  # 12 x 7.20
    assert f"77:{invoice.total_gross:.2f}" in invoic["MOA"]
