"""Warehouse: warehouses, locations, license plates and goods receipts."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from monopilot.erp.models.catalog import Product
from monopilot.erp.models.common import list_indexes, qty_field
from monopilot.erp.models.planning import PurchaseOrder, PurchaseOrderLine, WorkOrder
from monopilot.tenancy.models import TenantModel


class WarehouseType(models.TextChoices):
    GENERAL = "GENERAL"
    RAW_MATERIALS = "RAW_MATERIALS"
    WIP = "WIP"
    FINISHED_GOODS = "FINISHED_GOODS"
    QUARANTINE = "QUARANTINE"


class Warehouse(TenantModel):
    code = models.CharField(max_length=20)
    name = models.CharField(max_length=200)
    type = models.CharField(
        max_length=20, choices=WarehouseType.choices, default=WarehouseType.GENERAL
    )
    address = models.TextField(blank=True)
    contact = models.CharField(max_length=200, blank=True)
    is_default = models.BooleanField(default=False)
    is_active = models.BooleanField(default=True)

    class Meta:
        db_table = "warehouses"
        ordering = ["code"]
        constraints = [models.UniqueConstraint(fields=["org", "code"], name="erp_warehouse_code")]

    def __str__(self) -> str:
        return self.code


class Location(TenantModel):
    warehouse = models.ForeignKey(Warehouse, on_delete=models.CASCADE, related_name="locations")
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    code = models.CharField(max_length=30)
    name = models.CharField(max_length=200)
    level = models.PositiveSmallIntegerField(default=1)
    full_path = models.CharField(max_length=200)
    location_type = models.CharField(max_length=30, default="storage")
    max_pallets = models.PositiveIntegerField(null=True, blank=True)
    max_weight_kg = models.DecimalField(max_digits=10, decimal_places=2, null=True, blank=True)
    is_active = models.BooleanField(default=True)

    class Meta:
        db_table = "locations"
        ordering = ["full_path"]
        constraints = [
            models.UniqueConstraint(fields=["warehouse", "code"], name="erp_location_code")
        ]

    def __str__(self) -> str:
        return self.full_path


class LpStatus(models.TextChoices):
    AVAILABLE = "available"
    RESERVED = "reserved"
    CONSUMED = "consumed"
    BLOCKED = "blocked"


class QaStatus(models.TextChoices):
    PENDING = "pending"
    PASSED = "passed"
    FAILED = "failed"
    QUARANTINE = "quarantine"


class LpSource(models.TextChoices):
    MANUAL = "manual"
    RECEIPT = "receipt"
    PRODUCTION = "production"
    RETURN = "return"
    ADJUSTMENT = "adjustment"
    SPLIT = "split"


class GrnStatus(models.TextChoices):
    DRAFT = "draft"
    COMPLETED = "completed"
    CANCELLED = "cancelled"


class GrnSourceType(models.TextChoices):
    PO = "po"
    TO = "to"
    ASN = "asn"
    RETURN = "return"


class GoodsReceipt(TenantModel):
    grn_number = models.CharField(max_length=20)
    source_type = models.CharField(
        max_length=10, choices=GrnSourceType.choices, default=GrnSourceType.PO
    )
    po = models.ForeignKey(
        PurchaseOrder, null=True, blank=True, on_delete=models.PROTECT, related_name="receipts"
    )
    warehouse = models.ForeignKey(Warehouse, on_delete=models.PROTECT, related_name="+")
    location = models.ForeignKey(Location, on_delete=models.PROTECT, related_name="+")
    status = models.CharField(max_length=20, choices=GrnStatus.choices, default=GrnStatus.DRAFT)
    receipt_date = models.DateField()
    received_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Our addition: the supplier's delivery note (WZ), from the portal or a RECADV.
    delivery_note_number = models.CharField(max_length=50, blank=True)
    notes = models.TextField(blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        db_table = "grns"
        ordering = ["-grn_number"]
        constraints = [models.UniqueConstraint(fields=["org", "grn_number"], name="erp_grn_number")]

    def __str__(self) -> str:
        return self.grn_number


class LicensePlate(TenantModel):
    lp_number = models.CharField(max_length=30)
    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="+")
    quantity = qty_field()
    uom = models.CharField(max_length=20)
    location = models.ForeignKey(Location, on_delete=models.PROTECT, related_name="+")
    warehouse = models.ForeignKey(Warehouse, on_delete=models.PROTECT, related_name="+")
    status = models.CharField(max_length=20, choices=LpStatus.choices, default=LpStatus.AVAILABLE)
    qa_status = models.CharField(max_length=20, choices=QaStatus.choices, default=QaStatus.PASSED)
    batch_number = models.CharField(max_length=50, blank=True)
    supplier_batch_number = models.CharField(max_length=50, blank=True)
    expiry_date = models.DateField(null=True, blank=True)
    manufacture_date = models.DateField(null=True, blank=True)
    source = models.CharField(max_length=20, choices=LpSource.choices, default=LpSource.MANUAL)
    po_number = models.CharField(max_length=20, blank=True)
    grn = models.ForeignKey(
        GoodsReceipt, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    wo = models.ForeignKey(
        WorkOrder, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    consumed_by_wo = models.ForeignKey(
        WorkOrder, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    parent_lp = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    catch_weight_kg = models.DecimalField(max_digits=12, decimal_places=3, null=True, blank=True)
    gtin = models.CharField(max_length=14, blank=True)
    sscc = models.CharField(max_length=18, blank=True)
    pallet_id = models.CharField(max_length=50, blank=True)
    block_reason = models.CharField(max_length=200, blank=True)

    class Meta:
        db_table = "license_plates"
        ordering = ["lp_number"]
        constraints = [
            models.UniqueConstraint(fields=["org", "lp_number"], name="erp_lp_number"),
            models.CheckConstraint(condition=models.Q(quantity__gte=0), name="erp_lp_qty"),
        ]
        indexes = [
            models.Index(fields=["org", "product", "status"], name="erp_lp_stock"),
            *list_indexes("lp"),
        ]

    def __str__(self) -> str:
        return self.lp_number


class GoodsReceiptItem(TenantModel):
    grn = models.ForeignKey(GoodsReceipt, on_delete=models.CASCADE, related_name="items")
    line_number = models.PositiveIntegerField(default=1)
    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="+")
    po_line = models.ForeignKey(
        PurchaseOrderLine, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    received_qty = qty_field()
    uom = models.CharField(max_length=20)
    batch_number = models.CharField(max_length=50, blank=True)
    supplier_batch_number = models.CharField(max_length=50, blank=True)
    expiry_date = models.DateField(null=True, blank=True)
    manufacture_date = models.DateField(null=True, blank=True)
    lp = models.ForeignKey(
        LicensePlate, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        db_table = "grn_items"
        ordering = ["grn", "line_number"]
        constraints = [
            models.CheckConstraint(condition=models.Q(received_qty__gt=0), name="erp_grn_qty")
        ]

    def __str__(self) -> str:
        return f"{self.grn_id}:{self.product_id}"
