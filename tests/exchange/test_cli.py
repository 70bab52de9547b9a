"""The CLI: monopilot export / export schema / import."""

from __future__ import annotations

import io
import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from lxml import etree

from monopilot.erp.models import Product
from monopilot.integration_logs.models import IntegrationLog

from .support import make_world, snapshot

pytestmark = pytest.mark.django_db


def test_export_to_file_with_filters(org, tmp_path):
    make_world(org)
    target = tmp_path / "p.xml"
    call_command(
        "export",
        "products",
        "--org",
        org.slug,
        "--format",
        "xml",
        "--filter",
        "type=RM",
        "-o",
        str(target),
        stderr=io.StringIO(),
    )
    root = etree.parse(str(target)).getroot()
    assert root[0][4].text == "1"
    log = IntegrationLog.objects.get(org=org, integration_type="export")
    assert log.metadata["channel"] == "cli" and log.metadata["rows"] == 1


def test_export_to_stdout(org, capfdbinary):
    make_world(org)
    call_command("export", "suppliers", "--org", org.slug, "--format", "json")
    out = capfdbinary.readouterr().out
    assert json.loads(out)["data"][0]["supplier_code"] == "SUP-1"


def test_export_schema(org):
    out = io.StringIO()
    call_command("export", "schema", "inventory", stdout=out)
    etree.XMLSchema(etree.fromstring(out.getvalue().encode()))


def test_export_errors(org):
    with pytest.raises(CommandError, match="no organisation"):
        call_command("export", "products", "--org", "nope")
    with pytest.raises(CommandError, match="Unknown entity 'cats'"):
        call_command("export", "cats", "--org", org.slug)


def test_import_json_output(org, catalogue, write_file):
    path = write_file(
        "p.csv", "product_code,name,type,unit\nC-1,Ok,raw_material,kg\nC-2,Bad,x,kg\n"
    )
    out = io.StringIO()
    call_command(
        "import", "products", str(path), "--org", org.slug, "--valid-only", "--json", stdout=out
    )
    assert json.loads(out.getvalue()) == {
        "valid": 1,
        "invalid": 1,
        "created": 1,
        "updated": 0,
        "skipped": 0,
        "errors": [
            {
                "row": 3,
                "column": "type",
                "message": "Unknown type 'x' (allowed: PKG, finished_good, raw_material, "
                "semi_finished)",
            }
        ],
    }


def test_import_dry_run_writes_nothing(org, catalogue, write_file):
    path = write_file("p.csv", "product_code,name,type,unit\nD-1,Ok,raw_material,kg\n")
    before = snapshot(org)
    out = io.StringIO()
    call_command(
        "import", "products", str(path), "--org", org.slug, "--dry-run", "--json", stdout=out
    )
    assert json.loads(out.getvalue())["created"] == 1
    assert snapshot(org) == before
    assert not Product.objects.filter(org=org).exists()


def test_import_with_errors_exits_1_and_changes_nothing(org, catalogue, write_file):
    path = write_file("p.csv", "product_code,name,type,unit\nE-1,Ok,raw_material,kg\nE-2,,x,kg\n")
    before = snapshot(org)
    with pytest.raises(SystemExit) as exit_info:
        call_command(
            "import",
            "products",
            str(path),
            "--org",
            org.slug,
            stdout=io.StringIO(),
            stderr=io.StringIO(),
        )
    assert exit_info.value.code == 1
    assert snapshot(org) == before
