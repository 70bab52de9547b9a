from __future__ import annotations

import re
import threading
from datetime import date

import pytest
from django.db import connection, transaction

from monopilot.erp.models import DocumentCounter
from monopilot.erp.services import numbering, production
from monopilot.tenancy.models import Organization

from .factories import Base, make_lp, make_po, make_so, shipped_shipment


def test_document_number_formats(base: Base) -> None:
    year = date.today().year
    po = make_po(base)
    so = make_so(base)
    wo = production.wo_create(
        org=base.org, product=base.product, planned_quantity="10", created_on=date(2026, 11, 25)
    )
    lp = make_lp(base)
    assert re.fullmatch(rf"PO-{year}-\d{{5}}", po.po_number)
    assert re.fullmatch(rf"SO-{year}-\d{{5}}", so.order_number)
    assert wo.wo_number == "WO-20261125-0001"
    assert re.fullmatch(r"LP\d{8}", lp.lp_number)
    shipment = shipped_shipment(base)
    assert re.fullmatch(rf"SH-{year}-\d{{5}}", shipment.shipment_number)


def test_numbers_are_monotonic_and_per_org(org: Organization, other_org: Organization) -> None:
    day = date(2026, 3, 9)
    ours = [numbering.yearly(org=org, prefix="PO", day=day) for _ in range(3)]
    assert ours == ["PO-2026-00001", "PO-2026-00002", "PO-2026-00003"]
    assert numbering.yearly(org=other_org, prefix="PO", day=day) == "PO-2026-00001"
    assert numbering.yearly(org=org, prefix="PO", day=date(2027, 1, 2)) == "PO-2027-00001"


def test_invoice_numbers_restart_every_month(org: Organization) -> None:
    nov = [numbering.invoice_number(org=org, day=date(2026, 11, d)) for d in (1, 30)]
    dec = numbering.invoice_number(org=org, day=date(2026, 12, 1))
    assert nov == ["FV/0001/11/2026", "FV/0002/11/2026"]
    assert dec == "FV/0001/12/2026"


def test_work_order_numbers_restart_every_day(org: Organization) -> None:
    assert numbering.wo_number(org=org, day=date(2026, 11, 25)) == "WO-20261125-0001"
    assert numbering.wo_number(org=org, day=date(2026, 11, 25)) == "WO-20261125-0002"
    assert numbering.wo_number(org=org, day=date(2026, 11, 26)) == "WO-20261126-0001"


def test_a_rolled_back_document_leaves_no_gap(org: Organization) -> None:
    class Boom(Exception):
        pass

    day = date(2026, 5, 1)
    with pytest.raises(Boom), transaction.atomic():
        numbering.yearly(org=org, prefix="SO", day=day)
        raise Boom
    assert numbering.yearly(org=org, prefix="SO", day=day) == "SO-2026-00001"


@pytest.mark.django_db(transaction=True)
def test_concurrent_numbering_is_gap_free_and_unique(org: Organization) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("threads share one SQLite test database; PostgreSQL proves the lock")
    results: list[int] = []
    errors: list[BaseException] = []

    def worker() -> None:
        try:
            for _ in range(5):
                with transaction.atomic():
                    results.append(numbering.next_value(org=org, key="RACE"))
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert sorted(results) == list(range(1, 41))
    assert DocumentCounter.objects.get(org=org, key="RACE").last_value == 40
