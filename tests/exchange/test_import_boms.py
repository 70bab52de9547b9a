"""BOMs import: grouping, component checks, units, versions, cycles, update mode."""

from __future__ import annotations

import pytest

from monopilot.erp.models import Bom, BomItem
from monopilot.events.models import Event
from monopilot.exchange.importing import import_file
from monopilot.exchange.models import ImportStatus

from .support import snapshot

pytestmark = pytest.mark.django_db

HEADER = "product_code,version,item_product_code,item_qty,item_unit,operation_sequence,is_output\n"


@pytest.fixture
def items(product):
    product("FG-BREAD", unit="pcs", type_code="FG")
    product("FG-ROLL", unit="pcs", type_code="FG")
    product("RM-FLOUR", unit="kg")
    product("RM-WATER", unit="L")
    product("WIP-DOUGH", unit="kg", type_code="WIP")


def errors_of(job):
    return [(e["row"], e["column"], e["message"]) for e in job.validation_errors]


GOOD = (
    HEADER
    + 'FG-BREAD,1,RM-FLOUR,"0,5",kg,10,false\n'
    + "FG-BREAD,1,RM-WATER,0.3,L,10,\n"
    + "FG-ROLL,1,RM-FLOUR,0.1,kg,,no\n"
)


def test_rows_are_grouped_into_boms(org, items, write_file):
    job = import_file(org=org, entity="boms", path=write_file("b.csv", GOOD))
    assert job.status == ImportStatus.COMPLETED, job.validation_errors
    assert (job.rows_valid, job.rows_created) == (3, 3)
    bread = Bom.objects.get(org=org, product__code="FG-BREAD")
    assert bread.version == 1 and bread.status == "draft"
    lines = list(
        bread.items.order_by("sequence").values_list(
            "product__code", "quantity", "uom", "operation_seq"
        )
    )
    assert [(c, str(q), u, o) for c, q, u, o in lines] == [
        ("RM-FLOUR", "0.5000", "kg", 10),
        ("RM-WATER", "0.3000", "L", 10),
    ]
    types = sorted(Event.objects.filter(org=org).values_list("type", flat=True))
    assert types == ["bom.created", "bom.created", "import.completed"]
    assert job.preview[0]["group"] == "FG-BREAD v1"


def test_reimport_is_a_no_op_and_update_replaces_items(org, items, write_file):
    path = write_file("b.csv", GOOD)
    import_file(org=org, entity="boms", path=path)
    before = snapshot(org)
    again = import_file(org=org, entity="boms", path=path, mode="update")
    assert (again.rows_created, again.rows_updated, again.rows_skipped) == (0, 0, 3)
    assert snapshot(org) == before
    changed = GOOD.replace("FG-ROLL,1,RM-FLOUR,0.1", "FG-ROLL,1,RM-FLOUR,0.2")
    job = import_file(org=org, entity="boms", path=write_file("b2.csv", changed), mode="update")
    assert (job.rows_updated, job.rows_skipped) == (1, 2)
    item = BomItem.objects.get(org=org, bom__product__code="FG-ROLL")
    assert str(item.quantity) == "0.2000"
    assert Event.objects.filter(org=org, type="bom.updated").count() == 1


BAD = (
    HEADER
    + "NOPE-1,1,RM-FLOUR,1,kg,,\n"  # 2 unknown product
    + "FG-BREAD,1,COMP-999,1,kg,,\n"  # 3 unknown component
    + "FG-BREAD,1,RM-FLOUR,0,kg,,\n"  # 4 qty 0
    + "FG-BREAD,1,RM-WATER,abc,L,,\n"  # 5 bad number
    + "FG-ROLL,1,RM-FLOUR,1,pcs,,\n"  # 6 unit mismatch
    + "FG-ROLL,x,RM-FLOUR,1,kg,,\n"  # 7 bad version
    + "WIP-DOUGH,2,RM-FLOUR,1,kg,,\n"  # 8 version not next
    + "WIP-DOUGH,1,WIP-DOUGH,1,kg,,\n"  # 9 self cycle
)


def test_every_bom_error_is_reported_and_nothing_changes(org, items, write_file):
    before = snapshot(org)
    job = import_file(org=org, entity="boms", path=write_file("bad.csv", BAD))
    assert job.status == ImportStatus.VALIDATED
    assert sorted(errors_of(job)) == sorted(
        [
            (2, "product_code", "Product NOPE-1 not found"),
            (3, "item_product_code", "Component COMP-999 not found"),
            (4, "item_qty", "Must be greater than 0 (got 0)"),
            (5, "item_qty", "'abc' is not a number"),
            (6, "item_unit", "Unit 'pcs' does not match the unit of RM-FLOUR (kg)"),
            (7, "version", "'x' is not a number"),
            (8, "version", "Version 2 of WIP-DOUGH is not valid: the next version is 1"),
            (9, "item_product_code", "BOM cycle: WIP-DOUGH cannot be a component of itself"),
        ]
    )
    assert job.rows_invalid == 8
    assert snapshot(org) == before


def test_cycle_through_an_existing_bom_is_refused(org, items, write_file):
    first = HEADER + "WIP-DOUGH,1,RM-FLOUR,1,kg,,\nFG-BREAD,1,WIP-DOUGH,1,kg,,\n"
    assert (
        import_file(org=org, entity="boms", path=write_file("a.csv", first)).status == "completed"
    )
    before = snapshot(org)
    cycle = HEADER + "RM-FLOUR,1,FG-BREAD,1,pcs,,\n"
    job = import_file(org=org, entity="boms", path=write_file("c.csv", cycle))
    assert errors_of(job) == [
        (2, "item_product_code", "BOM cycle: FG-BREAD already contains RM-FLOUR")
    ]
    assert snapshot(org) == before


def test_cycle_inside_one_file(org, items, write_file):
    text = HEADER + "WIP-DOUGH,1,FG-ROLL,1,pcs,,\nFG-ROLL,1,WIP-DOUGH,1,kg,,\n"
    job = import_file(org=org, entity="boms", path=write_file("c.csv", text))
    assert sorted(errors_of(job)) == [
        (2, "item_product_code", "BOM cycle: FG-ROLL already contains WIP-DOUGH"),
        (3, "item_product_code", "BOM cycle: WIP-DOUGH already contains FG-ROLL"),
    ]
    assert not Bom.objects.filter(org=org).exists()


def test_one_bad_row_keeps_its_whole_bom_out_in_valid_only_mode(org, items, write_file):
    text = GOOD + "FG-ROLL,1,COMP-X,1,kg,,\n"
    job = import_file(org=org, entity="boms", path=write_file("v.csv", text), valid_only=True)
    assert job.status == ImportStatus.COMPLETED
    assert list(Bom.objects.filter(org=org).values_list("product__code", flat=True)) == ["FG-BREAD"]
    assert (4, "", "Not imported: BOM FG-ROLL v1 has errors (row 5)") in errors_of(job)
    assert (job.rows_created, job.rows_invalid) == (2, 2)
