"""Sales invoices (faktury) and payments.

Totals follow the Polish rule (art. 106e VAT Act, FA(3) P_13/P_14): per VAT rate, the
nets of the lines are summed and the VAT is computed once on that sum, rounded half up
to the grosz. Line VAT amounts are informative; the invoice's VAT is the sum per rate.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone

from monopilot.erp import payloads
from monopilot.erp.models import (
    Customer,
    Invoice,
    InvoiceLine,
    InvoiceStatus,
    Payment,
    PaymentMethod,
    PaymentStatus,
    Product,
    SalesOrder,
    Shipment,
    ShipmentBoxContent,
    ShipmentStatus,
    SoStatus,
    TaxCode,
)
from monopilot.erp.services import numbering
from monopilot.erp.services.common import (
    ZERO,
    emit,
    fail,
    local_today,
    money,
    non_negative,
    positive,
)
from monopilot.tenancy.models import Organization
from monopilot.tenancy.scoping import scoped

MPP_THRESHOLD = Decimal("15000")


def vat_breakdown(lines: Sequence[InvoiceLine]) -> list[dict[str, str | None]]:
    """[{symbol, rate, net, vat, gross}] per VAT rate: VAT on the summed nets, half up."""
    nets: dict[tuple[str, Decimal], Decimal] = defaultdict(lambda: ZERO)
    for line in lines:
        nets[(line.vat_symbol, line.vat_rate)] += line.net_amount
    rows = []
    for (symbol, rate), net in sorted(nets.items(), key=lambda kv: (-kv[0][1], kv[0][0])):
        vat = money(net * rate / 100)
        rows.append(
            {
                "symbol": symbol,
                "rate": payloads.amount(rate),
                "net": payloads.amount(net),
                "vat": payloads.amount(vat),
                "gross": payloads.amount(net + vat),
            }
        )
    return rows


def _apply_totals(invoice: Invoice, lines: Sequence[InvoiceLine]) -> None:
    breakdown = vat_breakdown(lines)
    invoice.total_net = sum((Decimal(str(r["net"])) for r in breakdown), ZERO)
    invoice.total_vat = sum((Decimal(str(r["vat"])) for r in breakdown), ZERO)
    invoice.total_gross = invoice.total_net + invoice.total_vat
    invoice.vat_breakdown = breakdown


def _default_tax_code(org: Organization) -> TaxCode | None:
    return scoped(TaxCode, org).filter(is_default=True, deleted_at__isnull=True).first()


def _line(invoice: Invoice, index: int, line: dict[str, Any]) -> InvoiceLine:
    where = f"lines[{index}]"
    product: Product | None = line.get("product")
    if product is not None and product.org_id != invoice.org_id:
        fail(f"{where}.product", "belongs to another organisation")
    tax_code = line.get("tax_code") or (product.tax_code if product else None)
    tax_code = tax_code or _default_tax_code(invoice.org)
    if tax_code is None or tax_code.org_id != invoice.org_id:
        fail(f"{where}.tax_code", "is required (no product or default tax code)")
    quantity = positive(line.get("quantity"), field=f"{where}.quantity")
    unit_price = non_negative(line.get("unit_price"), field=f"{where}.unit_price")
    net = money(quantity * unit_price)
    vat = money(net * tax_code.rate / 100)
    description = line.get("description") or (product.name if product else "")
    if not description:
        fail(f"{where}.description", "is required")
    return InvoiceLine(
        org=invoice.org,
        invoice=invoice,
        line_number=index + 1,
        product=product,
        sales_order_line=line.get("sales_order_line"),
        description=description,
        quantity=quantity,
        uom=line.get("uom") or (product.base_uom if product else "szt"),
        unit_price=unit_price,
        tax_code=tax_code,
        vat_rate=tax_code.rate,
        vat_symbol=tax_code.symbol,
        net_amount=net,
        vat_amount=vat,
        gross_amount=net + vat,
        batch_number=line.get("batch_number", ""),
    )


@transaction.atomic
def invoice_create(
    *,
    org: Organization,
    customer: Customer,
    lines: Sequence[dict[str, Any]],
    sales_order: SalesOrder | None = None,
    shipment: Shipment | None = None,
    currency: str = "",
    split_payment: bool = False,
    notes: str = "",
) -> Invoice:
    """A draft invoice with explicit lines; numbers come at finalisation."""
    if customer.org_id != org.id:
        fail("customer", "belongs to another organisation")
    if not lines:
        fail("lines", "an invoice needs at least one line")
    invoice = Invoice.objects.create(
        org=org,
        customer=customer,
        sales_order=sales_order,
        shipment=shipment,
        currency=currency or (sales_order.currency if sales_order else org.currency),
        split_payment=split_payment,
        notes=notes,
    )
    built = [_line(invoice, i, line) for i, line in enumerate(lines)]
    InvoiceLine.objects.bulk_create(built)
    _apply_totals(invoice, built)
    invoice.save()
    emit(
        org=org,
        type="invoice.created",
        subject=("invoice", invoice.id),
        data=payloads.invoice(invoice),
    )
    return invoice


def _already_invoiced(*, org: Organization, **lookup: Any) -> Invoice | None:
    return scoped(Invoice, org).filter(**lookup).exclude(status=InvoiceStatus.CANCELLED).first()


@transaction.atomic
def invoice_create_from_shipment(*, shipment: Shipment) -> Invoice:
    """One line per order line and lot shipped (batch numbers from the LPs)."""
    if shipment.status not in (ShipmentStatus.SHIPPED, ShipmentStatus.DELIVERED):
        fail(
            "shipment",
            f"shipment {shipment.shipment_number} is {shipment.status}; "
            "only shipped or delivered shipments can be invoiced",
        )
    if _already_invoiced(org=shipment.org, shipment=shipment):
        fail("shipment", f"shipment {shipment.shipment_number} is already invoiced")
    grouped: dict[tuple[Any, str], dict[str, Any]] = {}
    contents = scoped(ShipmentBoxContent, shipment.org).filter(shipment_box__shipment=shipment)
    for c in contents.select_related("sales_order_line", "product").order_by(
        "shipment_box__box_number", "created_at"
    ):
        key = (c.sales_order_line_id, c.lot_number)
        row = grouped.setdefault(
            key,
            {
                "product": c.product,
                "sales_order_line": c.sales_order_line,
                "quantity": ZERO,
                "unit_price": c.sales_order_line.unit_price,
                "batch_number": c.lot_number,
            },
        )
        row["quantity"] += c.quantity
    return invoice_create(
        org=shipment.org,
        customer=shipment.customer,
        sales_order=shipment.sales_order,
        shipment=shipment,
        lines=list(grouped.values()),
    )


@transaction.atomic
def invoice_create_from_sales_order(*, sales_order: SalesOrder) -> Invoice:
    """One line per order line at the ordered quantity (e.g. invoiced before shipping)."""
    so = sales_order
    if so.status in (SoStatus.DRAFT, SoStatus.CANCELLED):
        fail("sales_order", f"sales order {so.order_number} is {so.status}")
    if _already_invoiced(org=so.org, sales_order=so):
        fail("sales_order", f"sales order {so.order_number} is already invoiced")
    lines = [
        {
            "product": ln.product,
            "sales_order_line": ln,
            "quantity": ln.quantity_ordered,
            "unit_price": ln.unit_price,
        }
        for ln in so.lines.select_related("product__tax_code")
    ]
    return invoice_create(org=so.org, customer=so.customer, sales_order=so, lines=lines)


@transaction.atomic
def invoice_finalize(
    *,
    invoice: Invoice,
    issue_date: date | None = None,
    sale_date: date | None = None,
    split_payment: bool | None = None,
) -> Invoice:
    """Assign the number (FV/NNNN/MM/YYYY of the issue month), freeze buyer and totals."""
    if invoice.status != InvoiceStatus.DRAFT:
        fail("status", f"invoice is {invoice.status}; only a draft can be finalised")
    lines = list(invoice.lines.all())
    if not lines:
        fail("lines", "an invoice needs at least one line")
    org, customer = invoice.org, invoice.customer
    issue = issue_date or local_today(org)
    shipped = invoice.shipment.shipped_at if invoice.shipment else None
    invoice.issue_date = issue
    invoice.sale_date = sale_date or (timezone.localdate(shipped) if shipped else issue)
    invoice.due_date = issue + timedelta(days=customer.payment_terms_days)
    invoice.invoice_number = numbering.invoice_number(org=org, day=issue)
    invoice.buyer_name, invoice.buyer_tax_id = customer.name, customer.tax_id
    invoice.buyer_gln = customer.gln
    if split_payment is not None:
        invoice.split_payment = split_payment
    _apply_totals(invoice, lines)
    invoice.status, invoice.finalized_at = InvoiceStatus.FINALIZED, timezone.now()
    invoice.save()
    emit(
        org=org,
        type="invoice.finalized",
        subject=("invoice", invoice.id),
        data=payloads.invoice(invoice, lines=True),
    )
    return invoice


@transaction.atomic
def payment_record(
    *,
    invoice: Invoice,
    amount: Decimal | str,
    payment_date: date | None = None,
    method: str = PaymentMethod.BANK_TRANSFER,
    reference: str = "",
    external_id: str = "",
    currency: str = "",
) -> Payment:
    if invoice.status != InvoiceStatus.FINALIZED:
        fail("invoice", f"invoice is {invoice.status}; payments go on finalised invoices")
    value = positive(amount, field="amount")
    if currency and currency != invoice.currency:
        fail("currency", f"must be the invoice currency {invoice.currency}")
    if method not in PaymentMethod.values:
        fail("method", f"must be one of {', '.join(PaymentMethod.values)}")
    outstanding = invoice.total_gross - invoice.amount_paid
    if value > outstanding:
        fail("amount", f"{value} exceeds the {outstanding} outstanding on {invoice.invoice_number}")
    if external_id and scoped(Payment, invoice.org).filter(external_id=external_id).exists():
        fail("external_id", f"payment {external_id} is already recorded")
    day = payment_date or local_today(invoice.org)
    payment = Payment.objects.create(
        org=invoice.org,
        invoice=invoice,
        amount=value,
        currency=invoice.currency,
        payment_date=day,
        method=method,
        reference=reference,
        external_id=external_id,
    )
    _apply_payment(invoice, value, day)
    emit(
        org=invoice.org,
        type="payment.recorded",
        subject=("invoice", invoice.id),
        data=payloads.payment(payment),
    )
    if invoice.payment_status == PaymentStatus.PAID:
        emit(
            org=invoice.org,
            type="invoice.paid",
            subject=("invoice", invoice.id),
            data={**payloads.invoice(invoice), "paid_on": day},
        )
    return payment


def _apply_payment(invoice: Invoice, value: Decimal, day: date) -> None:
    invoice.amount_paid += value
    invoice.last_payment_date = max(day, invoice.last_payment_date or day)
    if invoice.amount_paid >= invoice.total_gross:
        invoice.payment_status = PaymentStatus.PAID
    elif invoice.payment_status != PaymentStatus.OVERDUE:
        invoice.payment_status = PaymentStatus.PARTIAL
    invoice.save(update_fields=["amount_paid", "last_payment_date", "payment_status", "updated_at"])


@transaction.atomic
def invoices_mark_overdue(*, org: Organization, today: date | None = None) -> int:
    """Finalised, not fully paid invoices past their due date become overdue."""
    return (
        scoped(Invoice, org)
        .filter(
            status=InvoiceStatus.FINALIZED,
            due_date__lt=today or local_today(org),
            payment_status__in=(PaymentStatus.UNPAID, PaymentStatus.PARTIAL),
        )
        .update(payment_status=PaymentStatus.OVERDUE, updated_at=timezone.now())
    )


@transaction.atomic
def invoice_cancel(*, invoice: Invoice) -> Invoice:
    """Only drafts: a finalised invoice is corrected by a credit note, never cancelled."""
    if invoice.status != InvoiceStatus.DRAFT:
        fail(
            "status",
            f"invoice {invoice.invoice_number} is {invoice.status}; only a draft can be cancelled",
        )
    invoice.status = InvoiceStatus.CANCELLED
    invoice.save(update_fields=["status", "updated_at"])
    return invoice


def split_payment_required(*, invoice: Invoice, annex_15_goods: bool) -> bool:
    """MPP: a PLN invoice whose gross exceeds 15,000 and that carries Annex 15 goods."""
    return annex_15_goods and invoice.currency == "PLN" and invoice.total_gross > MPP_THRESHOLD
