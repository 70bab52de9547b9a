"""Console screens of export and import (server side; Chromium tests are in test_browser)."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from monopilot.erp.models import Product
from monopilot.exchange.models import ExportJob, ImportJob

from .support import make_world, snapshot

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _urls(settings):
    settings.ROOT_URLCONF = "exchange.urls"


@pytest.fixture
def as_role(client, org, make_user):
    def login(role):
        client.force_login(make_user(org, role))
        return client

    return login


def test_export_screen_lists_entities_by_role(as_role, org):
    page = as_role("owner").get("/integrations/export")
    assert page.status_code == 200
    assert b'<option value="invoices">' in page.content
    assert b"console/base" not in page.content and b'class="topbar"' in page.content


def test_user_role_may_export_products_only(as_role, org):
    client = as_role("planner")
    page = client.get("/integrations/export")
    assert b'<option value="products">' in page.content
    assert b'<option value="purchase_orders">' not in page.content
    refused = client.post("/integrations/export", {"entity": "purchase_orders", "format": "csv"})
    assert refused.status_code == 403
    assert not ExportJob.objects.exists()


def test_operator_may_not_export(as_role):
    assert as_role("production_operator").get("/integrations/export").status_code == 403


def test_export_then_download(as_role, org):
    make_world(org)
    client = as_role("owner")
    response = client.post(
        "/integrations/export", {"entity": "products", "format": "csv", "polish_excel": "1"}
    )
    assert response.status_code == 302
    job = ExportJob.objects.get(org=org)
    assert job.status == "completed" and job.options["delimiter"] == ";"
    page = client.get("/integrations/export")
    assert f"/integrations/export/jobs/{job.pk}/download".encode() in page.content
    download = client.get(f"/integrations/export/jobs/{job.pk}/download")
    assert b"".join(download.streaming_content).decode("utf-8-sig").startswith("product_code;name")


def test_bad_filter_is_shown(as_role, org):
    client = as_role("owner")
    response = client.post(
        "/integrations/export", {"entity": "products", "date_from": "nope"}, follow=True
    )
    assert b"is not a date" in response.content


def test_schema_download(as_role):
    response = as_role("planner").get("/integrations/export/schemas/boms.xsd")
    assert response.status_code == 200 and b"xs:schema" in response.content


def test_other_orgs_export_is_404(as_role, other_org):
    job = ExportJob.objects.create(org=other_org, entity_type="products", format="csv")
    assert as_role("owner").get(f"/integrations/export/jobs/{job.pk}/download").status_code == 404


def test_import_flow_with_errors_preview_and_valid_only(as_role, org, catalogue):
    client = as_role("owner")
    assert client.get("/integrations/import").status_code == 200
    template = client.get("/integrations/import/templates/products.csv")
    assert template["Content-Disposition"] == 'attachment; filename="products_import_template.csv"'
    csv = b"product_code,name,type,unit\nV-1,Ok,raw_material,kg\nV-2,Bad,raw_material,tons\n"
    response = client.post(
        "/integrations/import/products", {"file": SimpleUploadedFile("p.csv", csv), "mode": "skip"}
    )
    job = ImportJob.objects.get(org=org)
    assert (
        response.status_code == 302
        and response["Location"] == f"/integrations/import/jobs/{job.pk}"
    )
    page = client.get(response["Location"]).content.decode()
    assert "Unknown unit &#x27;tons&#x27;" in page and 'data-testid="preview-table"' in page
    assert 'data-testid="errors-download"' in page
    errors = client.get(f"/integrations/import/jobs/{job.pk}/errors.csv")
    assert b'3,unit,"Unknown unit' in b"".join(errors.streaming_content)
    before = snapshot(org)
    client.post(f"/integrations/import/jobs/{job.pk}", {"mode": "skip"})
    assert snapshot(org) == before  # all-or-nothing refused
    client.post(f"/integrations/import/jobs/{job.pk}", {"mode": "skip", "valid_only": "1"})
    job.refresh_from_db()
    assert job.status == "completed" and job.rows_created == 1
    assert Product.objects.filter(org=org, code="V-1").exists()
    history = client.get("/integrations/import/history").content.decode()
    assert "p.csv" in history and "Completed" in history


def test_per_row_decisions_on_screen(as_role, org, catalogue, product):
    product("R-1", name="Old")
    client = as_role("owner")
    csv = b"product_code,name,type,unit\nR-1,New,raw_material,kg\n"
    client.post(
        "/integrations/import/products", {"file": SimpleUploadedFile("p.csv", csv), "mode": "ask"}
    )
    job = ImportJob.objects.get(org=org)
    assert 'name="row-2"' in client.get(f"/integrations/import/jobs/{job.pk}").content.decode()
    client.post(f"/integrations/import/jobs/{job.pk}", {"mode": "ask", "row-2": "update"})
    assert Product.objects.get(org=org, code="R-1").name == "New"


def test_status_partial_for_polling(as_role, org, catalogue):
    client = as_role("owner")
    job = ImportJob.objects.create(
        org=org,
        job_type="products",
        file_name="a.csv",
        file_format="csv",
        status="validating",
        total_rows=5000,
    )
    partial = client.get(f"/integrations/import/jobs/{job.pk}/status", HTTP_HX_REQUEST="true")
    assert b'hx-trigger="every 2s"' in partial.content and "HX-Refresh" not in partial
    ImportJob.objects.filter(pk=job.pk).update(status="validated")
    done = client.get(f"/integrations/import/jobs/{job.pk}/status", HTTP_HX_REQUEST="true")
    assert done["HX-Refresh"] == "true"


def test_import_is_for_administrators(as_role, other_org):
    client = as_role("planner")
    assert client.get("/integrations/import").status_code == 403
    job = ImportJob.objects.create(
        org=other_org, job_type="products", file_name="a.csv", file_format="csv"
    )
    owner = as_role("owner")
    assert owner.get(f"/integrations/import/jobs/{job.pk}").status_code == 404
