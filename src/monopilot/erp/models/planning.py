"""Planning: suppliers, purchase orders and work orders."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from monopilot.erp.models.catalog import Bom, Product, TaxCode
from monopilot.erp.models.common import list_indexes, money_field, qty_field
from monopilot.tenancy.models import TenantModel


class Currency(models.TextChoices):
    PLN = "PLN"
    EUR = "EUR"
    USD = "USD"
    GBP = "GBP"


class Supplier(TenantModel):
    code = models.CharField(max_length=50)
    name = models.CharField(max_length=200)
    address = models.CharField(max_length=200, blank=True)
    city = models.CharField(max_length=100, blank=True)
    postal_code = models.CharField(max_length=20, blank=True)
    country = models.CharField(max_length=2, default="PL")
    contact_name = models.CharField(max_length=100, blank=True)
    contact_email = models.EmailField(blank=True)
    contact_phone = models.CharField(max_length=50, blank=True)
    currency = models.CharField(max_length=3, choices=Currency.choices, default=Currency.PLN)
    tax_code = models.ForeignKey(
        TaxCode, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    payment_terms = models.CharField(max_length=100)
    notes = models.TextField(blank=True)
    is_active = models.BooleanField(default=True)
    approved_supplier = models.BooleanField(default=False)
    supplier_rating = models.DecimalField(max_digits=3, decimal_places=1, null=True, blank=True)
    last_audit_date = models.DateField(null=True, blank=True)
    next_audit_due = models.DateField(null=True, blank=True)
    # Our additions (upstream has no trading-partner identifiers).
    tax_id = models.CharField(max_length=10, blank=True)
    gln = models.CharField(max_length=13, blank=True)

    class Meta:
        db_table = "suppliers"
        indexes = list_indexes("supplier")
        ordering = ["code"]
        constraints = [models.UniqueConstraint(fields=["org", "code"], name="erp_supplier_code")]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class PoStatus(models.TextChoices):
    DRAFT = "draft"
    SUBMITTED = "submitted"
    PENDING_APPROVAL = "pending_approval"
    CONFIRMED = "confirmed"
    RECEIVING = "receiving"
    CLOSED = "closed"
    CANCELLED = "cancelled"


class PurchaseOrder(TenantModel):
    po_number = models.CharField(max_length=20)
    supplier = models.ForeignKey(Supplier, on_delete=models.PROTECT, related_name="+")
    currency = models.CharField(max_length=3, choices=Currency.choices, default=Currency.PLN)
    tax_code = models.ForeignKey(
        TaxCode, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    expected_delivery_date = models.DateField()
    warehouse = models.ForeignKey("erp.Warehouse", on_delete=models.PROTECT, related_name="+")
    status = models.CharField(max_length=20, choices=PoStatus.choices, default=PoStatus.DRAFT)
    payment_terms = models.CharField(max_length=100, blank=True)
    shipping_method = models.CharField(max_length=100, blank=True)
    notes = models.TextField(blank=True)
    internal_notes = models.TextField(blank=True)
    approval_status = models.CharField(max_length=20, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    approved_at = models.DateTimeField(null=True, blank=True)
    approval_notes = models.TextField(blank=True)
    subtotal = money_field()
    tax_rate = models.DecimalField(max_digits=5, decimal_places=2, default=0)
    tax_amount = money_field()
    discount_total = money_field()
    shipping_cost = money_field()
    total = money_field()

    class Meta:
        db_table = "purchase_orders"
        indexes = list_indexes("po")
        ordering = ["-po_number"]
        constraints = [models.UniqueConstraint(fields=["org", "po_number"], name="erp_po_number")]

    def __str__(self) -> str:
        return self.po_number


class PurchaseOrderLine(TenantModel):
    po = models.ForeignKey(PurchaseOrder, on_delete=models.CASCADE, related_name="lines")
    line_number = models.PositiveIntegerField()
    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="+")
    quantity = qty_field()
    uom = models.CharField(max_length=20)
    unit_price = qty_field()
    discount_percent = models.DecimalField(max_digits=5, decimal_places=2, default=0)
    discount_amount = money_field()
    line_total = money_field()
    expected_delivery_date = models.DateField(null=True, blank=True)
    confirmed_delivery_date = models.DateField(null=True, blank=True)
    received_qty = qty_field(default=0)
    notes = models.TextField(blank=True)

    class Meta:
        db_table = "purchase_order_lines"
        ordering = ["po", "line_number"]
        constraints = [
            models.UniqueConstraint(fields=["po", "line_number"], name="erp_po_line_number"),
            models.CheckConstraint(condition=models.Q(quantity__gt=0), name="erp_po_line_qty"),
        ]

    def __str__(self) -> str:
        return f"{self.po_id}/{self.line_number}"


class WoStatus(models.TextChoices):
    DRAFT = "draft"
    PLANNED = "planned"
    RELEASED = "released"
    IN_PROGRESS = "in_progress"
    ON_HOLD = "on_hold"
    COMPLETED = "completed"
    CLOSED = "closed"
    CANCELLED = "cancelled"


class WoPriority(models.TextChoices):
    LOW = "low"
    NORMAL = "normal"
    HIGH = "high"
    CRITICAL = "critical"


class SourceOfDemand(models.TextChoices):
    MANUAL = "manual"
    PO = "po"
    CUSTOMER_ORDER = "customer_order"
    FORECAST = "forecast"


class WorkOrder(TenantModel):
    wo_number = models.CharField(max_length=20)
    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="+")
    bom = models.ForeignKey(Bom, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    planned_quantity = qty_field()
    produced_quantity = qty_field(default=0)
    uom = models.CharField(max_length=20)
    status = models.CharField(max_length=20, choices=WoStatus.choices, default=WoStatus.DRAFT)
    planned_start_date = models.DateField(null=True, blank=True)
    planned_end_date = models.DateField(null=True, blank=True)
    scheduled_start_time = models.DateTimeField(null=True, blank=True)
    scheduled_end_time = models.DateTimeField(null=True, blank=True)
    priority = models.CharField(max_length=10, choices=WoPriority.choices, default="normal")
    source_of_demand = models.CharField(
        max_length=20, choices=SourceOfDemand.choices, default=SourceOfDemand.MANUAL
    )
    source_reference = models.CharField(max_length=100, blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    paused_at = models.DateTimeField(null=True, blank=True)
    pause_reason = models.CharField(max_length=200, blank=True)
    actual_qty = qty_field(null=True, blank=True)
    yield_percent = models.DecimalField(max_digits=6, decimal_places=2, null=True, blank=True)
    expiry_date = models.DateField(null=True, blank=True)
    notes = models.TextField(blank=True)

    class Meta:
        db_table = "work_orders"
        indexes = list_indexes("wo")
        ordering = ["-wo_number"]
        constraints = [models.UniqueConstraint(fields=["org", "wo_number"], name="erp_wo_number")]

    def __str__(self) -> str:
        return self.wo_number
