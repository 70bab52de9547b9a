"""JSON and XML imports, templates round-trip, and hostile XML."""

from __future__ import annotations

import json

import pytest

from monopilot.erp.models import Bom, Product
from monopilot.exchange.import_templates import template
from monopilot.exchange.importing import import_file
from monopilot.exchange.models import ImportStatus

from .support import snapshot

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("fmt", ["csv", "json", "xml"])
def test_products_template_imports_as_is(org, catalogue, write_file, fmt):
    name, content = template("products", fmt)
    assert name == f"products_import_template.{fmt}"
    job = import_file(org=org, entity="products", path=write_file(name, content))
    assert job.status == ImportStatus.COMPLETED, job.validation_errors
    flour = Product.objects.get(org=org, code="RM-FLOUR-01")
    assert flour.name == "Wheat flour type 650"
    assert list(flour.allergens.values_list("code", flat=True)) == ["A01"]


@pytest.mark.parametrize("fmt", ["csv", "json", "xml"])
def test_boms_template_imports_as_is(org, product, write_file, fmt):
    product("FG-BREAD-01", unit="pcs", type_code="FG")
    product("RM-FLOUR-01", unit="kg")
    name, content = template("boms", fmt)
    job = import_file(org=org, entity="boms", path=write_file(name, content))
    assert job.status == ImportStatus.COMPLETED, job.validation_errors
    assert Bom.objects.get(org=org).items.get().product.code == "RM-FLOUR-01"


def test_csv_template_has_header_and_example_row():
    _name, content = template("products", "csv")
    lines = content.decode("utf-8-sig").splitlines()
    assert lines[0] == (
        "product_code,name,type,unit,description,allergens,shelf_life_days,storage_temp,tax_code"
    )
    assert lines[1].startswith("RM-FLOUR-01,Wheat flour type 650,raw_material,kg,")


def test_json_rows_are_numbered_like_the_spreadsheet(org, catalogue, write_file):
    data = {
        "data": [
            {"product_code": "J-1", "name": "Ok", "type": "raw_material", "unit": "kg"},
            {
                "product_code": "J-2",
                "name": "Bad",
                "type": "raw_material",
                "unit": "kg",
                "shelf_life_days": -3,
            },
            "not an object",
        ]
    }
    job = import_file(org=org, entity="products", path=write_file("p.json", json.dumps(data)))
    assert [(e["row"], e["column"], e["message"]) for e in job.validation_errors] == [
        (3, "shelf_life_days", "Must be between 1 and 3650 (got -3)"),
        (4, "", "Each record must be a JSON object"),
    ]


def test_broken_json_names_the_line(org, catalogue, write_file):
    job = import_file(
        org=org, entity="products", path=write_file("p.json", '{"data": [\n{"a": }]}')
    )
    assert job.status == ImportStatus.FAILED
    assert job.validation_errors[0]["message"].startswith("Invalid JSON: Expecting value (line 2)")


XXE = """<?xml version="1.0"?>
<!DOCTYPE MonoPilot [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<MonoPilot version="1.0"><Products><Product><ProductCode>X-1</ProductCode>
<Name>&xxe;</Name><Type>raw_material</Type><Unit>kg</Unit></Product></Products></MonoPilot>
"""

LAUGHS = """<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>
<MonoPilot version="1.0"><Products><Product><ProductCode>&lol2;</ProductCode></Product>
</Products></MonoPilot>
"""


@pytest.mark.parametrize("attack", [XXE, LAUGHS])
def test_xml_with_entities_is_refused_and_nothing_changes(org, catalogue, write_file, attack):
    before = snapshot(org)
    job = import_file(org=org, entity="products", path=write_file("x.xml", attack))
    assert job.status == ImportStatus.FAILED
    assert job.validation_errors == [
        {"row": None, "column": "", "message": "XML with a DOCTYPE or entities is not accepted"}
    ]
    assert snapshot(org) == before
    assert not Product.objects.filter(name__contains="root:").exists()


def test_entity_reference_without_doctype_is_not_resolved(org, catalogue, write_file):
    text = (
        '<MonoPilot version="1.0"><Products><Product><ProductCode>E-1</ProductCode>'
        "<Name>&xxe;</Name><Type>raw_material</Type><Unit>kg</Unit></Product>"
        "</Products></MonoPilot>"
    )
    job = import_file(org=org, entity="products", path=write_file("x.xml", text))
    assert job.status == ImportStatus.FAILED
    assert "Invalid XML" in job.validation_errors[0]["message"]


def test_malformed_xml_names_the_line(org, catalogue, write_file):
    text = '<MonoPilot version="1.0">\n<Products>\n<Product><ProductCode>A</Product>\n'
    job = import_file(org=org, entity="products", path=write_file("x.xml", text))
    assert job.status == ImportStatus.FAILED
    assert "(line 3)" in job.validation_errors[0]["message"]
