"""Products and their BOMs (read:products / write:products)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any, Literal
from uuid import UUID

from django.http import HttpRequest
from ninja import Field, Router, Schema, Status

from monopilot.api.context import require_scope
from monopilot.api.errors import ApiError
from monopilot.api.refs import opt_ref, ref
from monopilot.api.resources import one, read_endpoints, require_any, tenant
from monopilot.api.schemas import responses
from monopilot.erp.models import Bom, Product, ProductType, Supplier, TaxCode
from monopilot.erp.services import catalog

router = Router(tags=["products"])
READ = ("read:products",)


def _code(obj: Any, attr: str) -> str | None:
    related = getattr(obj, attr, None)
    return getattr(related, "code", None) if related is not None else None


class ProductOut(Schema):
    id: UUID
    code: str
    name: str
    description: str
    product_type: str | None
    base_uom: str
    status: str
    version: int
    barcode: str
    gtin: str
    supplier: str | None
    lead_time_days: int | None
    moq: Decimal | None
    std_price: Decimal | None
    cost_per_unit: Decimal | None
    min_stock: Decimal | None
    max_stock: Decimal | None
    expiry_policy: str
    shelf_life_days: int | None
    storage_conditions: str
    is_perishable: bool
    tax_code: str | None
    created_at: datetime
    updated_at: datetime

    @staticmethod
    def resolve_product_type(obj: Product) -> str | None:
        return _code(obj, "product_type")

    @staticmethod
    def resolve_supplier(obj: Product) -> str | None:
        return _code(obj, "supplier")

    @staticmethod
    def resolve_tax_code(obj: Product) -> str | None:
        return _code(obj, "tax_code")


class BomItemOut(Schema):
    id: UUID
    sequence: int
    product: str
    quantity: Decimal
    uom: str
    scrap_percent: Decimal
    is_output: bool
    notes: str

    @staticmethod
    def resolve_product(obj: Any) -> str:
        return obj.product.code


class BomOut(Schema):
    id: UUID
    product: str
    version: int
    bom_type: str
    status: str
    effective_from: date
    effective_to: date | None
    output_qty: Decimal
    output_uom: str
    yield_percent: Decimal
    notes: str
    items: list[BomItemOut]
    created_at: datetime
    updated_at: datetime

    @staticmethod
    def resolve_product(obj: Bom) -> str:
        return obj.product.code

    @staticmethod
    def resolve_items(obj: Bom) -> list[Any]:
        return list(obj.items.all())


def _products(org: Any) -> Any:
    return tenant(Product, "product_type", "supplier", "tax_code")(org).filter(deleted_at=None)


_boms = tenant(Bom, "product", prefetch=["items__product"])


@router.get(
    "/{id}/boms",
    response=responses(list[BomOut]),
    operation_id="list_product_boms",
    summary="BOMs of a product",
)
def product_boms(request: HttpRequest, id: UUID) -> Any:
    who = require_any(request, *READ)
    product = one(_products(who.org), "Product", pk=id)
    return list(_boms(who.org).filter(product=product).order_by("version"))


@router.get(
    "/by-code/{code}",
    response=responses(ProductOut),
    operation_id="get_product_by_code",
    summary="One product by its code",
)
def product_by_code(request: HttpRequest, code: str) -> Any:
    who = require_any(request, *READ)
    return one(_products(who.org), "Product", code=code)


class ProductFields(Schema):
    name: str | None = Field(None, max_length=200)
    description: str | None = None
    product_type: str | None = Field(None, description="Product type code (e.g. FG) or id")
    base_uom: str | None = Field(None, max_length=20, examples=["kg"])
    barcode: str | None = Field(None, max_length=50)
    gtin: str | None = Field(None, max_length=14)
    supplier: str | None = Field(None, description="Supplier code (e.g. SUP-001) or id")
    tax_code: str | None = Field(None, description="Tax code (e.g. VAT23) or id")
    lead_time_days: int | None = Field(None, ge=0, le=100_000)
    moq: Decimal | None = Field(None, ge=0, max_digits=15, decimal_places=4)
    std_price: Decimal | None = Field(None, ge=0, max_digits=15, decimal_places=4)
    cost_per_unit: Decimal | None = Field(None, ge=0, max_digits=15, decimal_places=4)
    min_stock: Decimal | None = Field(None, ge=0, max_digits=15, decimal_places=4)
    max_stock: Decimal | None = Field(None, ge=0, max_digits=15, decimal_places=4)
    expiry_policy: Literal["fixed", "rolling", "none"] | None = None
    shelf_life_days: int | None = Field(None, ge=0, le=100_000)
    storage_conditions: str | None = Field(None, max_length=200)
    is_perishable: bool | None = None
    allergens: list[str] | None = Field(None, description="Allergen codes")


class ProductIn(ProductFields):
    code: str = Field(..., min_length=1, max_length=50)
    name: str = Field(..., min_length=1, max_length=200)
    product_type: str = Field(..., description="Product type code (e.g. FG) or id")


def _product_values(org: Any, data: dict[str, Any]) -> dict[str, Any]:
    if "product_type" in data:
        if not data["product_type"]:
            raise ApiError(
                422,
                "validation_error",
                "product_type: may not be empty",
                {
                    "fields": [
                        {"field": "product_type", "message": "may not be empty", "type": "missing"}
                    ]
                },
            )
        data["product_type"] = ref(org, ProductType, data["product_type"], field="product_type")
    for name, model in (("supplier", Supplier), ("tax_code", TaxCode)):
        if name in data:  # explicit null or "" clears the reference
            data[name] = opt_ref(org, model, data[name], field=name)
    return {k: v for k, v in data.items() if v is not None or k in ("supplier", "tax_code")}


@router.post(
    "",
    response=responses(ProductOut, 201),
    operation_id="create_product",
    summary="Create a product",
)
def create_product(request: HttpRequest, payload: ProductIn) -> Any:
    who = require_scope(request, "write:products")
    data = _product_values(who.org, payload.dict(exclude_unset=True))
    allergens = data.pop("allergens", None) or ()
    product = catalog.product_create(org=who.org, allergens=allergens, **data)
    return Status(201, one(_products(who.org), "Product", pk=product.pk))


@router.patch(
    "/{id}",
    response=responses(ProductOut),
    operation_id="update_product",
    summary="Change a product",
)
def update_product(request: HttpRequest, id: UUID, payload: ProductFields) -> Any:
    who = require_scope(request, "write:products")
    product = one(_products(who.org), "Product", pk=id)
    data = _product_values(who.org, payload.dict(exclude_unset=True))
    allergens = data.pop("allergens", None)
    catalog.product_update(product=product, allergens=allergens, **data)
    return one(_products(who.org), "Product", pk=id)


class BomItemIn(Schema):
    product: str = Field(..., description="Component product code or id")
    quantity: Decimal = Field(..., gt=0, max_digits=15, decimal_places=4)
    uom: str | None = Field(None, max_length=20)
    sequence: int | None = Field(None, ge=1, le=1_000_000)
    scrap_percent: Decimal = Field(Decimal(0), ge=0, le=100, max_digits=5, decimal_places=2)
    is_output: bool = False
    notes: str = ""


class BomIn(Schema):
    product: str = Field(..., description="Product code or id")
    effective_from: date
    effective_to: date | None = None
    output_qty: Decimal = Field(Decimal(1), gt=0, max_digits=15, decimal_places=4)
    output_uom: str = Field("", max_length=20)
    yield_percent: Decimal = Field(Decimal(100), gt=0, le=999, max_digits=5, decimal_places=2)
    notes: str = ""
    items: list[BomItemIn] = Field(..., min_length=1)


read_endpoints(
    router, name="products", what="Product", out=ProductOut, scopes=READ, queryset=_products
)

boms_router = Router(tags=["products"])


@boms_router.post(
    "", response=responses(BomOut, 201), operation_id="create_bom", summary="Create a BOM"
)
def create_bom(request: HttpRequest, payload: BomIn) -> Any:
    who = require_scope(request, "write:products")
    product = ref(who.org, Product, payload.product, field="product")
    items = []
    for index, item in enumerate(payload.items):
        values = item.dict(exclude_none=True)
        values["product"] = ref(who.org, Product, item.product, field=f"items[{index}].product")
        items.append(values)
    bom = catalog.bom_create(
        product=product,
        effective_from=payload.effective_from,
        items=items,
        effective_to=payload.effective_to,
        output_qty=payload.output_qty,
        output_uom=payload.output_uom,
        yield_percent=payload.yield_percent,
        notes=payload.notes,
    )
    return Status(201, one(_boms(who.org), "BOM", pk=bom.pk))


read_endpoints(boms_router, name="boms", what="BOM", out=BomOut, scopes=READ, queryset=_boms)
