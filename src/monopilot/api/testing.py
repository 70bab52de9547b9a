"""Test helpers for the public API: keys, a client that sends them, clean limiters.

Imported by the conftest files of tests/api and tests/apikeys (and usable by other apps'
API tests): `from monopilot.api.testing import *`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from monopilot.apikeys.models import ApiKey
from monopilot.apikeys.ratelimit import LocalLimiter, set_limiter
from monopilot.apikeys.scopes import ALL_SCOPES
from monopilot.apikeys.services import api_key_create
from monopilot.apikeys.usage import recorder
from monopilot.apikeys.verify import cache
from monopilot.tenancy.models import Organization


@pytest.fixture(autouse=True)
def api_only_urls(settings: Any) -> None:
    """API tests route through the API alone (tests/api/test_smoke.py checks the real root)."""
    settings.ROOT_URLCONF = "monopilot.api.test_urls"


@pytest.fixture(autouse=True)
def clean_api_state() -> Iterator[None]:
    set_limiter(LocalLimiter())
    cache.clear()
    recorder().forget()
    yield
    set_limiter(None)
    cache.clear()
    recorder().forget()


@pytest.fixture
def make_key(db: None) -> Callable[..., tuple[ApiKey, str]]:
    counter = {"n": 0}

    def make(
        org: Organization, scopes: list[str] | None = None, **extra: Any
    ) -> tuple[ApiKey, str]:
        counter["n"] += 1
        issued = api_key_create(
            org=org,
            by=None,
            name=extra.pop("name", f"key {counter['n']}"),
            scopes=scopes or list(ALL_SCOPES),
            **extra,
        )
        return issued.key, issued.plaintext

    return make


@pytest.fixture
def full_key(org: Organization, make_key: Callable[..., tuple[ApiKey, str]]) -> str:
    return make_key(org, rate_limit_tier="premium")[1]


class ApiClient:
    """Django's test client with the key header filled in."""

    def __init__(self, key: str | None = None, ip: str = "127.0.0.1") -> None:
        self.client = Client(REMOTE_ADDR=ip)
        self.key = key

    def _headers(self, headers: dict[str, str] | None) -> dict[str, str]:
        out = {"Authorization": f"Bearer {self.key}"} if self.key else {}
        out.update(headers or {})
        return out

    def get(self, path: str, params: dict[str, Any] | None = None, **headers: str) -> Any:
        return self.client.get(path, params or {}, headers=self._headers(headers))

    def post(self, path: str, body: Any = None, **headers: str) -> Any:
        return self.client.post(
            path,
            body if body is not None else {},
            content_type="application/json",
            headers=self._headers(headers),
        )

    def patch(self, path: str, body: Any = None, **headers: str) -> Any:
        return self.client.patch(
            path, body or {}, content_type="application/json", headers=self._headers(headers)
        )

    def put(self, path: str, body: Any = None, **headers: str) -> Any:
        return self.client.put(
            path, body or {}, content_type="application/json", headers=self._headers(headers)
        )

    def delete(self, path: str, **headers: str) -> Any:
        return self.client.delete(path, headers=self._headers(headers))


@pytest.fixture
def api(full_key: str) -> ApiClient:
    return ApiClient(full_key)


def later(days: int = 30) -> Any:
    return timezone.now() + timedelta(days=days)


def seed_erp(org: Organization, suffix: str = "") -> dict[str, Any]:
    """One of every resource the API serves (ORM, minimal fields), for tests and benches."""
    from datetime import date

    from monopilot.erp.models import (
        Bom,
        BomItem,
        Customer,
        Invoice,
        LicensePlate,
        Location,
        Product,
        ProductType,
        PurchaseOrder,
        PurchaseOrderLine,
        SalesOrder,
        SalesOrderLine,
        Shipment,
        Supplier,
        TaxCode,
        Warehouse,
        WorkOrder,
    )

    today = date(2026, 11, 2)
    tax = TaxCode.objects.create(
        org=org, code=f"VAT23{suffix}", name="VAT 23%", rate=23, symbol="23"
    )
    fg = ProductType.objects.create(org=org, code=f"FG{suffix}", name="Finished good")
    rm = ProductType.objects.create(org=org, code=f"RM{suffix}", name="Raw material")
    supplier = Supplier.objects.create(
        org=org, code=f"SUP-001{suffix}", name="Młyn Sp. z o.o.", payment_terms="30 days"
    )
    flour = Product.objects.create(
        org=org,
        code=f"RM-FLOUR{suffix}",
        name="Flour",
        product_type=rm,
        base_uom="kg",
        supplier=supplier,
    )
    bread = Product.objects.create(
        org=org,
        code=f"FG-BREAD{suffix}",
        name="Bread",
        product_type=fg,
        base_uom="szt",
        tax_code=tax,
    )
    bom = Bom.objects.create(org=org, product=bread, version=1, effective_from=today)
    BomItem.objects.create(org=org, bom=bom, product=flour, sequence=1, quantity=1, uom="kg")
    wh = Warehouse.objects.create(org=org, code=f"WH1{suffix}", name="Main")
    loc = Location.objects.create(org=org, warehouse=wh, code="A1", name="A1", full_path="WH1/A1")
    po = PurchaseOrder.objects.create(
        org=org,
        po_number=f"PO-2026-09001{suffix}",
        supplier=supplier,
        expected_delivery_date=today,
        warehouse=wh,
    )
    PurchaseOrderLine.objects.create(
        org=org, po=po, line_number=1, product=flour, quantity=5, uom="kg", unit_price=2
    )
    wo = WorkOrder.objects.create(
        org=org,
        wo_number=f"WO-2026-09001{suffix}",
        product=bread,
        planned_quantity=10,
        uom="szt",
        bom=bom,
        status="released",
    )
    lp = LicensePlate.objects.create(
        org=org,
        lp_number=f"LP-000001{suffix}",
        product=flour,
        quantity=5,
        uom="kg",
        location=loc,
        warehouse=wh,
    )
    loc2 = Location.objects.create(
        org=org, warehouse=wh, code="B1", name="B1", full_path=f"WH1{suffix}/B1"
    )
    running = WorkOrder.objects.create(
        org=org,
        wo_number=f"WO-2026-09002{suffix}",
        product=bread,
        planned_quantity=10,
        uom="szt",
        bom=bom,
        status="in_progress",
    )
    customer = Customer.objects.create(org=org, customer_code=f"CUST-001{suffix}", name="Sklep")
    so = SalesOrder.objects.create(
        org=org, order_number=f"SO-2026-09001{suffix}", customer=customer, order_date=today
    )
    SalesOrderLine.objects.create(
        org=org, sales_order=so, line_number=1, product=bread, quantity_ordered=3, unit_price=4
    )
    shipment = Shipment.objects.create(
        org=org, shipment_number=f"SH-2026-09001{suffix}", sales_order=so, customer=customer
    )
    invoice = Invoice.objects.create(
        org=org, invoice_number=f"FV/9001/11/2026{suffix}", customer=customer, sales_order=so
    )
    return {
        "product": bread,
        "raw": flour,
        "bom": bom,
        "supplier": supplier,
        "customer": customer,
        "po": po,
        "so": so,
        "wo": wo,
        "lp": lp,
        "shipment": shipment,
        "invoice": invoice,
        "warehouse": wh,
        "location": loc,
        "tax": tax,
        "product_type": fg,
        "location2": loc2,
        "wo_running": running,
    }


@pytest.fixture
def erp(org: Organization) -> dict[str, Any]:
    return seed_erp(org)


@pytest.fixture
def other_erp(other_org: Organization) -> dict[str, Any]:
    return seed_erp(other_org)
