"""Products import: validation of every row, conflict modes, idempotency, events."""

from __future__ import annotations

from typing import Any

import pytest

from monopilot.erp.models import Product, ProductAllergen
from monopilot.events.models import Event
from monopilot.exchange.importing import (
    import_choose,
    import_commit,
    import_file,
    import_upload,
    import_validate,
)
from monopilot.exchange.models import ImportStatus
from monopilot.integration_logs.models import IntegrationLog

from .support import snapshot

pytestmark = pytest.mark.django_db

HEADER = "product_code,name,type,unit,description,allergens,shelf_life_days,storage_temp,tax_code\n"
GOOD = (
    HEADER
    + 'RM-FLOUR,Wheat flour,raw_material,kg,Flour 650,"A01",180,15-25°C,VAT5\n'
    + 'FG-BREAD,Rye bread,finished_good,pcs,,"A01,A07",5,,\n'
)


def errors_of(job: Any) -> list[tuple[int | None, str, str]]:
    return [(e["row"], e["column"], e["message"]) for e in job.validation_errors]


def test_valid_file_creates_products_with_allergens_and_events(org, catalogue, write_file):
    job = import_file(org=org, entity="products", path=write_file("p.csv", GOOD))
    assert job.status == ImportStatus.COMPLETED, job.error_message
    assert (job.rows_valid, job.rows_invalid, job.rows_created) == (2, 0, 2)
    flour = Product.objects.get(org=org, code="RM-FLOUR")
    assert flour.product_type.code == "RM" and flour.base_uom == "kg"
    assert flour.shelf_life_days == 180 and flour.storage_conditions == "15-25°C"
    assert flour.tax_code.code == "VAT5"
    bread_allergens = ProductAllergen.objects.filter(product__code="FG-BREAD")
    assert sorted(bread_allergens.values_list("allergen__code", flat=True)) == ["A01", "A07"]
    events = Event.objects.filter(org=org)
    assert sorted(events.values_list("type", flat=True)) == [
        "import.completed",
        "product.created",
        "product.created",
    ]
    assert set(events.values_list("correlation_id", flat=True)) == {f"import:{job.pk}"}
    summary = events.get(type="import.completed").data
    assert summary["created"] == 2 and summary["entity_type"] == "products"
    log = IntegrationLog.objects.get(org=org, integration_type="import")
    assert log.status == "success" and log.direction == "inbound"


def test_reimporting_the_same_file_changes_nothing(org, catalogue, write_file):
    path = write_file("p.csv", GOOD)
    import_file(org=org, entity="products", path=path)
    before = snapshot(org)
    again = import_file(org=org, entity="products", path=path, mode="update")
    assert (again.rows_created, again.rows_updated, again.rows_skipped) == (0, 0, 2)
    assert snapshot(org) == before  # no row written, no event published


def test_update_mode_changes_only_what_differs_and_publishes_changes(org, catalogue, write_file):
    import_file(org=org, entity="products", path=write_file("p.csv", GOOD))
    changed = GOOD.replace("Rye bread", "Rye bread 500 g").replace('"A01,A07"', '"A07"')
    job = import_file(org=org, entity="products", path=write_file("p2.csv", changed), mode="update")
    assert (job.rows_created, job.rows_updated, job.rows_skipped) == (0, 1, 1)
    bread = Product.objects.get(org=org, code="FG-BREAD")
    assert bread.name == "Rye bread 500 g" and bread.version == 2
    event = Event.objects.get(org=org, type="product.updated")
    assert event.data["changes"]["name"] == ["Rye bread", "Rye bread 500 g"]
    assert event.data["changes"]["allergens"] == [["A01", "A07"], ["A07"]]


def test_skip_mode_leaves_existing_products(org, catalogue, write_file):
    import_file(org=org, entity="products", path=write_file("p.csv", GOOD))
    job = import_file(
        org=org, entity="products", path=write_file("p2.csv", GOOD.replace("Rye bread", "X"))
    )
    assert (job.rows_updated, job.rows_skipped) == (0, 2)
    assert Product.objects.get(org=org, code="FG-BREAD").name == "Rye bread"


def test_per_row_decisions(org, catalogue, write_file):
    import_file(org=org, entity="products", path=write_file("p.csv", GOOD))
    changed = GOOD.replace("Rye bread", "Bread B").replace("Wheat flour", "Flour B")
    with write_file("p2.csv", changed).open("rb") as fh:
        job = import_upload(org=org, entity="products", file_name="p2.csv", content=fh, mode="ask")
    import_validate(job=job)
    assert [c["row"] for c in job.conflicts] == [2, 3]
    import_choose(job=job, decisions={"3": "update"})
    import_commit(job=job)
    assert (job.rows_updated, job.rows_skipped) == (1, 1)
    assert Product.objects.get(org=org, code="FG-BREAD").name == "Bread B"
    assert Product.objects.get(org=org, code="RM-FLOUR").name == "Wheat flour"


