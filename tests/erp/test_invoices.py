from __future__ import annotations

import re
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from monopilot.erp.models import Invoice, Payment
from monopilot.erp.services import invoicing
from monopilot.events.models import Event

from .factories import Base, make_product, make_so, shipped_shipment


def _draft(base: Base, lines: list[tuple[str, str, object]]) -> Invoice:
    return invoicing.invoice_create(
        org=base.org,
        customer=base.customer,
        lines=[
            {"description": f"poz. {i}", "quantity": q, "unit_price": p, "tax_code": t}
            for i, (q, p, t) in enumerate(lines)
        ],
    )


def test_vat_is_computed_per_rate_on_summed_nets_not_per_line(base: Base) -> None:
    # Three 0.10 nets at 23%: per line 0.023 -> 0.02 (0.06 in total), per rate 0.069 -> 0.07.
    invoice = _draft(base, [("1", "0.10", base.vat23)] * 3)
    assert [ln.vat_amount for ln in invoice.lines.all()] == [Decimal("0.02")] * 3
    assert invoice.total_net == Decimal("0.30")
    assert invoice.total_vat == Decimal("0.07")
    assert invoice.total_gross == Decimal("0.37")


def test_rounding_is_half_up_to_the_grosz(base: Base) -> None:
    # 0.50 at 5% = 0.025 -> 0.03 (banker's rounding would give 0.02); 3 x 0.3333 = 0.9999 -> 1.00
    invoice = _draft(base, [("1", "0.50", base.vat5), ("3", "0.3333", base.vat8)])
    rows = {r["symbol"]: r for r in invoice.vat_breakdown}
    assert rows["5"] == {
        "symbol": "5",
        "rate": "5.00",
        "net": "0.50",
        "vat": "0.03",
        "gross": "0.53",
    }
    assert rows["8"] == {
        "symbol": "8",
        "rate": "8.00",
        "net": "1.00",
        "vat": "0.08",
        "gross": "1.08",
    }


def test_mixed_rates_totals_add_up(base: Base) -> None:
    invoice = _draft(
        base,
        [
            ("480", "7.20", base.vat5),
            ("2", "65.00", base.vat23),
            ("13", "4.99", base.vat8),
            ("7", "1.15", base.vat5),
            ("1", "0.01", base.vat23),
        ],
    )
    breakdown = invoice.vat_breakdown
    assert [r["symbol"] for r in breakdown] == ["23", "8", "5"]
    assert breakdown[0] == {
        "symbol": "23",
        "rate": "23.00",
        "net": "130.01",
        "vat": "29.90",
        "gross": "159.91",
    }
    assert breakdown[2]["net"] == "3464.05" and breakdown[2]["vat"] == "173.20"
    assert invoice.total_net + invoice.total_vat == invoice.total_gross
    assert invoice.total_net == sum(Decimal(r["net"]) for r in breakdown)
    assert invoice.total_vat == sum(Decimal(r["vat"]) for r in breakdown)
    for line in invoice.lines.all():
        assert line.net_amount + line.vat_amount == line.gross_amount


def test_finalize_numbers_freezes_and_publishes(base: Base) -> None:
    shipment = shipped_shipment(base, quantity="480")
    invoice = invoicing.invoice_create_from_shipment(shipment=shipment)
    assert invoice.invoice_number == "" and invoice.status == "draft"
    (line,) = invoice.lines.all()
    assert (line.batch_number, line.quantity, line.vat_symbol) == ("B1", 480, "5")
    invoicing.invoice_finalize(invoice=invoice, issue_date=date(2026, 11, 30))
    assert invoice.invoice_number == "FV/0001/11/2026"
    assert invoice.due_date == date(2026, 11, 30) + timedelta(days=30)
    assert invoice.buyer_tax_id == "3861610227" and invoice.buyer_gln == base.customer.gln
    assert (invoice.total_net, invoice.total_vat, invoice.total_gross) == (
        Decimal("3456.00"),
        Decimal("172.80"),
        Decimal("3628.80"),
    )
    event = Event.objects.get(type="invoice.finalized")
    assert event.data["invoice_number"] == "FV/0001/11/2026"
    assert event.data["lines"][0]["batch_number"] == "B1"
    assert event.subject_type == "invoice" and event.subject_id == str(invoice.id)
    with pytest.raises(ValidationError, match="status: invoice is finalized; only a draft"):
        invoicing.invoice_finalize(invoice=invoice)
    with pytest.raises(ValidationError, match=r"shipment: shipment .* is already invoiced"):
        invoicing.invoice_create_from_shipment(shipment=shipment)


