"""Finance: sales invoices (+ lines) and payments. Upstream has no invoices table; the
shape follows DECISIONS and the fields the integrations stories expect."""

from __future__ import annotations

from django.db import models

from monopilot.erp.models.catalog import Product, TaxCode
from monopilot.erp.models.common import list_indexes, money_field, qty_field
from monopilot.erp.models.sales import Customer, SalesOrder, SalesOrderLine, Shipment
from monopilot.tenancy.models import TenantModel


class InvoiceStatus(models.TextChoices):
    DRAFT = "draft"
    FINALIZED = "finalized"
    CANCELLED = "cancelled"


class PaymentStatus(models.TextChoices):
    UNPAID = "unpaid"
    PARTIAL = "partial"
    PAID = "paid"
    OVERDUE = "overdue"


class Invoice(TenantModel):
    # Empty until finalisation assigns FV/NNNN/MM/YYYY.
    invoice_number = models.CharField(max_length=30, blank=True)
    customer = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="+")
    sales_order = models.ForeignKey(
        SalesOrder, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    shipment = models.ForeignKey(
        Shipment, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    issue_date = models.DateField(null=True, blank=True)
    sale_date = models.DateField(null=True, blank=True)
    due_date = models.DateField(null=True, blank=True)
    currency = models.CharField(max_length=3, default="PLN")
    status = models.CharField(
        max_length=20, choices=InvoiceStatus.choices, default=InvoiceStatus.DRAFT
    )
    payment_status = models.CharField(
        max_length=20, choices=PaymentStatus.choices, default=PaymentStatus.UNPAID
    )
    amount_paid = money_field()
    last_payment_date = models.DateField(null=True, blank=True)
    split_payment = models.BooleanField(default=False)
    total_net = money_field()
    total_vat = money_field()
    total_gross = money_field()
    # Frozen at finalisation: [{symbol, rate, net, vat, gross}] per VAT rate.
    vat_breakdown = models.JSONField(default=list, blank=True)
    # Buyer as it was when the invoice was finalised.
    buyer_name = models.CharField(max_length=200, blank=True)
    buyer_tax_id = models.CharField(max_length=10, blank=True)
    buyer_gln = models.CharField(max_length=13, blank=True)
    finalized_at = models.DateTimeField(null=True, blank=True)
    notes = models.TextField(blank=True)

    class Meta:
        db_table = "invoices"
        indexes = list_indexes("invoice")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["org", "invoice_number"],
                condition=~models.Q(invoice_number=""),
                name="erp_invoice_number",
            )
        ]

    def __str__(self) -> str:
        return self.invoice_number or f"draft {self.pk}"


class InvoiceLine(TenantModel):
    invoice = models.ForeignKey(Invoice, on_delete=models.CASCADE, related_name="lines")
    line_number = models.PositiveIntegerField()
    product = models.ForeignKey(
        Product, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    sales_order_line = models.ForeignKey(
        SalesOrderLine, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    description = models.CharField(max_length=300)
    quantity = qty_field()
    uom = models.CharField(max_length=20)
    unit_price = qty_field()
    tax_code = models.ForeignKey(TaxCode, on_delete=models.PROTECT, related_name="+")
    vat_rate = models.DecimalField(max_digits=5, decimal_places=2)
    vat_symbol = models.CharField(max_length=10)
    net_amount = money_field()
    vat_amount = money_field()
    gross_amount = money_field()
    batch_number = models.CharField(max_length=50, blank=True)

    class Meta:
        db_table = "invoice_lines"
        ordering = ["invoice", "line_number"]
        constraints = [
            models.UniqueConstraint(fields=["invoice", "line_number"], name="erp_invoice_line")
        ]

    def __str__(self) -> str:
        return f"{self.invoice_id}/{self.line_number}"


class PaymentMethod(models.TextChoices):
    BANK_TRANSFER = "bank_transfer"
    SPLIT_PAYMENT = "split_payment"
    CASH = "cash"
    CARD = "card"
    OTHER = "other"


class Payment(TenantModel):
    invoice = models.ForeignKey(Invoice, on_delete=models.PROTECT, related_name="payments")
    amount = money_field()
    currency = models.CharField(max_length=3, default="PLN")
    payment_date = models.DateField()
    method = models.CharField(
        max_length=20, choices=PaymentMethod.choices, default=PaymentMethod.BANK_TRANSFER
    )
    reference = models.CharField(max_length=200, blank=True)
    # The bank/Optima id of the payment: recording it twice is refused.
    external_id = models.CharField(max_length=100, blank=True)

    class Meta:
        db_table = "payments"
        ordering = ["-payment_date", "-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["org", "external_id"],
                condition=~models.Q(external_id=""),
                name="erp_payment_external_id",
            )
        ]

    def __str__(self) -> str:
        return f"{self.amount} {self.currency}"
