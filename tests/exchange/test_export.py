"""Exports: CSV/JSON/XML shape, XSD validity, filters, jobs, permissions, logging."""

from __future__ import annotations

import io
import json
from datetime import timedelta

import pytest
from django.utils import timezone
from lxml import etree

from monopilot.erp.models import Product
from monopilot.exchange import xsd
from monopilot.exchange.export_specs import ENTITIES, SPECS
from monopilot.exchange.exporting import (
    ExportError,
    ExportExpired,
    can_export,
    expire_exports,
    export_create,
    export_job_file,
    export_write,
)
from monopilot.exchange.models import ExportStatus
from monopilot.exchange.tasks import run_export_job
from monopilot.integration_logs.models import IntegrationLog

from .support import make_catalogue, make_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(org):
    return make_world(org)


def run(org, entity, fmt, filters=None, options=None):
    out = io.BytesIO()
    count = export_write(
        org=org, entity=entity, fmt=fmt, filters=filters or {}, out=out, options=options
    )
    return count, out.getvalue()


def test_products_csv_is_excel_ready(org, world):
    count, body = run(org, "products", "csv")
    assert count == 2
    assert body.startswith(b"\xef\xbb\xbf")
    lines = body.decode("utf-8-sig").split("\r\n")
    assert lines[0].startswith("product_code,name,type,unit,description,allergens,")
    bread, flour = lines[1], lines[2]
    assert bread.startswith("FG-BREAD,'-Bread,finished_good,pcs,")  # formula-safe
    assert flour.startswith("RM-FLOUR,Flour,raw_material,kg,,A01,180,")
    assert ',SUP-1,"\x27=HYPERLINK(""x"")",' in flour  # made safe, quotes doubled
    assert timezone.now().strftime("%Y-%m-%dT") in flour  # ISO 8601 times


def test_purchase_orders_csv_has_one_row_per_line_and_polish_excel_options(org, world):
    count, body = run(org, "purchase_orders", "csv", options={"decimal_comma": "1"})
    assert count == 1
    lines = body.decode("utf-8-sig").strip().split("\r\n")
    assert lines[0].split(";")[:3] == ["po_number", "po_date", "supplier_code"]
    assert len(lines) == 3
    assert ";1234,50;" in lines[1] and ";2,5000;kg;3,1000;" in lines[2]
    assert ";2026-12-01;" in lines[1]


def test_json_wraps_metadata_and_keeps_nesting(org, world):
    count, body = run(org, "boms", "json")
    document = json.loads(body)
    meta = document["export_metadata"]
    assert (meta["entity_type"], meta["total_records"], count) == ("boms", 1, 1)
    bom = document["data"][0]
    assert bom["product_code"] == "FG-BREAD" and bom["effective_from"] == "2026-01-01"
    assert bom["items"] == [
        {
            "item_product_code": "RM-FLOUR",
            "item_qty": "0.5000",
            "item_unit": "kg",
            "operation_sequence": None,
            "is_output": False,
        }
    ]


def test_empty_json_export_is_valid(org, catalogue):
    _count, body = run(org, "products", "json")
    assert json.loads(body)["data"] == []


@pytest.mark.parametrize("entity", ENTITIES)
def test_every_xml_export_validates_against_its_published_xsd(org, world, entity, tmp_path):
    count, body = run(org, entity, "xml")
    assert count >= 1
    path = tmp_path / "e.xml"
    path.write_bytes(body)
    xsd.validate_file(SPECS[entity].layout, path)  # raises if invalid
    root = etree.fromstring(body)
    assert root.tag == "{http://monopilot.app/schema/v1}MonoPilot" and root.get("version") == "1.0"
    assert root[0][4].text == str(count)  # ExportMetadata/RecordCount


@pytest.mark.parametrize("entity", ENTITIES)
def test_every_entity_exports_as_csv_and_json(org, world, entity):
    assert run(org, entity, "csv")[0] >= 1
    assert len(json.loads(run(org, entity, "json")[1])["data"]) >= 1


