"""The exchange API on a tiny NinjaAPI (the real one mounts the same router)."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from lxml import etree

from monopilot.erp.models import Product
from monopilot.exchange.models import ExportJob, ImportJob

from .support import make_world

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _urls(settings):
    settings.ROOT_URLCONF = "exchange.urls"


@pytest.fixture
def api(client, org):
    client.defaults["HTTP_X_TEST_ORG"] = org.slug
    return client


def test_schema_is_published_and_is_an_xsd(api):
    response = api.get("/api/v1/exports/schemas/products.xsd")
    assert response.status_code == 200
    assert 'filename="monopilot_products_v1.xsd"' in response["Content-Disposition"]
    etree.XMLSchema(etree.fromstring(response.content))
    assert api.get("/api/v1/exports/schemas/nope.xsd").json()["error"]["code"] == "not_found"


def test_export_small_completes_and_downloads(api, org):
    make_world(org)
    response = api.post(
        "/api/v1/exports", {"entity": "products", "format": "json"}, content_type="application/json"
    )
    assert response.status_code == 201, response.content
    job = response.json()
    assert job["status"] == "completed" and job["total_rows"] == 2
    download = api.get(job["download_url"])
    assert download.status_code == 200
    assert b'"export_metadata"' in b"".join(download.streaming_content)


def test_export_errors_are_clear(api):
    response = api.post(
        "/api/v1/exports",
        {"entity": "products", "filters": {"x": "1"}},
        content_type="application/json",
    )
    assert response.status_code == 400
    assert response.json()["error"]["message"].startswith("Unknown filter 'x' for products")


def test_scopes_are_required(api):
    response = api.get("/api/v1/exports", HTTP_X_TEST_SCOPES="import:run")
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "insufficient_scope"
    assert api.get("/api/v1/imports", HTTP_X_TEST_SCOPES="export:run").status_code == 403


def test_other_tenants_jobs_are_404(api, org, other_org):
    job = ExportJob.objects.create(org=other_org, entity_type="products", format="csv")
    assert api.get(f"/api/v1/exports/{job.pk}").status_code == 404
    imp = ImportJob.objects.create(
        org=other_org, job_type="products", file_name="a.csv", file_format="csv"
    )
    assert api.get(f"/api/v1/imports/{imp.pk}").status_code == 404
    assert (
        api.post(
            f"/api/v1/imports/{imp.pk}/commit", {}, content_type="application/json"
        ).status_code
        == 404
    )


def test_template_download(api):
    response = api.get("/api/v1/imports/templates/boms.csv")
    assert response.status_code == 200
    assert response.content.decode("utf-8-sig").startswith("product_code,version,item_product_code")
    assert api.get("/api/v1/imports/templates/boms.pdf").status_code == 404


def test_upload_validate_preview_commit(api, org, catalogue):
    csv = b"product_code,name,type,unit\nA-1,Apple,raw_material,kg\nA-2,,raw_material,kg\n"
    response = api.post(
        "/api/v1/imports", {"entity": "products", "file": SimpleUploadedFile("p.csv", csv)}
    )
    assert response.status_code == 201, response.content
    job = response.json()
    assert (job["status"], job["valid"], job["invalid"]) == ("validated", 1, 1)
    assert job["errors"] == [{"row": 3, "column": "name", "message": "Required"}]
    assert [p["action"] for p in job["preview"]] == ["create", "error"]
    refused = api.post(f"/api/v1/imports/{job['id']}/commit", {}, content_type="application/json")
    assert refused.status_code == 409
    assert "1 row(s) have errors" in refused.json()["error"]["message"]
    assert not Product.objects.filter(org=org).exists()
    done = api.post(
        f"/api/v1/imports/{job['id']}/commit", {"valid_only": True}, content_type="application/json"
    )
    assert done.status_code == 200 and done.json()["created"] == 1
    errors = api.get(job["errors_url"])
    assert errors["Content-Disposition"].startswith('attachment; filename="import_errors_')
    body = b"".join(errors.streaming_content).decode("utf-8-sig")
    assert body.splitlines() == ["row,column,message", "3,name,Required"]
    history = api.get("/api/v1/imports").json()["data"]
    assert history[0]["status"] == "completed"


def test_upload_rejects_unknown_type(api, catalogue):
    response = api.post(
        "/api/v1/imports", {"entity": "products", "file": SimpleUploadedFile("p.xlsx", b"PK")}
    )
    assert response.status_code == 400
    assert "Unsupported file type '.xlsx'" in response.json()["error"]["message"]


def test_large_upload_validates_in_background(
    api, org, catalogue, monkeypatch, django_capture_on_commit_callbacks
):
    monkeypatch.setattr("monopilot.exchange.importing.BACKGROUND_FROM", 2)
    csv = io.BytesIO(b"product_code,name,type,unit\nA-1,A,raw_material,kg\nA-2,B,raw_material,kg\n")
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = api.post(
            "/api/v1/imports",
            {"entity": "products", "file": SimpleUploadedFile("p.csv", csv.read())},
        )
    assert response.status_code == 202 and response.json()["status"] == "pending"
    assert len(callbacks) == 1
    from monopilot.exchange.tasks import commit_import_job, validate_import_job

    job_id = response.json()["id"]
    validate_import_job.call(job_id)
    assert api.get(f"/api/v1/imports/{job_id}").json()["status"] == "validated"
    with django_capture_on_commit_callbacks(execute=False):
        queued = api.post(f"/api/v1/imports/{job_id}/commit", {}, content_type="application/json")
    assert queued.status_code == 202 and queued.json()["status"] == "importing"
    commit_import_job.call(job_id)
    commit_import_job.call(job_id)  # safe to run twice
    final = api.get(f"/api/v1/imports/{job_id}").json()
    assert (final["status"], final["created"]) == ("completed", 2)
    assert Product.objects.filter(org=org).count() == 2
