"""Tax codes, product types, products and BOMs."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import Q

from monopilot.core.gs1 import validate_gtin
from monopilot.erp import payloads
from monopilot.erp.models import (
    Allergen,
    Bom,
    BomItem,
    BomStatus,
    ErpSettings,
    Product,
    ProductAllergen,
    ProductStatus,
    ProductType,
    TaxCode,
)
from monopilot.erp.services.common import (
    changes_of,
    emit,
    fail,
    non_negative,
    positive,
    validated,
)
from monopilot.tenancy.models import Organization
from monopilot.tenancy.scoping import scoped

VAT_SYMBOLS = ("23", "8", "5", "0", "zw", "np", "oo")
_PRODUCT_FIELDS = (
    "name",
    "description",
    "base_uom",
    "barcode",
    "gtin",
    "lead_time_days",
    "moq",
    "std_price",
    "cost_per_unit",
    "min_stock",
    "max_stock",
    "expiry_policy",
    "shelf_life_days",
    "storage_conditions",
    "is_perishable",
    "product_type",
    "tax_code",
    "supplier",
)
_DECIMAL_FIELDS = ("moq", "std_price", "cost_per_unit", "min_stock", "max_stock")


@transaction.atomic
def erp_settings_set(
    *, org: Organization, gs1_company_prefix: str = "", lp_prefix: str = "LP"
) -> ErpSettings:
    if gs1_company_prefix and (
        not gs1_company_prefix.isdigit() or not 6 <= len(gs1_company_prefix) <= 12
    ):
        fail("gs1_company_prefix", "must be 6 to 12 digits")
    settings, _ = ErpSettings.objects.update_or_create(
        org=org, defaults={"gs1_company_prefix": gs1_company_prefix, "lp_prefix": lp_prefix}
    )
    return settings


@transaction.atomic
def tax_code_create(
    *,
    org: Organization,
    code: str,
    name: str,
    rate: Decimal | str,
    symbol: str,
    is_default: bool = False,
    country_code: str = "PL",
    valid_from: date | None = None,
) -> TaxCode:
    if symbol not in VAT_SYMBOLS:
        fail("symbol", f"must be one of {', '.join(VAT_SYMBOLS)}")
    value = non_negative(rate, field="rate")
    if value > 100:
        fail("rate", "must be between 0 and 100")
    if scoped(TaxCode, org).filter(code=code).exists():
        fail("code", f"tax code {code} already exists")
    if is_default:
        scoped(TaxCode, org).filter(is_default=True).update(is_default=False)
    return TaxCode.objects.create(
        org=org,
        code=code,
        name=name,
        rate=value,
        symbol=symbol,
        is_default=is_default,
        country_code=country_code,
        valid_from=valid_from,
    )


@transaction.atomic
def product_type_create(
    *, org: Organization, code: str, name: str, color: str = "", is_default: bool = False
) -> ProductType:
    if scoped(ProductType, org).filter(code=code).exists():
        fail("code", f"product type {code} already exists")
    return ProductType.objects.create(
        org=org, code=code, name=name, color=color, is_default=is_default
    )


def _clean_product_values(values: dict[str, Any]) -> dict[str, Any]:
    cleaned = dict(values)
    if cleaned.get("gtin"):
        cleaned["gtin"] = validated(validate_gtin, cleaned["gtin"], field="gtin")
    for name in _DECIMAL_FIELDS:
        if cleaned.get(name) is not None:
            cleaned[name] = non_negative(cleaned[name], field=name)
    return cleaned


def _check_refs(org: Organization, values: dict[str, Any]) -> None:
    for name in ("product_type", "tax_code", "supplier"):
        ref = values.get(name)
        if ref is not None and ref.org_id != org.id:
            fail(name, "belongs to another organisation")


def _set_allergens(product: Product, codes: Iterable[str]) -> None:
    wanted = list(dict.fromkeys(codes))
    found = {a.code: a for a in Allergen.objects.filter(code__in=wanted)}
    unknown = [c for c in wanted if c not in found]
    if unknown:
        fail("allergens", f"unknown allergen code(s) {', '.join(unknown)}")
    scoped(ProductAllergen, product.org).filter(product=product).delete()
    ProductAllergen.objects.bulk_create(
        [ProductAllergen(org=product.org, product=product, allergen=found[c]) for c in wanted]
    )


@transaction.atomic
def product_create(
    *,
    org: Organization,
    code: str,
    name: str,
    product_type: ProductType,
    allergens: Sequence[str] = (),
    **values: Any,
) -> Product:
    unknown = set(values) - set(_PRODUCT_FIELDS)
    if unknown:
        fail(sorted(unknown)[0], "is not a product field")
    if not code or len(code) > 50:
        fail("code", "is required and at most 50 characters")
    if scoped(Product, org).filter(code=code).exists():
        fail("code", f"product {code} already exists")
    cleaned = _clean_product_values({**values, "product_type": product_type})
    _check_refs(org, cleaned)
    product = Product.objects.create(org=org, code=code, name=name, **cleaned)
    _set_allergens(product, allergens)
    emit(
        org=org,
        type="product.created",
        subject=("product", product.id),
        data=payloads.product(product),
    )
    return product


@transaction.atomic
def product_update(
    *, product: Product, allergens: Sequence[str] | None = None, **values: Any
) -> Product:
    unknown = set(values) - set(_PRODUCT_FIELDS)
    if unknown:
        fail(sorted(unknown)[0], "is not a product field")
    if product.deleted_at is not None:
        fail("product", f"{product.code} is deactivated")
    cleaned = _clean_product_values(values)
    _check_refs(product.org, cleaned)
    changes = changes_of(product, cleaned)
    if allergens is not None:
        before = sorted(a.code for a in product.allergens.all())
        _set_allergens(product, allergens)
        if sorted(set(allergens)) != before:
            changes["allergens"] = [before, sorted(set(allergens))]
    if not changes:
        return product
    product.version += 1
    product.save()
    emit(
        org=product.org,
        type="product.updated",
        subject=("product", product.id),
        data={**payloads.product(product), "changes": changes},
    )
    return product


@transaction.atomic
def product_deactivate(*, product: Product, status: str = ProductStatus.INACTIVE) -> Product:
    if status not in (ProductStatus.INACTIVE, ProductStatus.DISCONTINUED):
        fail("status", "must be inactive or discontinued")
    if product.status == status:
        fail("status", f"product {product.code} is already {status}")
    product.status = status
    product.save(update_fields=["status", "updated_at"])
    emit(
        org=product.org,
        type="product.deactivated",
        subject=("product", product.id),
        data=payloads.product(product),
    )
    return product


def _overlapping(product: Product, start: date, end: date | None) -> Bom | None:
    qs = scoped(Bom, product.org).filter(product=product).exclude(status=BomStatus.INACTIVE)
    qs = qs.filter(Q(effective_to__isnull=True) | Q(effective_to__gte=start))
    if end is not None:
        qs = qs.filter(effective_from__lte=end)
    return qs.order_by("version").first()


def _bom_item(bom: Bom, index: int, item: dict[str, Any]) -> BomItem:
    where = f"items[{index}]"
    component = item.get("product")
    if not isinstance(component, Product) or component.org_id != bom.org_id:
        fail(f"{where}.product", "is required and must be a product of this organisation")
    if component.id == bom.product_id and not item.get("is_output"):
        fail(f"{where}.product", "a BOM cannot consume its own product")
    return BomItem(
        org=bom.org,
        bom=bom,
        product=component,
        sequence=item.get("sequence", (index + 1) * 10),
        quantity=positive(item.get("quantity"), field=f"{where}.quantity"),
        uom=item.get("uom") or component.base_uom,
        scrap_percent=non_negative(item.get("scrap_percent", 0), field=f"{where}.scrap_percent"),
        is_output=bool(item.get("is_output", False)),
        notes=item.get("notes", ""),
    )


@transaction.atomic
def bom_create(
    *,
    product: Product,
    effective_from: date,
    items: Sequence[dict[str, Any]],
    effective_to: date | None = None,
    output_qty: Decimal | str = "1",
    output_uom: str = "",
    yield_percent: Decimal | str = "100",
    notes: str = "",
) -> Bom:
    if not items:
        fail("items", "a BOM needs at least one item")
    if effective_to is not None and effective_to < effective_from:
        fail("effective_to", "must not be before effective_from")
    clash = _overlapping(product, effective_from, effective_to)
    if clash is not None:
        fail("effective_from", f"dates overlap BOM version {clash.version} of {product.code}")
    last = scoped(Bom, product.org).filter(product=product).order_by("-version").first()
    bom = Bom.objects.create(
        org=product.org,
        product=product,
        version=(last.version + 1) if last else 1,
        effective_from=effective_from,
        effective_to=effective_to,
        output_qty=positive(output_qty, field="output_qty"),
        output_uom=output_uom or product.base_uom,
        yield_percent=positive(yield_percent, field="yield_percent"),
        notes=notes,
    )
    BomItem.objects.bulk_create([_bom_item(bom, i, item) for i, item in enumerate(items)])
    emit(org=product.org, type="bom.created", subject=("bom", bom.id), data=payloads.bom(bom))
    return bom


@transaction.atomic
def bom_activate(*, bom: Bom) -> Bom:
    if bom.status != BomStatus.DRAFT:
        fail("status", f"only a draft BOM can be activated (this one is {bom.status})")
    bom.status = BomStatus.ACTIVE
    bom.save(update_fields=["status", "updated_at"])
    emit(org=bom.org, type="bom.activated", subject=("bom", bom.id), data=payloads.bom(bom))
    return bom


def active_bom(*, product: Product, on: date) -> Bom | None:
    """The active BOM whose effective dates cover `on`."""
    return (
        scoped(Bom, product.org)
        .filter(product=product, status=BomStatus.ACTIVE, effective_from__lte=on)
        .filter(Q(effective_to__isnull=True) | Q(effective_to__gte=on))
        .first()
    )
