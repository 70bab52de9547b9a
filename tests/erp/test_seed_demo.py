from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command

from monopilot.core.gs1 import validate_gln, validate_gtin, validate_nip, validate_sscc
from monopilot.erp import models as m
from monopilot.erp.demo import demo_counts
from monopilot.events.models import Event
from monopilot.tenancy.models import Membership, Organization, User
from monopilot.tenancy.scoping import scoped


@pytest.fixture
def seeded(db: None) -> str:
    out = StringIO()
    call_command("seed_demo", stdout=out)
    return out.getvalue()


def test_seed_demo_creates_everything_and_is_idempotent(seeded: str) -> None:
    """One seed for all checks (the seed is the slow part)."""
    _demo_organisation_and_users()
    _demo_master_data_is_valid()
    _demo_documents_cover_the_lifecycles()
    _demo_publishes_the_prd_events()
    _second_run_changes_nothing(seeded)


def _second_run_changes_nothing(seeded: str) -> None:
    assert "organisation 'demo' created" in seeded
    counts, events = demo_counts(slug="demo"), Event.objects.count()
    out = StringIO()
    call_command("seed_demo", stdout=out)
    assert "organisation 'demo' already exists: nothing to do" in out.getvalue()
    assert demo_counts(slug="demo") == counts
    assert Event.objects.count() == events
    assert Organization.objects.filter(slug__in=["demo", "other"]).count() == 2


def _demo_organisation_and_users() -> None:
    org = Organization.objects.get(slug="demo")
    assert (org.name, org.plan, org.modules_enabled) == (
        "Demo Foods sp. z o.o.",
        "growth",
        ["integrations"],
    )
    assert (org.timezone, org.locale, org.currency) == ("Europe/Warsaw", "pl", "PLN")
    validate_nip(org.tax_id)
    validate_gln(org.gln)
    roles = dict(Membership.objects.filter(org=org).values_list("user__email", "role"))
    assert roles == {
        "admin@demo.local": "owner",
        "it_manager@demo.local": "it_manager",
        "viewer@demo.local": "viewer",
    }
    assert User.objects.get(email="admin@demo.local").check_password("demo")
    other = Organization.objects.get(slug="other")
    assert other.name == "Other Foods S.A." and other.plan == "growth"
    assert Membership.objects.get(org=other).user.email == "owner@other.local"
    assert scoped(m.Product, other).count() == 3 and scoped(m.Customer, other).count() == 2


def _demo_master_data_is_valid() -> None:
    org = Organization.objects.get(slug="demo")
    assert sorted(scoped(m.TaxCode, org).values_list("symbol", flat=True)) == [
        "0",
        "23",
        "5",
        "8",
        "zw",
    ]
    assert sorted(scoped(m.ProductType, org).values_list("code", flat=True)) == [
        "FG",
        "PKG",
        "RM",
        "WIP",
    ]
    products = scoped(m.Product, org)
    assert products.count() == 50
    for product in products:
        assert validate_gtin(product.gtin).startswith("590")
    assert m.ProductAllergen.objects.filter(org=org).count() > 20
    finished = products.filter(product_type__code="FG")
    assert all(scoped(m.Bom, org).filter(product=p, status="active").exists() for p in finished)
    assert scoped(m.Warehouse, org).count() == 2 and scoped(m.Location, org).count() >= 10
    suppliers = scoped(m.Supplier, org)
    assert suppliers.count() == 8 and suppliers.exclude(gln="").count() >= 4
    for supplier in suppliers:
        validate_nip(supplier.tax_id)
    customers = scoped(m.Customer, org)
    assert customers.count() == 10
    for customer in customers.exclude(gln=""):
        validate_gln(customer.gln)
        validate_nip(customer.tax_id)
    points = scoped(m.CustomerAddress, org).filter(address_type="shipping").exclude(gln="")
    assert points.count() >= 10
    for point in points:
        validate_gln(point.gln)


def _demo_documents_cover_the_lifecycles() -> None:
    org = Organization.objects.get(slug="demo")

    def statuses(model: type) -> set[str]:
        return set(scoped(model, org).values_list("status", flat=True))

    assert {"draft", "submitted", "confirmed", "receiving", "closed", "cancelled"} <= statuses(
        m.PurchaseOrder
    )
    assert {
        "draft",
        "planned",
        "released",
        "in_progress",
        "on_hold",
        "completed",
        "closed",
        "cancelled",
    } <= statuses(m.WorkOrder)
    assert {
        "draft",
        "confirmed",
        "picking",
        "packing",
        "shipped",
        "delivered",
        "cancelled",
    } <= statuses(m.SalesOrder)
    assert {"shipped", "delivered"} <= statuses(m.Shipment)
    assert set(scoped(m.SalesOrder, org).values_list("source", flat=True)) >= {
        "manual",
        "edi",
        "api",
        "portal",
    }
    lps = scoped(m.LicensePlate, org)
    assert lps.exclude(batch_number="").filter(expiry_date__isnull=False).count() >= 30
    assert lps.filter(status="blocked").exists() and lps.filter(source="production").exists()
    for box in scoped(m.ShipmentBox, org):
        validate_sscc(box.sscc)
    assert m.ShipmentBoxContent.objects.filter(org=org).exclude(lot_number="").exists()
    invoices = scoped(m.Invoice, org).filter(status="finalized")
    assert invoices.count() >= 5
    assert {"paid", "partial", "unpaid"} <= set(invoices.values_list("payment_status", flat=True))
    assert all(i.invoice_number.startswith("FV/") for i in invoices)
    assert any(len(i.vat_breakdown) > 1 for i in invoices)  # mixed 5% and 23%
    for invoice in invoices:
        assert invoice.total_net + invoice.total_vat == invoice.total_gross


def _demo_publishes_the_prd_events() -> None:
    org = Organization.objects.get(slug="demo")
    types = set(Event.objects.filter(org=org).values_list("type", flat=True))
    assert {
        "order.created",
        "order.updated",
        "workorder.started",
        "workorder.completed",
        "shipment.dispatched",
        "product.created",
        "invoice.finalized",
    } <= types
