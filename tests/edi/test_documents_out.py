"""DESADV for a dispatched shipment and INVOIC for a finalized invoice of an EDI customer."""

from __future__ import annotations

from decimal import Decimal

import pytest

from erp.factories import build_base, shipped_shipment
from monopilot.edi.eancom.despatch import InvoiceData, invoice_problems
from monopilot.edi.edifact import parse, validate
from monopilot.edi.models import EdiMessage
from monopilot.edi.partners import partner_create
from monopilot.erp.models import ShipmentBox
from monopilot.erp.services.invoicing import invoice_create_from_shipment, invoice_finalize
from monopilot.integration_logs.models import IntegrationLog

from .support import OUR_GLN

pytestmark = pytest.mark.django_db


@pytest.fixture
def base(org):
    base = build_base(org)
    partner_create(
        org=org, name="Sklep EDI", gln=base.customer.gln, our_gln=OUR_GLN, customer=base.customer
    )
    return base


def segments(row: EdiMessage) -> dict[str, list[str]]:
    (inter,) = parse(bytes(row.raw))
    assert validate(inter).problems == []  # zero errors, zero warnings
    out: dict[str, list[str]] = {}
    for msg in inter.all_messages():
        for seg in msg.body:
            out.setdefault(seg.tag, []).append("+".join(":".join(e) for e in seg.elements))
    return out


def test_dispatched_shipment_sends_desadv_with_sscc_batch_expiry(base):
    shipment = shipped_shipment(base, quantity="10")
    row = EdiMessage.objects.get(message_type="DESADV")
    assert (row.document_id, row.status, row.document_number) == (
        shipment.id,
        "generated",
        shipment.shipment_number,
    )
    segs = segments(row)
    box = ShipmentBox.objects.get(shipment=shipment)
    assert segs["BGM"] == [f"351+{shipment.shipment_number}+9"]
    assert segs["CPS"] == ["1", "2+1"]
    assert segs["PCI"] == ["33E", "36E"]
    assert segs["GIN"] == [f"BJ+{box.sscc}", "BX+B1"]
    assert segs["LIN"] == [f"1++{base.product.gtin}:EN"]
    assert segs["QTY"] == ["12:10"]
    assert "36:20270131:102" in segs["DTM"]
    assert segs["MEA"] == ["PD+AAB+KGM:12.5"]
    assert segs["CNT"] == ["2:1"]


def test_finalized_invoice_sends_invoic_with_vat_summary(base):
    shipment = shipped_shipment(base, quantity="10")
    invoice = invoice_create_from_shipment(shipment=shipment)
    invoice_finalize(invoice=invoice)
    row = EdiMessage.objects.get(message_type="INVOIC")
    segs = segments(row)
    assert segs["BGM"] == [f"380+{invoice.invoice_number}+9"]
    assert f"77:{invoice.total_gross:.2f}" in segs["MOA"]
    assert f"79:{invoice.total_net:.2f}" in segs["MOA"]
    assert f"124:{invoice.total_vat:.2f}" in segs["MOA"]
    assert segs["TAX"][-1] == "7+VAT+++:::5+S"
    assert (
        segs["RFF"][0]
        == f"ON:{shipment.sales_order.customer_po or shipment.sales_order.order_number}"
    )
    assert invoice_problems(data_of(invoice)) == []


def data_of(invoice) -> InvoiceData:
    from monopilot.edi.flows.documents_out import _invoice_data

    return _invoice_data(invoice, OUR_GLN, invoice.customer.gln)


def test_totals_must_reconcile_before_sending():
    d = InvoiceData(
        "FV/1",
        None,
        None,
        "",
        "",
        "",
        "",
        "PLN",  # type: ignore[arg-type]
        Decimal("10.00"),
        Decimal("0.50"),
        Decimal("10.49"),
    )
    assert "net + VAT differs from the gross total (MOA 77/86)" in invoice_problems(d)


def test_no_partner_no_message_and_failures_do_not_block(org):
    base = build_base(org)
    shipped_shipment(base)
    assert not EdiMessage.objects.exists()
    partner_create(
        org=org, name="P", gln=base.customer.gln, our_gln=OUR_GLN, customer=base.customer
    )
    shipment = shipped_shipment(base)
    assert EdiMessage.objects.filter(message_type="DESADV", document_id=shipment.id).exists()
    assert IntegrationLog.objects.filter(org=org, integration_type="edi").exists()
