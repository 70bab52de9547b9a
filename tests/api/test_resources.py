"""Resources: lists (cursor, filters, ordering), by number, writes through erp services,
references by business code, validation errors naming the field, idempotency."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.utils import timezone

from monopilot.api.testing import ApiClient
from monopilot.erp.models import Product, ProductType, PurchaseOrder, SalesOrder
from monopilot.events.models import Event
from monopilot.tenancy.models import Organization

V1 = "/api/v1"


def _many_products(org: Organization, n: int) -> None:
    ptype = ProductType.objects.create(org=org, code="PT", name="t")
    Product.objects.bulk_create(
        [Product(org=org, code=f"X-{i:03d}", name=f"x{i}", product_type=ptype) for i in range(n)]
    )


def test_cursor_pagination_walks_everything_once(api: ApiClient, org: Organization) -> None:
    _many_products(org, 23)
    seen: list[str] = []
    cursor = None
    while True:
        params: dict[str, Any] = {"limit": 10, "ordering": "created_at"}
        if cursor:
            params["cursor"] = cursor
        body = api.get(f"{V1}/products", params).json()
        seen += [row["code"] for row in body["data"]]
        cursor = body["next_cursor"]
        assert body["has_more"] == (cursor is not None)
        if not cursor:
            break
    assert len(seen) == 23 and len(set(seen)) == 23


def test_bad_cursor_and_bad_params_name_the_field(api: ApiClient) -> None:
    r = api.get(f"{V1}/products", {"cursor": "not-a-cursor"})
    assert r.status_code == 400 and r.json()["error"]["details"] == {"field": "cursor"}
    r = api.get(f"{V1}/products", {"limit": 0})
    err = r.json()["error"]
    assert r.status_code == 422 and err["code"] == "validation_error"
    assert err["details"]["fields"][0]["field"] == "limit"
    assert err["message"].startswith("limit:")


def test_filters(api: ApiClient, org: Organization, erp: dict[str, Any]) -> None:
    assert [r["code"] for r in api.get(f"{V1}/products", {"status": "active"}).json()["data"]]
    assert api.get(f"{V1}/products", {"status": "discontinued"}).json()["data"] == []
    future = (timezone.now() + timedelta(days=1)).isoformat()
    assert api.get(f"{V1}/products", {"updated_since": future}).json()["data"] == []
    tomorrow = (timezone.now() + timedelta(days=1)).date().isoformat()
    assert api.get(f"{V1}/purchase-orders", {"created_from": tomorrow}).json()["data"] == []
    assert len(api.get(f"{V1}/purchase-orders", {"created_to": tomorrow}).json()["data"]) == 1


def test_documents_by_number(api: ApiClient, erp: dict[str, Any]) -> None:
    so = erp["so"]
    body = api.get(f"{V1}/sales-orders/by-number/{so.order_number}").json()
    assert body["id"] == str(so.pk) and body["customer"] == "CUST-001"
    assert body["lines"][0]["product"] == "FG-BREAD"
    inv = api.get(f"{V1}/invoices/by-number/{erp['invoice'].invoice_number}")
    assert inv.status_code == 200
    r = api.get(f"{V1}/sales-orders/by-number/SO-1999-00001")
    assert r.status_code == 404 and r.json()["error"]["message"] == "Sales order not found"


def test_create_product_by_codes_publishes_event(
    api: ApiClient, org: Organization, erp: dict[str, Any]
) -> None:
    r = api.post(
        f"{V1}/products",
        {
            "code": "FG-ROLL",
            "name": "Roll",
            "product_type": "FG",
            "base_uom": "kg",
            "supplier": "SUP-001",
            "std_price": "1.25",
        },
    )
    assert r.status_code == 201, r.content
    body = r.json()
    assert (body["product_type"], body["supplier"], body["std_price"]) == (
        "FG",
        "SUP-001",
        "1.2500",
    )
    assert Event.objects.filter(org=org, type="product.created").exists()


def test_unknown_reference_and_service_errors_name_the_field(
    api: ApiClient, erp: dict[str, Any]
) -> None:
    r = api.post(f"{V1}/products", {"code": "A", "name": "A", "product_type": "NOPE"})
    assert r.status_code == 422
    assert r.json()["error"]["message"] == "product_type: unknown product type 'NOPE'"
    r = api.post(f"{V1}/products", {"code": "FG-BREAD", "name": "dup", "product_type": "FG"})
    assert r.status_code == 422
    assert r.json()["error"]["message"] == "code: product FG-BREAD already exists"
    assert r.json()["error"]["details"]["fields"][0]["field"] == "code"
    r = api.post(f"{V1}/products", {"name": "no code", "product_type": "FG"})
    assert r.status_code == 422 and r.json()["error"]["details"]["fields"][0]["field"] == "code"
    before = PurchaseOrder.objects.count()
    r = api.post(
        f"{V1}/purchase-orders",
        {
            "supplier": "SUP-001",
            "warehouse": "WH1",
            "expected_delivery_date": "2026-12-01",
            "lines": [
                {"product": "RM-FLOUR", "quantity": "1"},
                {"product": "ZZZ", "quantity": "1"},
            ],
        },
    )
    assert r.status_code == 422
    assert r.json()["error"]["message"] == "lines[1].product: unknown product 'ZZZ'"
    assert PurchaseOrder.objects.count() == before  # nothing half-applied


def test_purchase_order_lifecycle(api: ApiClient, org: Organization, erp: dict[str, Any]) -> None:
    r = api.post(
        f"{V1}/purchase-orders",
        {
            "supplier": "SUP-001",
            "warehouse": str(erp["warehouse"].pk),
            "expected_delivery_date": "2026-12-01",
            "lines": [{"product": "RM-FLOUR", "quantity": "10", "unit_price": "2.50"}],
        },
    )
    assert r.status_code == 201, r.content
    po = r.json()
    assert po["po_number"].startswith("PO-") and po["subtotal"] == "25.00"
    r = api.post(f"{V1}/purchase-orders/{po['id']}/status", {"status": "submitted"})
    assert r.json()["status"] == "submitted"
    r = api.post(f"{V1}/purchase-orders/{po['id']}/status", {"status": "closed"})
    assert (
        r.status_code == 422
        and "cannot go from submitted to closed" in r.json()["error"]["message"]
    )
    assert Event.objects.filter(org=org, type="order.created").exists()


def test_sales_order_create_and_update(api: ApiClient, erp: dict[str, Any]) -> None:
    r = api.post(
        f"{V1}/sales-orders",
        {
            "customer": "CUST-001",
            "customer_po": "K-77",
            "lines": [{"product": "FG-BREAD", "quantity": "4", "unit_price": "2.50"}],
        },
    )
    assert r.status_code == 201, r.content
    so = r.json()
    assert so["source"] == "api" and so["total_amount"] == "10.00"
    r = api.patch(
        f"{V1}/sales-orders/{so['id']}",
        {
            "notes": "ring twice",
            "lines": [{"product": "FG-BREAD", "quantity": "1", "unit_price": "3"}],
        },
    )
    assert r.status_code == 200, r.content
    assert r.json()["notes"] == "ring twice" and r.json()["total_amount"] == "3.00"


def test_work_order_start_complete_and_moves(api: ApiClient, erp: dict[str, Any]) -> None:
    wo = erp["wo"]
    assert api.post(f"{V1}/work-orders/{wo.pk}/start").json()["status"] == "in_progress"
    r = api.post(f"{V1}/work-orders/{wo.pk}/complete", {"produced_quantity": "9.5"})
    assert r.status_code == 200 and r.json()["status"] == "completed"
    r = api.post(f"{V1}/inventory/moves", {"license_plate": "LP-000001", "to_location": "WH1/B1"})
    assert r.status_code == 201 and r.json()["location"] == "WH1/B1"
    stock = api.get(f"{V1}/inventory/stock", {"product": "RM-FLOUR"}).json()["data"]
    assert stock == [
        {
            "product": "RM-FLOUR",
            "warehouse": "WH1",
            "location": "WH1/B1",
            "uom": "kg",
            "quantity": "5.0000",
            "license_plates": 1,
        }
    ]


def test_idempotency_key(api: ApiClient, erp: dict[str, Any]) -> None:
    body = {
        "customer": "CUST-001",
        "lines": [{"product": "FG-BREAD", "quantity": "1", "unit_price": "1"}],
    }
    first = api.post(f"{V1}/sales-orders", body, **{"Idempotency-Key": "abc-1"})
    again = api.post(f"{V1}/sales-orders", body, **{"Idempotency-Key": "abc-1"})
    assert first.status_code == again.status_code == 201
    assert first.json() == again.json() and again["Idempotent-Replayed"] == "true"
    assert SalesOrder.objects.filter(source="api").count() == 1
    other = api.post(f"{V1}/sales-orders", {**body, "notes": "x"}, **{"Idempotency-Key": "abc-1"})
    assert other.status_code == 409
    assert other.json()["error"]["code"] == "idempotency_key_reused"
    # A refused request does not burn the key.
    bad = api.post(
        f"{V1}/sales-orders",
        {"customer": "NOPE", "lines": body["lines"]},
        **{"Idempotency-Key": "abc-2"},
    )
    assert bad.status_code == 422
    ok = api.post(f"{V1}/sales-orders", body, **{"Idempotency-Key": "abc-2"})
    assert ok.status_code == 201


def test_idempotency_keys_are_per_organisation(
    api: ApiClient, other_org: Organization, make_key: Any, erp: dict[str, Any]
) -> None:
    from monopilot.api.testing import seed_erp

    seed_erp(other_org, suffix="-X")
    _, theirs = make_key(other_org)
    r1 = api.post(
        f"{V1}/suppliers",
        {"code": "S1", "name": "a", "payment_terms": "7"},
        **{"Idempotency-Key": "same"},
    )
    r2 = ApiClient(theirs).post(
        f"{V1}/suppliers",
        {"code": "S1", "name": "a", "payment_terms": "7"},
        **{"Idempotency-Key": "same"},
    )
    assert r1.status_code == r2.status_code == 201 and r1.json()["id"] != r2.json()["id"]


def test_text_no_database_can_store_is_refused(api: ApiClient, erp: dict[str, Any]) -> None:
    r = api.client.post(
        f"{V1}/products",
        '{"code": "A\\u0000", "name": "x", "product_type": "FG"}',
        content_type="application/json",
        headers={"Authorization": f"Bearer {api.key}"},
    )
    assert r.status_code == 422 and r.json()["error"]["details"]["fields"][0]["field"] == "code"
    r = api.client.post(
        f"{V1}/products",
        '{"code": "\\ud800", "name": "x", "product_type": "FG"}',
        content_type="application/json",
        headers={"Authorization": f"Bearer {api.key}"},
    )
    assert r.status_code == 422
    r = api.get(f"{V1}/products/by-code/A%00B")
    assert r.status_code == 422


def test_idempotency_records_expire(api: ApiClient, erp: dict[str, Any]) -> None:
    from monopilot.api.models import IdempotencyRecord
    from monopilot.api.services import purge_idempotency_records
    from monopilot.core import scheduler

    api.post(
        f"{V1}/suppliers",
        {"code": "S9", "name": "a", "payment_terms": "7"},
        **{"Idempotency-Key": "k9"},
    )
    assert purge_idempotency_records() == 0
    assert purge_idempotency_records(now=timezone.now() + timedelta(hours=25)) == 1
    assert not IdempotencyRecord.objects.exists()
    assert "api.purge_idempotency" in {job.name for job in scheduler.jobs()}