def test_xsd_rejects_a_broken_document(tmp_path):
    path = tmp_path / "bad.xml"
    path.write_text(
        '<MonoPilot xmlns="http://monopilot.app/schema/v1" version="1.0"><Nope/></MonoPilot>'
    )
    with pytest.raises(xsd.XmlInvalid, match="Nope': This element is not expected"):
        xsd.validate_file(SPECS["products"].layout, path)


def test_filters_and_archived(org, world):
    Product.objects.filter(code="FG-BREAD").update(status="discontinued")
    assert run(org, "products", "csv")[0] == 1
    assert run(org, "products", "csv", {"include_archived": "true"})[0] == 2
    assert run(org, "products", "csv", {"type": "RM"})[0] == 1
    assert run(org, "purchase_orders", "csv", {"product": "RM-FLOUR"})[0] == 1
    assert run(org, "purchase_orders", "csv", {"status": "draft,closed"})[0] == 0
    tomorrow = (timezone.localdate() + timedelta(days=1)).isoformat()
    assert run(org, "purchase_orders", "csv", {"date_from": tomorrow})[0] == 0
    assert (
        run(org, "sales_orders", "csv", {"date_from": "2026-11-20", "date_to": "2026-11-20"})[0]
        == 1
    )
    with pytest.raises(ExportError, match="Unknown filter 'colour' for products"):
        run(org, "products", "csv", {"colour": "red"})
    with pytest.raises(ExportError, match="not a date"):
        run(org, "products", "csv", {"date_from": "yesterday"})


def test_other_tenant_rows_are_never_exported(org, other_org, world):
    make_catalogue(other_org)
    assert run(other_org, "products", "csv")[0] == 0
    assert run(other_org, "purchase_orders", "json")[0] == 0


def test_small_export_job_completes_at_once_and_is_logged(org, world, owner):
    job = export_create(org=org, entity="products", fmt="xml", user=owner)
    assert job.status == ExportStatus.COMPLETED
    assert job.file_name == f"products_{timezone.localdate().isoformat()}.xml"
    assert export_job_file(job=job).read_bytes().startswith(b"<?xml")
    assert job.expires_at - timezone.now() > timedelta(hours=23)
    log = IntegrationLog.objects.get(org=org, integration_type="export")
    assert (log.status, log.direction, log.metadata["rows"]) == ("success", "outbound", 2)


def test_large_export_runs_as_a_job(
    org, catalogue, django_capture_on_commit_callbacks, monkeypatch
):
    monkeypatch.setattr("monopilot.exchange.exporting.BACKGROUND_ABOVE", 5)
    rm = catalogue["types"]["RM"]
    Product.objects.bulk_create(
        [Product(org=org, code=f"P-{n:03}", name=f"P {n}", product_type=rm) for n in range(12)]
    )
    with django_capture_on_commit_callbacks() as callbacks:
        job = export_create(org=org, entity="products", fmt="csv")
    assert job.status == ExportStatus.PENDING and job.total_rows == 12 and len(callbacks) == 1
    run_export_job.call(str(job.pk))
    job.refresh_from_db()
    assert (job.status, job.processed_rows, job.progress) == (ExportStatus.COMPLETED, 12, 100)
    run_export_job.call(str(job.pk))  # safe to run twice
    assert export_job_file(job=job).read_text(encoding="utf-8-sig").count("\n") == 13


def test_files_expire_after_24_hours(org, world):
    job = export_create(org=org, entity="products", fmt="csv")
    assert expire_exports(now=timezone.now() + timedelta(hours=25)) == 1
    job.refresh_from_db()
    assert job.status == ExportStatus.EXPIRED
    with pytest.raises(ExportError):
        export_job_file(job=job)
    job.status, job.expires_at = ExportStatus.COMPLETED, timezone.now() - timedelta(seconds=1)
    with pytest.raises(ExportExpired):
        export_job_file(job=job)


def test_permissions_follow_fr_int_008():
    assert can_export("planner", "products") and can_export("planner", "boms")
    assert not can_export("planner", "purchase_orders")
    assert can_export("admin", "invoices") and can_export("owner", "inventory")
    assert not can_export("production_operator", "products")
