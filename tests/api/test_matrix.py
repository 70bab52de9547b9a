"""The authorization matrix: every endpoint x every key situation, status and error text.

ENDPOINTS lists every operation of /api/v1 (test_matrix_covers_every_operation fails when
one is added without a row here). Each row: operation id, method, path builder (from the
seeded objects), the scope it needs (None: any valid key), and a body builder for writes.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any, NamedTuple

import pytest
from django.utils import timezone

from monopilot.api.main import api as ninja_api
from monopilot.api.testing import ApiClient, seed_erp
from monopilot.apikeys.models import ApiKey
from monopilot.apikeys.scopes import ALL_SCOPES
from monopilot.apikeys.services import api_key_create, api_key_revoke, api_key_suspend
from monopilot.events import catalogue
from monopilot.tenancy.models import Organization

V1 = "/api/v1"
Objs = dict[str, Any]


class Endpoint(NamedTuple):
    op: str
    method: str
    path: Callable[[Objs], str]
    scope: str | None
    body: Callable[[Objs], dict[str, Any]] | None = None
    has_object: bool = True  # the path names one object (other tenant's → 404)
    other_status: int = 0  # expected status with another tenant's objects (0: from has_object)


def _get(op: str, path: Callable[[Objs], str], scope: str | None, obj: bool = True) -> Endpoint:
    return Endpoint(op, "get", path, scope, None, obj)


ENDPOINTS: list[Endpoint] = [
    _get("monopilot_api_routers_me_me", lambda o: "/me", None, False),
    _get(
        "monopilot_api_routers_event_types_list_event_types", lambda o: "/event-types", None, False
    ),
    _get(
        "monopilot_api_routers_event_types_get_event_type",
        lambda o: f"/event-types/{catalogue.names()[0]}",
        None,
        False,
    ),
    _get("list_products", lambda o: "/products", "read:products", False),
    _get("get_products", lambda o: f"/products/{o['product'].pk}", "read:products"),
    _get(
        "get_product_by_code", lambda o: f"/products/by-code/{o['product'].code}", "read:products"
    ),
    _get("list_product_boms", lambda o: f"/products/{o['product'].pk}/boms", "read:products"),
    _get("list_boms", lambda o: "/boms", "read:products", False),
    _get("get_boms", lambda o: f"/boms/{o['bom'].pk}", "read:products"),
    _get("list_suppliers", lambda o: "/suppliers", "read:partners", False),
    _get("get_suppliers", lambda o: f"/suppliers/{o['supplier'].pk}", "read:partners"),
    _get(
        "get_suppliers_by_number",
        lambda o: f"/suppliers/by-code/{o['supplier'].code}",
        "read:partners",
    ),
    _get("list_customers", lambda o: "/customers", "read:partners", False),
    _get("get_customers", lambda o: f"/customers/{o['customer'].pk}", "read:partners"),
    _get(
        "get_customers_by_number",
        lambda o: f"/customers/by-code/{o['customer'].customer_code}",
        "read:partners",
    ),
    _get("list_purchase_orders", lambda o: "/purchase-orders", "read:orders", False),
    _get("get_purchase_orders", lambda o: f"/purchase-orders/{o['po'].pk}", "read:orders"),
    _get(
        "get_purchase_orders_by_number",
        lambda o: f"/purchase-orders/by-number/{o['po'].po_number}",
        "read:orders",
    ),
    _get("list_sales_orders", lambda o: "/sales-orders", "read:orders", False),
    _get("get_sales_orders", lambda o: f"/sales-orders/{o['so'].pk}", "read:orders"),
    _get(
        "get_sales_orders_by_number",
        lambda o: f"/sales-orders/by-number/{o['so'].order_number}",
        "read:orders",
    ),
    _get("list_work_orders", lambda o: "/work-orders", "read:production", False),
    _get("get_work_orders", lambda o: f"/work-orders/{o['wo'].pk}", "read:production"),
    _get(
        "get_work_orders_by_number",
        lambda o: f"/work-orders/by-number/{o['wo'].wo_number}",
        "read:production",
    ),
    _get("get_stock", lambda o: "/inventory/stock", "read:inventory", False),
    _get("list_license_plates", lambda o: "/license-plates", "read:inventory", False),
    _get("get_license_plates", lambda o: f"/license-plates/{o['lp'].pk}", "read:inventory"),
    _get(
        "get_license_plates_by_number",
        lambda o: f"/license-plates/by-number/{o['lp'].lp_number}",
        "read:inventory",
    ),
    _get("list_shipments", lambda o: "/shipments", "read:shipping", False),
    _get("get_shipments", lambda o: f"/shipments/{o['shipment'].pk}", "read:shipping"),
    _get(
        "get_shipments_by_number",
        lambda o: f"/shipments/by-number/{o['shipment'].shipment_number}",
        "read:shipping",
    ),
    _get("list_invoices", lambda o: "/invoices", "read:invoices", False),
    _get("get_invoices", lambda o: f"/invoices/{o['invoice'].pk}", "read:invoices"),
    _get(
        "get_invoices_by_number",
        lambda o: f"/invoices/by-number/{o['invoice'].invoice_number}",
        "read:invoices",
    ),
    # --- writes -------------------------------------------------------------------------
    Endpoint(
        "create_product",
        "post",
        lambda o: "/products",
        "write:products",
        lambda o: {
            "code": "NEW-1",
            "name": "New",
            "product_type": o["product_type"].code,
            "base_uom": "kg",
            "supplier": o["supplier"].code,
        },
        False,
        422,
    ),
    Endpoint(
        "update_product",
        "patch",
        lambda o: f"/products/{o['product'].pk}",
        "write:products",
        lambda o: {"name": "Renamed"},
    ),
    Endpoint(
        "create_bom",
        "post",
        lambda o: "/boms",
        "write:products",
        lambda o: {
            "product": o["raw"].code,
            "effective_from": "2027-01-01",
            "items": [{"product": o["product"].code, "quantity": "2"}],
        },
        False,
        422,
    ),
    Endpoint(
        "create_supplier",
        "post",
        lambda o: "/suppliers",
        "write:partners",
        lambda o: {"code": "SUP-NEW", "name": "Nowy", "payment_terms": "14 days"},
        False,
        201,
    ),
    Endpoint(
        "update_supplier",
        "patch",
        lambda o: f"/suppliers/{o['supplier'].pk}",
        "write:partners",
        lambda o: {"city": "Kraków"},
    ),
    Endpoint(
        "create_customer",
        "post",
        lambda o: "/customers",
        "write:partners",
        lambda o: {"customer_code": "C-NEW", "name": "Nowy"},
        False,
        201,
    ),
    Endpoint(
        "update_customer",
        "patch",
        lambda o: f"/customers/{o['customer'].pk}",
        "write:partners",
        lambda o: {"phone": "+48 123"},
    ),
    Endpoint(
        "create_purchase_order",
        "post",
        lambda o: "/purchase-orders",
        "write:orders",
        lambda o: {
            "supplier": o["supplier"].code,
            "warehouse": o["warehouse"].code,
            "expected_delivery_date": "2026-12-01",
            "lines": [{"product": o["raw"].code, "quantity": "10", "unit_price": "2.50"}],
        },
        False,
        422,
    ),
    Endpoint(
        "set_purchase_order_status",
        "post",
        lambda o: f"/purchase-orders/{o['po'].pk}/status",
        "write:orders",
        lambda o: {"status": "submitted"},
    ),
    Endpoint(
        "create_sales_order",
        "post",
        lambda o: "/sales-orders",
        "write:orders",
        lambda o: {
            "customer": o["customer"].customer_code,
            "lines": [{"product": o["product"].code, "quantity": "2", "unit_price": "3.10"}],
        },
        False,
        422,
    ),
    Endpoint(
        "update_sales_order",
        "patch",
        lambda o: f"/sales-orders/{o['so'].pk}",
        "write:orders",
        lambda o: {"notes": "call before delivery"},
    ),
    Endpoint(
        "start_work_order",
        "post",
        lambda o: f"/work-orders/{o['wo'].pk}/start",
        "write:production",
        lambda o: {},
    ),
    Endpoint(
        "complete_work_order",
        "post",
        lambda o: f"/work-orders/{o['wo_running'].pk}/complete",
        "write:production",
        lambda o: {"produced_quantity": "9"},
    ),
    Endpoint(
        "move_stock",
        "post",
        lambda o: "/inventory/moves",
        "write:inventory",
        lambda o: {"license_plate": o["lp"].lp_number, "to_location": o["location2"].full_path},
        False,
        422,
    ),
    Endpoint(
        "set_shipment_status",
        "post",
        lambda o: f"/shipments/{o['shipment'].pk}/status",
        "write:shipping",
        lambda o: {"status": "exception"},
    ),
]

CASES = [
    "no_key",
    "bad_key",
    "suspended",
    "expired",
    "revoked",
    "wrong_scope",
    "right_scope",
    "other_tenant",
    "ip_outside",
]

# (status, code, message) per failing case; message None = not checked here
EXPECTED: dict[str, tuple[int, str, str]] = {
    "no_key": (401, "missing_api_key", "API key required"),
    "bad_key": (401, "invalid_api_key", "Invalid API key"),
    "suspended": (401, "api_key_suspended", "API key has been suspended"),
    "expired": (401, "api_key_expired", "API key has expired"),
    "revoked": (401, "api_key_revoked", "API key has been revoked"),
    "ip_outside": (
        403,
        "ip_not_allowed",
        "IP address 127.0.0.1 is not allowed to use this API key",
    ),
}


def _wrong_scope(needed: str) -> str:
    """A scope that does not grant `needed` (write:x grants read:x, so pick another resource)."""
    resource = needed.split(":", 1)[1]
    return "read:partners" if resource != "partners" else "read:products"


def _key(org: Organization, scopes: list[str], **extra: Any) -> tuple[ApiKey, str]:
    issued = api_key_create(
        org=org,
        by=None,
        name=f"k{ApiKey.objects.count()}",
        scopes=scopes,
        rate_limit_tier="premium",
        **extra,
    )
    return issued.key, issued.plaintext


def _presented(case: str, ep: Endpoint, org: Organization) -> str | None:
    scopes = [ep.scope] if ep.scope else list(ALL_SCOPES)
    if case == "no_key":
        return None
    if case == "bad_key":
        return "mp_live_" + "x" * 38
    if case == "wrong_scope":
        return _key(org, [_wrong_scope(ep.scope or "read:products")])[1]
    if case == "ip_outside":
        return _key(org, scopes, allowed_ips=["10.0.0.0/8"])[1]
    key, plain = _key(org, scopes)
    if case == "suspended":
        api_key_suspend(key=key, by=None)
    elif case == "revoked":
        api_key_revoke(key=key, by=None, reason="matrix")
    elif case == "expired":
        ApiKey.objects.filter(pk=key.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    return plain


def _call(client: ApiClient, ep: Endpoint, objs: Objs) -> Any:
    path = V1 + ep.path(objs)
    if ep.method == "get":
        return client.get(path)
    return getattr(client, ep.method)(path, ep.body(objs) if ep.body else {})


@pytest.mark.parametrize("case", CASES)
@pytest.mark.parametrize("ep", ENDPOINTS, ids=[e.op for e in ENDPOINTS])
def test_matrix(ep: Endpoint, case: str, org: Organization, other_org: Organization) -> None:
    objs = seed_erp(org)
    other = seed_erp(other_org, suffix="-X")
    if case == "wrong_scope" and ep.scope is None:
        pytest.skip("endpoint needs only a valid key")
    client = ApiClient(_presented(case, ep, org))
    target = other if case == "other_tenant" else objs
    response = _call(client, ep, target)
    body = response.json()
    assert "X-RateLimit-Limit" in response and "X-RateLimit-Reset" in response  # every answer
    if case in EXPECTED:
        status, code, message = EXPECTED[case]
        assert (response.status_code, body["error"]["code"], body["error"]["message"]) == (
            status,
            code,
            message,
        )
    elif case == "wrong_scope":
        assert response.status_code == 403
        assert body["error"] == {
            "code": "insufficient_scope",
            "details": {},
            "message": f"Insufficient scope: {ep.scope} required",
        }
    elif case == "right_scope":
        assert response.status_code in (200, 201), body
        assert "X-RateLimit-Remaining" in response
    elif case == "other_tenant":
        if ep.other_status:
            assert response.status_code == ep.other_status, body
        elif ep.has_object:
            assert response.status_code == 404, body
            assert body["error"]["code"] == "not_found"
        else:
            assert response.status_code in (200, 201), body
            ids = {str(v.pk) for v in other.values() if hasattr(v, "pk")}
            assert not ids & {
                row.get("id") for row in body.get("data", []) if isinstance(row, dict)
            }


def test_matrix_covers_every_operation() -> None:
    doc = ninja_api.get_openapi_schema()
    ops = {
        op["operationId"]
        for path, methods in doc["paths"].items()
        if not path.startswith(
            (
                "/api/v1/webhooks",
                "/api/v1/events",
                "/api/v1/retry-queue",
                "/api/v1/dead-letters",
                "/api/v1/exports",
                "/api/v1/imports",
                "/api/v1/edi",
            )
        )  # other teams test their routers
        for op in methods.values()
    }
    assert ops == {e.op for e in ENDPOINTS}
