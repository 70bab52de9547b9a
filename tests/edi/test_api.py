"""The EDI API: upload, list, detail, raw, retry, partners; scope and tenant isolation."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from monopilot.erp.models import Product

from .support import BUYER_GLN, GTINS, OUR_GLN, interchange, orders_message, sample

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _urls(settings):
    settings.ROOT_URLCONF = "edi.urls"


@pytest.fixture
def api(client, org):
    client.defaults["HTTP_X_TEST_ORG"] = org.slug
    return client


def upload(api, data: bytes, name: str = "in.edi"):
    return api.post("/api/v1/edi/inbox", {"file": SimpleUploadedFile(name, data)})


def test_upload_list_detail_raw(api, world):
    data = interchange(orders_message("PO-1", [(GTINS[0], "2", "1.5")]))
    response = upload(api, data, "orders.edi")
    assert response.status_code == 201, response.content
    order, contrl = response.json()["messages"]
    assert (order["status"], order["document_type"], order["filename"]) == (
        "processed",
        "sales_order",
        "orders.edi",
    )
    assert contrl["message_type"] == "CONTRL"
    listing = api.get("/api/v1/edi/messages?direction=inbound").json()
    assert listing["count"] == 1 and listing["results"][0]["id"] == order["id"]
    assert api.get("/api/v1/edi/messages?message_type=contrl").json()["count"] == 1
    detail = api.get(f"/api/v1/edi/messages/{order['id']}").json()
    assert detail["problems"] == [] and detail["errors"] == []
    raw = api.get(f"/api/v1/edi/messages/{order['id']}/raw")
    assert raw.content == data and raw["Content-Type"] == "application/edifact"
    sent = api.post(f"/api/v1/edi/messages/{contrl['id']}/sent").json()
    assert sent["status"] == "sent"


def test_retry_after_fix_and_bad_retry(api, world):
    response = upload(api, interchange(orders_message("PO-2", [("4012345500004", "1", "1")])))
    order = response.json()["messages"][0]
    assert order["status"] == "pending_review"
    assert "no product with GTIN 4012345500004" in order["errors"][0]["message"]
    again = api.post(f"/api/v1/edi/messages/{order['id']}/retry").json()
    assert again["status"] == "pending_review"
    Product.objects.filter(pk=world.products[0].pk).update(gtin="4012345500004")
    assert api.post(f"/api/v1/edi/messages/{order['id']}/retry").json()["status"] == "processed"
    bad = api.post(f"/api/v1/edi/messages/{order['id']}/retry")
    assert bad.status_code == 422
    assert "only inbound messages pending review" in bad.json()["error"]["message"]


def test_garbage_upload_is_stored_not_crashing(api, org):
    response = upload(
        api, sample("orders_d01b_ean010_php-edifact_foodservice_unreleased_colon.edi")
    )
    assert response.status_code == 201
    (row,) = response.json()["messages"]
    assert row["status"] == "error"
    assert any(p["segment_tag"] == "IMD" and p["code"] == 16 for p in row["problems"])


def test_partners_crud(api, org):
    body = {"name": "Buyer", "gln": BUYER_GLN, "our_gln": OUR_GLN, "directory": "D01B"}
    created = api.post("/api/v1/edi/partners", body, content_type="application/json")
    assert created.status_code == 201, created.content
    pid = created.json()["id"]
    assert created.json()["interchange_id"] == BUYER_GLN
    bad = api.post(
        "/api/v1/edi/partners", {**body, "gln": "1234567890123"}, content_type="application/json"
    )
    assert bad.status_code == 422 and "check digit" in bad.json()["error"]["message"]
    patched = api.patch(
        f"/api/v1/edi/partners/{pid}", {"edi_enabled": False}, content_type="application/json"
    )
    assert patched.json()["edi_enabled"] is False
    assert [p["id"] for p in api.get("/api/v1/edi/partners").json()["results"]] == [pid]
    assert api.delete(f"/api/v1/edi/partners/{pid}").status_code == 204
    assert api.get(f"/api/v1/edi/partners/{pid}").status_code == 404


def test_scope_and_cross_tenant(api, client, world, other_org):
    order = upload(api, interchange(orders_message("PO-3", [(GTINS[0], "1", "1")]))).json()
    oid = order["messages"][0]["id"]
    client.defaults["HTTP_X_TEST_ORG"] = other_org.slug
    for url in (
        f"/api/v1/edi/messages/{oid}",
        f"/api/v1/edi/messages/{oid}/raw",
        f"/api/v1/edi/partners/{world.partner.id}",
    ):
        response = client.get(url)
        assert response.status_code == 404 and response.json()["error"]["code"] == "not_found"
    assert client.post(f"/api/v1/edi/messages/{oid}/retry").status_code == 404
    assert client.get("/api/v1/edi/messages").json()["count"] == 0
    client.defaults["HTTP_X_TEST_SCOPES"] = "read:orders"
    denied = client.get("/api/v1/edi/messages")
    assert denied.status_code == 403 and "edi:exchange" in denied.json()["error"]["message"]
