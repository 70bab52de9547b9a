"""Products import (FR-INT-018): template columns mapped onto the stand-in's products.

product_code -> code, name, type -> product_type (raw_material/semi_finished/finished_good
or a product-type code of the organisation), unit -> base_uom, description, allergens ->
product_allergens (codes), shelf_life_days, storage_temp -> storage_conditions,
tax_code -> tax_code (by code or symbol).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from django.db.models import prefetch_related_objects

from monopilot.erp import payloads
from monopilot.erp.models import Allergen, Product, ProductAllergen, ProductType, TaxCode
from monopilot.erp.services.common import changes_of
from monopilot.events.services import publish
from monopilot.exchange import values as v
from monopilot.exchange.engine import Outcome, Plan, RowErrors, chunks
from monopilot.exchange.layouts import Field, Layout
from monopilot.tenancy.models import Organization
from monopilot.tenancy.scoping import scoped

TYPE_NAMES = {"raw_material": "RM", "semi_finished": "WIP", "finished_good": "FG"}
TYPE_LABELS = {code: name for name, code in TYPE_NAMES.items()}
# FR-INT-018's unit list, plus "szt" (the stand-in's default, Polish for pcs).
UNITS = {u.lower(): u for u in ("pcs", "kg", "L", "m", "g", "ml", "box", "pallet", "szt")}

LAYOUT = Layout(
    entity="products",
    collection="Products",
    record="Product",
    fields=(
        Field("product_code", required=True),
        Field("name", required=True),
        Field("type", required=True),
        Field("unit", required=True),
        Field("description"),
        Field("allergens", "list", item="Allergen"),
        Field("shelf_life_days", "int"),
        Field("storage_temp"),
        Field("tax_code"),
    ),
)
COLUMNS = tuple(f.name for f in LAYOUT.fields)
REQUIRED = tuple(f.name for f in LAYOUT.fields if f.required)
EXAMPLE = {
    "product_code": "RM-FLOUR-01",
    "name": "Wheat flour type 650",
    "type": "raw_material",
    "unit": "kg",
    "description": "Bakery flour, 25 kg bags",
    "allergens": ["A01"],
    "shelf_life_days": 180,
    "storage_temp": "15-25°C",
    "tax_code": "",
}


def type_label(code: str) -> str:
    return TYPE_LABELS.get(code, code)


@dataclass
class ProductRow:
    row: int
    code: str
    fields: dict[str, Any]  # model field -> value (only columns present in the file)
    allergens: list[Allergen] | None


class ProductImporter:
    entity = "products"
    layout = LAYOUT
    columns = COLUMNS
    required = REQUIRED
    example = EXAMPLE

    def __init__(self, org: Organization, *, correlation_id: str = "") -> None:
        self.org = org
        self.correlation_id = correlation_id
        self.types = {t.code.upper(): t for t in scoped(ProductType, org).filter(is_active=True)}
        self.allergens = {a.code.lower(): a for a in Allergen.objects.all()}
        self.tax_codes: dict[str, TaxCode] = {}
        for tax in scoped(TaxCode, org).filter(deleted_at__isnull=True):
            self.tax_codes.setdefault(tax.symbol.lower(), tax)
            self.tax_codes[tax.code.lower()] = tax
        self.seen: dict[str, int] = {}

    def run(
        self, rows: Iterator[tuple[int, dict[str, Any]]], outcome: Outcome, plan: Plan, write: bool
    ) -> None:
        for batch in chunks(rows):
            parsed = [self.parse(row, raw, outcome) for row, raw in batch]
            self.apply([p for p in parsed if p is not None], outcome, plan, write)

    # -- validation -------------------------------------------------------------------
    def parse(self, row: int, raw: dict[str, Any], outcome: Outcome) -> ProductRow | None:
        outcome.total += 1
        errors = RowErrors(outcome, row)
        if "__error__" in raw:
            errors.add("", raw["__error__"])
            outcome.invalid += 1
            return None
        code = v.text(raw.get("product_code"))
        fields: dict[str, Any] = {}
        self._code(code, row, errors)
        self._name(raw, fields, errors)
        self._type(raw, fields, errors)
        self._unit(raw, fields, errors)
        if "description" in raw:
            fields["description"] = v.text(raw["description"])
        allergens = self._allergens(raw, errors) if "allergens" in raw else None
        self._shelf_life(raw, fields, errors)
        self._storage(raw, fields, errors)
        self._tax(raw, fields, errors)
        if not errors.ok:
            outcome.invalid += 1
            outcome.show(row, raw, "error", errors.messages)
            return None
        return ProductRow(row=row, code=code, fields=fields, allergens=allergens)

    def _code(self, code: str, row: int, errors: RowErrors) -> None:
        if not code:
            errors.add("product_code", "Required")
        elif len(code) > 50:
            errors.add("product_code", "At most 50 characters")
        elif code.lower() in self.seen:
            errors.add(
                "product_code", f"Duplicate code '{code}' (first in row {self.seen[code.lower()]})"
            )
        else:
            self.seen[code.lower()] = row

    def _name(self, raw: dict[str, Any], fields: dict[str, Any], errors: RowErrors) -> None:
        name = v.text(raw.get("name"))
        if not name:
            errors.add("name", "Required")
        elif len(name) > 200:
            errors.add("name", "At most 200 characters")
        fields["name"] = name

    def _type(self, raw: dict[str, Any], fields: dict[str, Any], errors: RowErrors) -> None:
        given = v.text(raw.get("type"))
        code = TYPE_NAMES.get(given.lower(), given.upper())
        if not given:
            errors.add("type", "Required")
        elif code not in self.types:
            allowed = ", ".join(
                sorted({*TYPE_NAMES, *(c for c in self.types if c not in TYPE_LABELS)})
            )
            errors.add("type", f"Unknown type '{given}' (allowed: {allowed})")
        else:
            fields["product_type"] = self.types[code]

    def _unit(self, raw: dict[str, Any], fields: dict[str, Any], errors: RowErrors) -> None:
        given = v.text(raw.get("unit"))
        if not given:
            errors.add("unit", "Required")
        elif given.lower() not in UNITS:
            errors.add("unit", f"Unknown unit '{given}' (allowed: {', '.join(UNITS.values())})")
        else:
            fields["base_uom"] = UNITS[given.lower()]

    def _allergens(self, raw: dict[str, Any], errors: RowErrors) -> list[Allergen]:
        codes = v.code_list(raw.get("allergens"))
        unknown = [c for c in codes if c.lower() not in self.allergens]
        if unknown:
            errors.add("allergens", f"Unknown allergen(s): {', '.join(unknown)}")
        return [self.allergens[c.lower()] for c in codes if c.lower() in self.allergens]

    def _shelf_life(self, raw: dict[str, Any], fields: dict[str, Any], errors: RowErrors) -> None:
        if "shelf_life_days" not in raw:
            return
        try:
            days = v.integer(raw["shelf_life_days"])
        except v.BadValue as exc:
            errors.add("shelf_life_days", str(exc))
            return
        if days is not None and not 1 <= days <= 3650:
            errors.add("shelf_life_days", f"Must be between 1 and 3650 (got {days})")
        fields["shelf_life_days"] = days

    def _storage(self, raw: dict[str, Any], fields: dict[str, Any], errors: RowErrors) -> None:
        if "storage_temp" in raw:
            text = v.text(raw["storage_temp"])
            if len(text) > 200:
                errors.add("storage_temp", "At most 200 characters")
            fields["storage_conditions"] = text

    def _tax(self, raw: dict[str, Any], fields: dict[str, Any], errors: RowErrors) -> None:
        if "tax_code" not in raw:
            return
        given = v.text(raw["tax_code"])
        if given and given.lower() not in self.tax_codes:
            errors.add("tax_code", f"Unknown tax code '{given}'")
        fields["tax_code"] = self.tax_codes.get(given.lower()) if given else None

    # -- decisions and writes ---------------------------------------------------------
    def apply(self, items: list[ProductRow], outcome: Outcome, plan: Plan, write: bool) -> None:
        existing = {
            p.code.lower(): p
            for p in scoped(Product, self.org).filter(code__in=[i.code for i in items])
        }
        current = self._allergen_codes(list(existing.values()))
        new: list[ProductRow] = []
        changed: list[tuple[Product, ProductRow, dict[str, Any]]] = []
        for item in items:
            outcome.valid += 1
            product = existing.get(item.code.lower())
            if product is None:
                new.append(item)
                outcome.created += 1
                outcome.show(item.row, self._values(item), "create", [])
                continue
            outcome.conflict(item.row, item.code)
            diff = self._diff(product, item, current.get(product.pk, []))
            if plan.action_for(item.row) != "update" or not diff:
                outcome.skipped += 1
                outcome.show(item.row, self._values(item), "skip" if diff else "unchanged", [])
                continue
            changed.append((product, item, diff))
            outcome.updated += 1
            outcome.show(item.row, self._values(item), "update", [])
        if write:
            self._create(new)
            self._update(changed)

    def _values(self, item: ProductRow) -> dict[str, Any]:
        f = item.fields
        return {
            "product_code": item.code,
            "name": f.get("name", ""),
            "type": type_label(f["product_type"].code) if "product_type" in f else "",
            "unit": f.get("base_uom", ""),
            "allergens": ",".join(a.code for a in item.allergens or []),
        }

    def _allergen_codes(self, products: list[Product]) -> dict[Any, list[str]]:
        result: dict[Any, list[str]] = {p.pk: [] for p in products}
        links = ProductAllergen.objects.filter(product__in=products).values_list(
            "product_id", "allergen__code"
        )
        for product_id, code in links:
            result[product_id].append(code)
        return result

    def _diff(self, product: Product, item: ProductRow, allergens: list[str]) -> dict[str, Any]:
        diff = {k: val for k, val in item.fields.items() if getattr(product, k) != val}
        if item.allergens is not None and sorted(a.code for a in item.allergens) != sorted(
            allergens
        ):
            diff["allergens"] = item.allergens
        return diff

    def _create(self, items: list[ProductRow]) -> None:
        products = [Product(org=self.org, code=i.code, **i.fields) for i in items]
        Product.objects.bulk_create(products)
        links = [
            ProductAllergen(org=self.org, product=p, allergen=a)
            for p, i in zip(products, items, strict=True)
            for a in i.allergens or []
        ]
        ProductAllergen.objects.bulk_create(links)
        prefetch_related_objects(products, "allergens")
        for product in products:
            self._publish("product.created", product, {})

    def _update(self, changed: list[tuple[Product, ProductRow, dict[str, Any]]]) -> None:
        """As the stand-in's product_update: bump the version, publish the [old, new] changes."""
        for product, _item, diff in changed:
            allergens = diff.pop("allergens", None)
            changes = changes_of(product, diff)
            if allergens is not None:
                before = sorted(a.code for a in product.allergens.all())
                ProductAllergen.objects.filter(product=product).delete()
                ProductAllergen.objects.bulk_create(
                    [ProductAllergen(org=self.org, product=product, allergen=a) for a in allergens]
                )
                changes["allergens"] = [before, sorted(a.code for a in allergens)]
            product.version += 1
            product.save()
            prefetch_related_objects([product], "allergens")
            self._publish("product.updated", product, {"changes": changes})

    def _publish(self, type: str, product: Product, extra: dict[str, Any]) -> None:
        publish(
            org=self.org,
            type=type,
            data={**payloads.product(product), **extra},
            subject=("product", product.pk),
            correlation_id=self.correlation_id,
        )