def test_invoice_numbers_are_per_month_and_gap_free(base: Base) -> None:
    numbers = []
    for issue in (date(2026, 11, 3), date(2026, 11, 28), date(2026, 12, 1)):
        invoice = _draft(base, [("1", "10", base.vat23)])
        numbers.append(invoicing.invoice_finalize(invoice=invoice, issue_date=issue).invoice_number)
    assert numbers == ["FV/0001/11/2026", "FV/0002/11/2026", "FV/0001/12/2026"]
    assert all(re.fullmatch(r"FV/\d{4}/\d{2}/\d{4}", n) for n in numbers)


def test_invoice_from_sales_order(base: Base) -> None:
    pallet = make_product(base.org, base.fg, base.vat23, code="PKG-PAL", price="65.00")
    so = make_so(
        base,
        confirm=True,
        lines=[{"product": base.product, "quantity": "10"}, {"product": pallet, "quantity": "1"}],
    )
    invoice = invoicing.invoice_create_from_sales_order(sales_order=so)
    assert [r["symbol"] for r in invoice.vat_breakdown] == ["23", "5"]
    assert invoice.total_gross == Decimal("72.00") + Decimal("3.60") + Decimal("79.95")


def test_payments_partial_then_paid(base: Base) -> None:
    invoice = invoicing.invoice_finalize(invoice=_draft(base, [("1", "100", base.vat23)]))
    invoicing.payment_record(
        invoice=invoice, amount="23.00", external_id="MT940-1", payment_date=date(2026, 12, 1)
    )
    assert (invoice.payment_status, invoice.amount_paid) == ("partial", Decimal("23.00"))
    assert not Event.objects.filter(type="invoice.paid").exists()
    invoicing.payment_record(invoice=invoice, amount="100.00", payment_date=date(2026, 12, 5))
    invoice.refresh_from_db()
    assert invoice.payment_status == "paid" and invoice.last_payment_date == date(2026, 12, 5)
    assert Event.objects.filter(type="payment.recorded").count() == 2
    (paid,) = Event.objects.filter(type="invoice.paid")
    assert paid.data["amount_paid"] == "123.00"


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"amount": "0"}, "amount: must be greater than zero"),
        ({"amount": "200"}, "amount: 200 exceeds the 123.00 outstanding"),
        ({"amount": 1.5}, "amount: must be a decimal string or Decimal, not a float"),
        ({"amount": "1", "currency": "EUR"}, "currency: must be the invoice currency PLN"),
        ({"amount": "1", "external_id": "DUP"}, "external_id: payment DUP is already recorded"),
    ],
)
def test_bad_payments_are_refused(base: Base, kwargs: dict[str, object], message: str) -> None:
    invoice = invoicing.invoice_finalize(invoice=_draft(base, [("1", "100", base.vat23)]))
    if kwargs.get("external_id") == "DUP":
        invoicing.payment_record(invoice=invoice, amount="1", external_id="DUP")
    before = Payment.objects.count()
    with pytest.raises(ValidationError, match=re.escape(message)):
        invoicing.payment_record(invoice=invoice, **kwargs)  # type: ignore[arg-type]
    assert Payment.objects.count() == before


def test_payments_need_a_finalized_invoice_and_overdue_marking(base: Base) -> None:
    draft = _draft(base, [("1", "10", base.vat23)])
    with pytest.raises(ValidationError, match="invoice: invoice is draft"):
        invoicing.payment_record(invoice=draft, amount="1")
    invoice = invoicing.invoice_finalize(invoice=draft, issue_date=date(2026, 1, 2))
    assert invoicing.invoices_mark_overdue(org=base.org, today=date(2026, 3, 1)) == 1
    invoice.refresh_from_db()
    assert invoice.payment_status == "overdue"


def test_split_payment_rule(base: Base) -> None:
    invoice = _draft(base, [("1", "15000", base.vat23)])
    assert invoicing.split_payment_required(invoice=invoice, annex_15_goods=True)
    assert not invoicing.split_payment_required(invoice=invoice, annex_15_goods=False)
    small = _draft(base, [("1", "100", base.vat23)])
    assert not invoicing.split_payment_required(invoice=small, annex_15_goods=True)
    invoicing.invoice_finalize(invoice=invoice, split_payment=True)
    assert Event.objects.get(type="invoice.finalized").data["split_payment"] is True
