"""Settings and Technical: tax codes, allergens, product types, products, BOMs."""

from __future__ import annotations

import uuid

from django.db import models

from monopilot.erp.models.common import list_indexes, qty_field
from monopilot.tenancy.models import TenantModel


class TaxCode(TenantModel):
    code = models.CharField(max_length=20)
    name = models.CharField(max_length=100)
    rate = models.DecimalField(max_digits=5, decimal_places=2)
    # The KSeF/Optima marker: "23", "8", "5", "0", "zw", "np", "oo".
    symbol = models.CharField(max_length=10)
    country_code = models.CharField(max_length=2, default="PL")
    valid_from = models.DateField(null=True, blank=True)
    valid_to = models.DateField(null=True, blank=True)
    is_default = models.BooleanField(default=False)
    deleted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        db_table = "tax_codes"
        ordering = ["code"]
        constraints = [models.UniqueConstraint(fields=["org", "code"], name="erp_taxcode_code")]

    def __str__(self) -> str:
        return self.code


class Allergen(models.Model):
    """Global (no org), as upstream after org_id was removed."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    code = models.CharField(max_length=20, unique=True)
    name_en = models.CharField(max_length=100)
    name_pl = models.CharField(max_length=100, blank=True)
    name_de = models.CharField(max_length=100, blank=True)
    name_fr = models.CharField(max_length=100, blank=True)
    is_eu_mandatory = models.BooleanField(default=False)
    is_custom = models.BooleanField(default=False)

    class Meta:
        db_table = "allergens"
        ordering = ["code"]

    def __str__(self) -> str:
        return self.code


class ProductType(TenantModel):
    code = models.CharField(max_length=10)
    name = models.CharField(max_length=100)
    color = models.CharField(max_length=20, blank=True)
    is_default = models.BooleanField(default=False)
    is_active = models.BooleanField(default=True)

    class Meta:
        db_table = "product_types"
        ordering = ["code"]
        constraints = [models.UniqueConstraint(fields=["org", "code"], name="erp_ptype_code")]

    def __str__(self) -> str:
        return self.code


class ProductStatus(models.TextChoices):
    ACTIVE = "active"
    INACTIVE = "inactive"
    DISCONTINUED = "discontinued"


class ExpiryPolicy(models.TextChoices):
    FIXED = "fixed"
    ROLLING = "rolling"
    NONE = "none"


class Product(TenantModel):
    code = models.CharField(max_length=50)
    name = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    product_type = models.ForeignKey(ProductType, on_delete=models.PROTECT, related_name="+")
    base_uom = models.CharField(max_length=20, default="szt")
    status = models.CharField(
        max_length=20, choices=ProductStatus.choices, default=ProductStatus.ACTIVE
    )
    version = models.PositiveIntegerField(default=1)
    barcode = models.CharField(max_length=50, blank=True)
    gtin = models.CharField(max_length=14, blank=True)
    supplier = models.ForeignKey(
        "erp.Supplier", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    lead_time_days = models.PositiveIntegerField(null=True, blank=True)
    moq = qty_field(null=True, blank=True)
    std_price = qty_field(null=True, blank=True)
    cost_per_unit = qty_field(null=True, blank=True)
    min_stock = qty_field(null=True, blank=True)
    max_stock = qty_field(null=True, blank=True)
    expiry_policy = models.CharField(
        max_length=10, choices=ExpiryPolicy.choices, default=ExpiryPolicy.NONE
    )
    shelf_life_days = models.PositiveIntegerField(null=True, blank=True)
    storage_conditions = models.CharField(max_length=200, blank=True)
    is_perishable = models.BooleanField(default=False)
    # Our addition: the VAT rate an invoice line takes for this product.
    tax_code = models.ForeignKey(
        TaxCode, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    allergens = models.ManyToManyField(Allergen, through="ProductAllergen", related_name="+")
    deleted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        db_table = "products"
        indexes = list_indexes("product")
        ordering = ["code"]
        constraints = [models.UniqueConstraint(fields=["org", "code"], name="erp_product_code")]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class ProductAllergen(TenantModel):
    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="+")
    allergen = models.ForeignKey(Allergen, on_delete=models.PROTECT, related_name="+")

    class Meta:
        db_table = "product_allergens"
        constraints = [
            models.UniqueConstraint(fields=["product", "allergen"], name="erp_product_allergen")
        ]

    def __str__(self) -> str:
        return f"{self.product_id}:{self.allergen_id}"


class BomStatus(models.TextChoices):
    DRAFT = "draft"
    ACTIVE = "active"
    PHASED_OUT = "phased_out"
    INACTIVE = "inactive"


class Bom(TenantModel):
    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="boms")
    version = models.PositiveIntegerField()
    bom_type = models.CharField(max_length=20, default="standard")
    effective_from = models.DateField()
    effective_to = models.DateField(null=True, blank=True)
    status = models.CharField(max_length=20, choices=BomStatus.choices, default=BomStatus.DRAFT)
    output_qty = qty_field(default=1)
    output_uom = models.CharField(max_length=20, default="szt")
    units_per_box = models.PositiveIntegerField(null=True, blank=True)
    boxes_per_pallet = models.PositiveIntegerField(null=True, blank=True)
    yield_percent = models.DecimalField(max_digits=5, decimal_places=2, default=100)
    notes = models.TextField(blank=True)

    class Meta:
        db_table = "boms"
        ordering = ["product", "version"]
        constraints = [
            models.UniqueConstraint(fields=["org", "product", "version"], name="erp_bom_version")
        ]

    def __str__(self) -> str:
        return f"BOM {self.product_id} v{self.version}"


class BomItem(TenantModel):
    bom = models.ForeignKey(Bom, on_delete=models.CASCADE, related_name="items")
    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="+")
    sequence = models.PositiveIntegerField()
    quantity = qty_field()
    uom = models.CharField(max_length=20)
    operation_seq = models.PositiveIntegerField(null=True, blank=True)
    scrap_percent = models.DecimalField(max_digits=5, decimal_places=2, default=0)
    notes = models.TextField(blank=True)
    is_output = models.BooleanField(default=False)
    consume_whole_lp = models.BooleanField(default=False)

    class Meta:
        db_table = "bom_items"
        ordering = ["bom", "sequence"]

    def __str__(self) -> str:
        return f"{self.bom_id}#{self.sequence}"


__all__ = [
    "Allergen",
    "Bom",
    "BomItem",
    "BomStatus",
    "ExpiryPolicy",
    "Product",
    "ProductAllergen",
    "ProductStatus",
    "ProductType",
    "TaxCode",
]
