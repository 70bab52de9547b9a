"""Shipping: customers (+ addresses, contacts), sales orders and shipments."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from monopilot.erp.models.catalog import Product
from monopilot.erp.models.common import list_indexes, money_field, qty_field
from monopilot.erp.models.warehouse import LicensePlate, Location
from monopilot.tenancy.models import TenantModel


class CustomerCategory(models.TextChoices):
    RETAIL = "retail"
    WHOLESALE = "wholesale"
    DISTRIBUTOR = "distributor"


class Customer(TenantModel):
    customer_code = models.CharField(max_length=50)
    name = models.CharField(max_length=200)
    email = models.EmailField(blank=True)
    phone = models.CharField(max_length=50, blank=True)
    tax_id = models.CharField(max_length=10, blank=True)
    credit_limit = money_field(null=True, blank=True, default=None)
    payment_terms_days = models.PositiveSmallIntegerField(default=30)
    category = models.CharField(
        max_length=20, choices=CustomerCategory.choices, default=CustomerCategory.RETAIL
    )
    allergen_restrictions = models.JSONField(default=list, blank=True)
    is_active = models.BooleanField(default=True)
    notes = models.TextField(blank=True)
    # Our addition: the buyer's GLN (EDI NAD+BY / NAD+IV).
    gln = models.CharField(max_length=13, blank=True)

    class Meta:
        db_table = "customers"
        indexes = list_indexes("customer")
        ordering = ["customer_code"]
        constraints = [
            models.UniqueConstraint(fields=["org", "customer_code"], name="erp_customer_code")
        ]

    def __str__(self) -> str:
        return f"{self.customer_code} {self.name}"


class AddressType(models.TextChoices):
    BILLING = "billing"
    SHIPPING = "shipping"


class CustomerAddress(TenantModel):
    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="addresses")
    address_type = models.CharField(max_length=10, choices=AddressType.choices)
    is_default = models.BooleanField(default=False)
    # Our addition: a delivery point's name (store, DC) shown on documents.
    name = models.CharField(max_length=200, blank=True)
    address_line1 = models.CharField(max_length=200)
    address_line2 = models.CharField(max_length=200, blank=True)
    city = models.CharField(max_length=100)
    state = models.CharField(max_length=100, blank=True)
    postal_code = models.CharField(max_length=20)
    country = models.CharField(max_length=2, default="PL")
    dock_hours = models.CharField(max_length=100, blank=True)
    # Our addition: the delivery point's GLN (EDI NAD+DP).
    gln = models.CharField(max_length=13, blank=True)

    class Meta:
        db_table = "customer_addresses"
        ordering = ["customer", "address_type", "-is_default"]

    def __str__(self) -> str:
        return f"{self.address_line1}, {self.city}"


class CustomerContact(TenantModel):
    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="contacts")
    name = models.CharField(max_length=200)
    title = models.CharField(max_length=100, blank=True)
    email = models.EmailField(blank=True)
    phone = models.CharField(max_length=50, blank=True)
    is_primary = models.BooleanField(default=False)

    class Meta:
        db_table = "customer_contacts"
        ordering = ["customer", "-is_primary", "name"]

    def __str__(self) -> str:
        return self.name


class SoStatus(models.TextChoices):
    DRAFT = "draft"
    CONFIRMED = "confirmed"
    ALLOCATED = "allocated"
    PICKING = "picking"
    PACKING = "packing"
    SHIPPED = "shipped"
    DELIVERED = "delivered"
    CANCELLED = "cancelled"


class SoSource(models.TextChoices):
    MANUAL = "manual"
    API = "api"
    EDI = "edi"
    PORTAL = "portal"


class SalesOrder(TenantModel):
    order_number = models.CharField(max_length=20)
    customer = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="+")
    customer_po = models.CharField(max_length=50, blank=True)
    shipping_address = models.ForeignKey(
        CustomerAddress, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    order_date = models.DateField()
    promised_ship_date = models.DateField(null=True, blank=True)
    required_delivery_date = models.DateField(null=True, blank=True)
    status = models.CharField(max_length=20, choices=SoStatus.choices, default=SoStatus.DRAFT)
    total_amount = money_field()
    allergen_validated = models.BooleanField(default=False)
    notes = models.TextField(blank=True)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    shipped_at = models.DateTimeField(null=True, blank=True)
    # Our additions: currency, delivery time and where the order came from.
    currency = models.CharField(max_length=3, default="PLN")
    delivered_at = models.DateTimeField(null=True, blank=True)
    source = models.CharField(max_length=10, choices=SoSource.choices, default=SoSource.MANUAL)

    class Meta:
        db_table = "sales_orders"
        indexes = list_indexes("so")
        ordering = ["-order_number"]
        constraints = [
            models.UniqueConstraint(fields=["org", "order_number"], name="erp_so_number")
        ]

    def __str__(self) -> str:
        return self.order_number


class SalesOrderLine(TenantModel):
    sales_order = models.ForeignKey(SalesOrder, on_delete=models.CASCADE, related_name="lines")
    line_number = models.PositiveIntegerField()
    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="+")
    quantity_ordered = qty_field()
    quantity_allocated = qty_field(default=0)
    quantity_picked = qty_field(default=0)
    quantity_packed = qty_field(default=0)
    quantity_shipped = qty_field(default=0)
    unit_price = qty_field()
    line_total = money_field()
    requested_lot = models.CharField(max_length=50, blank=True)
    notes = models.TextField(blank=True)

    class Meta:
        db_table = "sales_order_lines"
        ordering = ["sales_order", "line_number"]
        constraints = [
            models.UniqueConstraint(
                fields=["sales_order", "line_number"], name="erp_so_line_number"
            ),
            models.CheckConstraint(
                condition=models.Q(quantity_ordered__gt=0), name="erp_so_line_qty"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.sales_order_id}/{self.line_number}"


class ShipmentStatus(models.TextChoices):
    PENDING = "pending"
    PACKING = "packing"
    PACKED = "packed"
    MANIFESTED = "manifested"
    SHIPPED = "shipped"
    DELIVERED = "delivered"
    EXCEPTION = "exception"


class Carrier(models.TextChoices):
    DHL = "dhl"
    UPS = "ups"
    DPD = "dpd"
    FEDEX = "fedex"
    OTHER = "other"


class Shipment(TenantModel):
    shipment_number = models.CharField(max_length=20)
    sales_order = models.ForeignKey(SalesOrder, on_delete=models.PROTECT, related_name="+")
    customer = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="+")
    shipping_address = models.ForeignKey(
        CustomerAddress, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    status = models.CharField(
        max_length=20, choices=ShipmentStatus.choices, default=ShipmentStatus.PENDING
    )
    carrier = models.CharField(max_length=10, choices=Carrier.choices, blank=True)
    service_level = models.CharField(max_length=50, blank=True)
    tracking_number = models.CharField(max_length=100, blank=True)
    sscc = models.CharField(max_length=18, blank=True)
    total_weight = models.DecimalField(max_digits=12, decimal_places=3, default=0)
    total_boxes = models.PositiveIntegerField(default=0)
    staged_location = models.ForeignKey(
        Location, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    packed_at = models.DateTimeField(null=True, blank=True)
    packed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    shipped_at = models.DateTimeField(null=True, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        db_table = "shipments"
        indexes = list_indexes("shipment")
        ordering = ["-shipment_number"]
        constraints = [
            models.UniqueConstraint(fields=["org", "shipment_number"], name="erp_shipment_number")
        ]

    def __str__(self) -> str:
        return self.shipment_number


class ShipmentBox(TenantModel):
    shipment = models.ForeignKey(Shipment, on_delete=models.CASCADE, related_name="boxes")
    box_number = models.PositiveIntegerField()
    sscc = models.CharField(max_length=18)
    weight = models.DecimalField(max_digits=12, decimal_places=3, null=True, blank=True)
    dimensions = models.CharField(max_length=50, blank=True)
    tracking_number = models.CharField(max_length=100, blank=True)

    class Meta:
        db_table = "shipment_boxes"
        ordering = ["shipment", "box_number"]
        constraints = [
            models.UniqueConstraint(fields=["org", "sscc"], name="erp_box_sscc"),
            models.UniqueConstraint(fields=["shipment", "box_number"], name="erp_box_number"),
        ]

    def __str__(self) -> str:
        return self.sscc


class ShipmentBoxContent(TenantModel):
    shipment_box = models.ForeignKey(ShipmentBox, on_delete=models.CASCADE, related_name="contents")
    sales_order_line = models.ForeignKey(SalesOrderLine, on_delete=models.PROTECT, related_name="+")
    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="+")
    license_plate = models.ForeignKey(
        LicensePlate, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    lot_number = models.CharField(max_length=50, blank=True)
    # Our addition: expiry copied from the LP for DESADV/INVOIC.
    expiry_date = models.DateField(null=True, blank=True)
    quantity = qty_field()

    class Meta:
        db_table = "shipment_box_contents"
        ordering = ["shipment_box", "created_at"]

    def __str__(self) -> str:
        return f"{self.shipment_box_id}:{self.product_id}"