BAD = (
    HEADER
    + "OK-1,Fine,raw_material,kg,,,,,\n"  # row 2
    + ",No code,raw_material,kg,,,,,\n"  # row 3
    + "DUP-1,First,raw_material,kg,,,,,\n"  # row 4
    + "DUP-1,Second,raw_material,kg,,,,,\n"  # row 5
    + "T-1,Bad type,vegetable,kg,,,,,\n"  # row 6
    + "U-1,Bad unit,raw_material,tons,,,,,\n"  # row 7
    + 'A-1,Bad allergen,raw_material,kg,,"A01,PEANUTS",,,\n'  # row 8
    + "S-1,Bad shelf life,raw_material,kg,,,abc,,\n"  # row 9
    + "S-2,Too long,raw_material,kg,,,4000,,\n"  # row 10
    + 'S-3,Decimal comma,raw_material,kg,,,"12,5",,\n'  # row 11
    + "X-1,,raw_material,kg,,,,,NOPE\n"  # row 12
)


def test_every_error_is_reported_with_row_and_column_and_nothing_changes(
    org, catalogue, write_file
):
    before = snapshot(org)
    job = import_file(org=org, entity="products", path=write_file("bad.csv", BAD))
    assert job.status == ImportStatus.VALIDATED  # validated, refused to commit
    assert errors_of(job) == [
        (3, "product_code", "Required"),
        (5, "product_code", "Duplicate code 'DUP-1' (first in row 4)"),
        (
            6,
            "type",
            "Unknown type 'vegetable' (allowed: PKG, finished_good, raw_material, semi_finished)",
        ),
        (7, "unit", "Unknown unit 'tons' (allowed: pcs, kg, L, m, g, ml, box, pallet, szt)"),
        (8, "allergens", "Unknown allergen(s): PEANUTS"),
        (9, "shelf_life_days", "'abc' is not a number"),
        (10, "shelf_life_days", "Must be between 1 and 3650 (got 4000)"),
        (11, "shelf_life_days", "'12,5' is not a whole number"),
        (12, "name", "Required"),
        (12, "tax_code", "Unknown tax code 'NOPE'"),
    ]
    assert (job.rows_valid, job.rows_invalid) == (2, 9)
    assert snapshot(org) == before


def test_valid_only_imports_the_good_rows(org, catalogue, write_file):
    job = import_file(org=org, entity="products", path=write_file("bad.csv", BAD), valid_only=True)
    assert job.status == ImportStatus.COMPLETED
    assert job.rows_created == 2
    codes = sorted(Product.objects.filter(org=org).values_list("code", flat=True))
    assert codes == ["DUP-1", "OK-1"]
    assert Product.objects.get(org=org, code="DUP-1").name == "First"


def test_missing_columns_are_all_reported(org, catalogue, write_file):
    before = snapshot(org)
    job = import_file(
        org=org, entity="products", path=write_file("m.csv", "product_code,description\nA,b\n")
    )
    assert job.status == ImportStatus.FAILED
    assert errors_of(job) == [
        (1, "name", "Missing column 'name'"),
        (1, "type", "Missing column 'type'"),
        (1, "unit", "Missing column 'unit'"),
    ]
    assert snapshot(org) == before


def test_cp1250_file_from_polish_excel_with_semicolons(org, catalogue, write_file):
    text = "product_code;name;type;unit\nPL-1;Mąka żytnia;raw_material;kg\n"
    job = import_file(
        org=org, entity="products", path=write_file("pl.csv", text, encoding="cp1250")
    )
    assert job.status == ImportStatus.COMPLETED, job.validation_errors
    assert Product.objects.get(org=org, code="PL-1").name == "Mąka żytnia"


def test_utf8_with_bom(org, catalogue, write_file):
    text = "\ufeffproduct_code,name,type,unit\nB-1,Żurek,semi_finished,L\n"
    job = import_file(org=org, entity="products", path=write_file("bom.csv", text))
    assert job.status == ImportStatus.COMPLETED
    assert Product.objects.get(org=org, code="B-1").base_uom == "L"


def test_wrong_encoding_gives_a_clear_error_and_changes_nothing(org, catalogue, write_file):
    before = snapshot(org)
    data = "product_code,name,type,unit\nB-1,Żurek,raw_material,kg\n".encode("utf-16")
    job = import_file(org=org, entity="products", path=write_file("u16.csv", data))
    assert job.status == ImportStatus.FAILED
    assert errors_of(job) == [
        (
            1,
            "",
            "The file is neither UTF-8 nor Windows-1250 text "
            "(it looks like UTF-16 or a binary file). Save it as CSV UTF-8.",
        )
    ]
    assert snapshot(org) == before


def test_other_tenants_products_are_not_conflicts(org, other_org, catalogue, write_file):
    from .support import make_catalogue

    make_catalogue(other_org)
    import_file(org=other_org, entity="products", path=write_file("p.csv", GOOD))
    job = import_file(org=org, entity="products", path=write_file("p2.csv", GOOD))
    assert job.rows_created == 2 and job.conflicts == []
    assert Product.objects.filter(code="FG-BREAD").count() == 2
