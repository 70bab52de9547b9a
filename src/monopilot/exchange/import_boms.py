"""BOMs import (FR-INT-019): one row per BOM item, rows grouped into BOMs by product+version.

Columns onto the stand-in: product_code -> boms.product, version -> boms.version,
item_product_code -> bom_items.product, item_qty -> quantity, item_unit -> uom (must be the
component's unit), operation_sequence -> operation_seq, is_output -> is_output;
effective_from/effective_to (optional, default today/open) -> the BOM's dates.
A BOM is all or nothing: one bad row keeps its whole BOM out.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from django.db.models import Max, Q
from django.utils import timezone

from monopilot.erp import payloads
from monopilot.erp.models import Bom, BomItem, BomStatus, Product
from monopilot.erp.services.catalog import bom_create
from monopilot.events import catalogue
from monopilot.events.services import publish
from monopilot.exchange import values as v
from monopilot.exchange.engine import Outcome, Plan, RowErrors
from monopilot.exchange.layouts import Field, Layout
from monopilot.tenancy.models import Organization
from monopilot.tenancy.scoping import scoped

LAYOUT = Layout(
    entity="boms",
    collection="BomLines",
    record="BomLine",
    fields=(
        Field("product_code", required=True),
        Field("version", "int", required=True),
        Field("item_product_code", required=True),
        Field("item_qty", "decimal", required=True),
        Field("item_unit", required=True),
        Field("operation_sequence", "int"),
        Field("is_output", "bool"),
        Field("effective_from", "date"),
        Field("effective_to", "date"),
    ),
)
COLUMNS = tuple(f.name for f in LAYOUT.fields)
REQUIRED = tuple(f.name for f in LAYOUT.fields if f.required)
EXAMPLE = {
    "product_code": "FG-BREAD-01",
    "version": 1,
    "item_product_code": "RM-FLOUR-01",
    "item_qty": Decimal("0.5"),
    "item_unit": "kg",
    "operation_sequence": 10,
    "is_output": False,
    "effective_from": None,
    "effective_to": None,
}


@dataclass
class ItemRow:
    row: int
    component: Product | None
    quantity: Decimal | None
    uom: str
    operation_seq: int | None
    is_output: bool
    raw: dict[str, Any]
    errors: list[str] = field(default_factory=list)


@dataclass
class Group:
    product_code: str
    version: int
    product: Product | None
    effective_from: date | None = None
    effective_to: date | None = None
    items: list[ItemRow] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    @property
    def label(self) -> str:
        return f"{self.product_code} v{self.version}"

    def signature(self) -> list[tuple[Any, ...]]:
        return [
            (
                i.component.pk if i.component else None,
                i.quantity,
                i.uom.lower(),
                i.operation_seq,
                i.is_output,
            )
            for i in self.items
        ]


def _date(raw: dict[str, Any], name: str, errors: RowErrors) -> date | None:
    text = v.text(raw.get(name))
    if not text:
        return None
    try:
        return date.fromisoformat(text[:10])
    except ValueError:
        errors.add(name, f"'{text}' is not a date (use YYYY-MM-DD)")
        return None


class BomImporter:
    entity = "boms"
    layout = LAYOUT
    columns = COLUMNS
    required = REQUIRED
    example = EXAMPLE

    def __init__(self, org: Organization, *, correlation_id: str = "") -> None:
        self.org = org
        self.correlation_id = correlation_id
        self.products: dict[str, Product | None] = {}
        self.today = timezone.localdate()

    def product(self, code: str) -> Product | None:
        key = code.lower()
        if key not in self.products:
            found = scoped(Product, self.org).filter(code__iexact=code, deleted_at__isnull=True)
            self.products[key] = found.first()
        return self.products[key]

    def run(
        self, rows: Iterator[tuple[int, dict[str, Any]]], outcome: Outcome, plan: Plan, write: bool
    ) -> None:
        groups: dict[tuple[str, int], Group] = {}
        orphans: list[tuple[int, dict[str, Any], RowErrors]] = []
        for row, raw in rows:
            outcome.total += 1
            self.parse(row, raw, outcome, groups, orphans)
        self.check_cycles(groups, outcome)
        self.check_versions(groups)
        for row, raw, errors in orphans:
            outcome.invalid += 1
            outcome.show(row, raw, "error", errors.messages, v.text(raw.get("product_code")))
        for group in groups.values():
            self.settle(group, outcome, plan, write)

    # -- parsing ----------------------------------------------------------------------
    def parse(
        self,
        row: int,
        raw: dict[str, Any],
        outcome: Outcome,
        groups: dict[tuple[str, int], Group],
        orphans: list[Any],
    ) -> None:
        errors = RowErrors(outcome, row)
        if "__error__" in raw:
            errors.add("", raw["__error__"])
            orphans.append((row, {}, errors))
            return
        code = v.text(raw.get("product_code"))
        product = self.product(code) if code else None
        if not code:
            errors.add("product_code", "Required")
        elif product is None:
            errors.add("product_code", f"Product {code} not found")
        version = self._version(raw, errors)
        item = self._item(row, raw, product, errors)
        starts, ends = _date(raw, "effective_from", errors), _date(raw, "effective_to", errors)
        if not code or version is None:
            orphans.append((row, raw, errors))
            return
        group = groups.setdefault((code.lower(), version), Group(code, version, product))
        group.effective_from = group.effective_from or starts
        group.effective_to = group.effective_to or ends
        item.errors = errors.messages
        group.items.append(item)

    def _version(self, raw: dict[str, Any], errors: RowErrors) -> int | None:
        try:
            version = v.integer(raw.get("version"))
        except v.BadValue as exc:
            errors.add("version", str(exc))
            return None
        if version is None:
            errors.add("version", "Required")
        elif version < 1:
            errors.add("version", f"Must be a whole number of at least 1 (got {version})")
            return None
        return version

    def _item(
        self, row: int, raw: dict[str, Any], product: Product | None, errors: RowErrors
    ) -> ItemRow:
        code = v.text(raw.get("item_product_code"))
        component = self.product(code) if code else None
        if not code:
            errors.add("item_product_code", "Required")
        elif component is None:
            errors.add("item_product_code", f"Component {code} not found")
        quantity = self._quantity(raw, errors)
        uom = v.text(raw.get("item_unit"))
        if not uom:
            errors.add("item_unit", "Required")
        elif component is not None and uom.lower() != component.base_uom.lower():
            errors.add(
                "item_unit",
                f"Unit '{uom}' does not match the unit of {component.code} ({component.base_uom})",
            )
        op_seq = None
        try:
            op_seq = v.integer(raw.get("operation_sequence"))
        except v.BadValue as exc:
            errors.add("operation_sequence", str(exc))
        try:
            is_output = v.boolean(raw.get("is_output"))
        except v.BadValue as exc:
            errors.add("is_output", str(exc))
            is_output = False
        if (
            component is not None
            and product is not None
            and component.pk == product.pk
            and not is_output
        ):
            errors.add("item_product_code", f"BOM cycle: {code} cannot be a component of itself")
        return ItemRow(
            row,
            component,
            quantity,
            component.base_uom if component else uom,
            op_seq,
            is_output,
            raw,
        )

    def _quantity(self, raw: dict[str, Any], errors: RowErrors) -> Decimal | None:
        try:
            quantity = v.decimal(raw.get("item_qty"))
        except v.BadValue as exc:
            errors.add("item_qty", str(exc))
            return None
        if quantity is None:
            errors.add("item_qty", "Required")
        elif quantity <= 0:
            errors.add("item_qty", f"Must be greater than 0 (got {quantity})")
        elif quantity.as_tuple().exponent < -4 or abs(quantity) >= Decimal("1e11"):  # type: ignore[operator]
            errors.add("item_qty", "At most 11 digits before and 4 after the decimal point")
        return quantity

    # -- cross-row checks -------------------------------------------------------------
    def existing(self, group: Group) -> Bom | None:
        if group.product is None:
            return None
        return scoped(Bom, self.org).filter(product=group.product, version=group.version).first()

    def check_versions(self, groups: dict[tuple[str, int], Group]) -> None:
        latest: dict[Any, int] = {}
        for group in sorted(groups.values(), key=lambda g: (g.product_code.lower(), g.version)):
            if group.product is None or self.existing(group) is not None:
                continue
            if any(i.errors for i in group.items):
                continue  # a bad BOM does not take its version number
            pk = group.product.pk
            if pk not in latest:
                found = (
                    scoped(Bom, self.org).filter(product=group.product).aggregate(m=Max("version"))
                )
                latest[pk] = found["m"] or 0
            if group.version != latest[pk] + 1:
                group.errors.append(
                    f"Version {group.version} of {group.product_code} is not valid: "
                    f"the next version is {latest[pk] + 1}"
                )
                continue
            latest[pk] = group.version
            self._check_dates(group)

    def _check_dates(self, group: Group) -> None:
        start, end = group.effective_from or self.today, group.effective_to
        if end is not None and end < start:
            group.errors.append("effective_to is before effective_from")
            return
        clash = (
            scoped(Bom, self.org).filter(product=group.product).exclude(status=BomStatus.INACTIVE)
        )
        clash = clash.filter(Q(effective_to__isnull=True) | Q(effective_to__gte=start))
        if end is not None:
            clash = clash.filter(effective_from__lte=end)
        other = clash.order_by("version").first()
        if other is not None:
            group.errors.append(
                f"Dates overlap BOM version {other.version} of {group.product_code}"
                f" (effective from {other.effective_from})"
            )

    def check_cycles(self, groups: dict[tuple[str, int], Group], outcome: Outcome) -> None:
        """A component must not (through other BOMs) contain the product it is used in."""
        graph: dict[Any, set[Any]] = {}
        items = (
            BomItem.objects.filter(org=self.org, is_output=False)
            .exclude(bom__status=BomStatus.INACTIVE)
            .values_list("bom__product_id", "product_id")
        )
        for parent, child in items:
            graph.setdefault(parent, set()).add(child)
        for group in groups.values():
            if group.product is None:
                continue
            for item in group.items:
                if item.component is not None and not item.is_output:
                    graph.setdefault(group.product.pk, set()).add(item.component.pk)
        for group in groups.values():
            for item in group.items:
                if group.product is None or item.component is None or item.is_output:
                    continue
                if item.component.pk != group.product.pk and _reaches(
                    graph, item.component.pk, group.product.pk
                ):
                    message = (
                        f"BOM cycle: {item.component.code} already contains {group.product_code}"
                    )
                    outcome.error(item.row, "item_product_code", message)
                    item.errors.append(f"item_product_code: {message}")

    # -- decisions and writes ---------------------------------------------------------
    def settle(self, group: Group, outcome: Outcome, plan: Plan, write: bool) -> None:
        bad_rows = [i for i in group.items if i.errors]
        if bad_rows or group.errors:
            first = bad_rows[0].row if bad_rows else group.items[0].row
            for message in group.errors:
                outcome.error(first, "version", message)
            for item in group.items:
                if not item.errors and not (group.errors and item.row == first):
                    outcome.error(
                        item.row, "", f"Not imported: BOM {group.label} has errors (row {first})"
                    )
                outcome.invalid += 1
                outcome.show(
                    item.row,
                    item.raw,
                    "error",
                    item.errors or group.errors or [f"BOM {group.label} has errors (row {first})"],
                    group.label,
                )
            return
        bom = self.existing(group)
        action = "create"
        if bom is not None:
            outcome.conflict(group.items[0].row, group.label)
            same = _signature(bom) == group.signature()
            wanted = plan.action_for(group.items[0].row)
            action = "unchanged" if same else ("update" if wanted == "update" else "skip")
        for item in group.items:
            outcome.valid += 1
            outcome.show(item.row, item.raw, action, [], group.label)
        n = len(group.items)
        if action == "create":
            outcome.created += n
        elif action == "update":
            outcome.updated += n
        else:
            outcome.skipped += n
        if write and action == "create":
            self._create(group)
        elif write and action == "update" and bom is not None:
            self._replace_items(bom, group)

    def _item_dicts(self, group: Group) -> list[dict[str, Any]]:
        return [
            {
                "product": i.component,
                "quantity": i.quantity,
                "uom": i.uom,
                "is_output": i.is_output,
                "sequence": (n + 1) * 10,
            }
            for n, i in enumerate(group.items)
        ]

    def _create(self, group: Group) -> None:
        assert group.product is not None
        bom = bom_create(
            product=group.product,
            effective_from=group.effective_from or self.today,
            effective_to=group.effective_to,
            items=self._item_dicts(group),
        )
        self._set_operations(bom, group)

    def _set_operations(self, bom: Bom, group: Group) -> None:
        for item, row in zip(bom.items.order_by("sequence"), group.items, strict=True):
            if row.operation_seq is not None:
                item.operation_seq = row.operation_seq
                item.save(update_fields=["operation_seq"])

    def _replace_items(self, bom: Bom, group: Group) -> None:
        BomItem.objects.filter(bom=bom).delete()
        BomItem.objects.bulk_create(
            [
                BomItem(
                    org=self.org,
                    bom=bom,
                    product=i.component,
                    sequence=(n + 1) * 10,
                    quantity=i.quantity,
                    uom=i.uom,
                    operation_seq=i.operation_seq,
                    is_output=i.is_output,
                )
                for n, i in enumerate(group.items)
            ]
        )
        bom.save(update_fields=["updated_at"])
        if "bom.updated" in catalogue.names():
            publish(
                org=self.org,
                type="bom.updated",
                data=payloads.bom(bom),
                subject=("bom", bom.pk),
                correlation_id=self.correlation_id,
            )


def _signature(bom: Bom) -> list[tuple[Any, ...]]:
    return [
        (i.product_id, i.quantity, i.uom.lower(), i.operation_seq, i.is_output)
        for i in bom.items.order_by("sequence")
    ]


def _reaches(graph: dict[Any, set[Any]], start: Any, target: Any) -> bool:
    seen, stack = set(), [start]
    while stack:
        node = stack.pop()
        if node == target:
            return True
        if node in seen:
            continue
        seen.add(node)
        stack.extend(graph.get(node, ()))
    return False
