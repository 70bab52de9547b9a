"""Integration logs: filters, search, pagination, detail, CSV export (FR-INT-005)."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from monopilot.integration_logs.selectors import csv_safe, parse_filters
from monopilot.tenancy.models import Organization


def rows(html: str) -> int:
    return html.count('data-testid="log-row"')


def test_default_range_is_7_days(
    as_role: Callable[[str], Client], make_log: Callable[..., Any]
) -> None:
    make_log(minutes_ago=60 * 24 * 6)
    make_log(minutes_ago=60 * 24 * 8)
    html = as_role("owner").get("/integrations/logs").content.decode()
    assert rows(html) == 1


@pytest.mark.parametrize(
    ("_case", "params", "expected"),
    [
        ("24h", {"date_range": "last_24_hours"}, 2),
        ("24h alias", {"date_range": "24h"}, 2),
        ("30 days", {"date_range": "last_30_days"}, 4),
        ("status", {"status": "error", "date_range": "last_30_days"}, 2),
        ("type", {"type": "comarch", "date_range": "last_30_days"}, 1),
        ("system", {"external_system": "Comarch Optima", "date_range": "last_30_days"}, 1),
        ("event", {"event_type": "invoice.created", "date_range": "last_30_days"}, 1),
        ("and", {"status": "error", "type": "webhook", "date_range": "last_30_days"}, 1),
    ],
)
def test_filters_combine_with_and(
    as_role: Callable[[str], Client],
    make_log: Callable[..., Any],
    _case: str,
    params: dict[str, str],
    expected: int,
) -> None:
    make_log(minutes_ago=10, status="error")
    make_log(minutes_ago=20)
    make_log(
        minutes_ago=60 * 24 * 3,
        integration_type="comarch",
        status="error",
        external_system="Comarch Optima",
        event_type="invoice.created",
    )
    make_log(minutes_ago=60 * 24 * 20)
    html = as_role("owner").get("/integrations/logs", params).content.decode()
    assert rows(html) == expected


def test_custom_range(as_role: Callable[[str], Client], make_log: Callable[..., Any]) -> None:
    inside = make_log(minutes_ago=60 * 24 * 10)
    make_log(minutes_ago=60 * 24 * 3)
    day = inside.timestamp.date().isoformat()
    html = (
        as_role("owner")
        .get("/integrations/logs", {"date_range": "custom", "date_from": day, "date_to": day})
        .content.decode()
    )
    assert rows(html) == 1


def test_bad_filter_values_are_named(as_role: Callable[[str], Client]) -> None:
    html = (
        as_role("owner")
        .get("/integrations/logs", {"status": "weird", "date_from": "x"})
        .content.decode()
    )
    assert "status: unknown value &#x27;weird&#x27;" in html
    assert "date_from: not a date (YYYY-MM-DD): x" in html


def test_search_hits_bodies_error_and_external_id_exact_first(
    as_role: Callable[[str], Client], make_log: Callable[..., Any]
) -> None:
    make_log(minutes_ago=1, external_id="PO-1001-B")
    make_log(minutes_ago=50, external_id="PO-1001")
    make_log(minutes_ago=2, request_body={"order": {"number": "PO-1001"}})
    make_log(minutes_ago=3, error_message="Order PO-1001 refused")
    make_log(minutes_ago=4, response_body={"ok": True})
    html = as_role("owner").get("/integrations/logs", {"q": "PO-1001"}).content.decode()
    assert rows(html) == 4
    first_row = html.split('data-testid="log-row"')[1]
    assert ">PO-1001<" in first_row


def test_pagination_50_per_page(
    as_role: Callable[[str], Client], make_log: Callable[..., Any]
) -> None:
    for i in range(55):
        make_log(minutes_ago=i + 1)
    client = as_role("owner")
    first = client.get("/integrations/logs").content.decode()
    second = client.get("/integrations/logs", {"page": 2}).content.decode()
    assert rows(first) == 50 and rows(second) == 5
    assert "Rows 1–50 of 55" in first
    assert rows(client.get("/integrations/logs", {"page_size": 500}).content.decode()) == 55


def test_htmx_filter_returns_results_partial(
    as_role: Callable[[str], Client], make_log: Callable[..., Any]
) -> None:
    make_log()
    response = as_role("owner").get(
        "/integrations/logs", {"status": "success"}, headers={"HX-Request": "true"}
    )
    html = response.content.decode()
    assert html.startswith('<div id="log-results"')
    assert rows(html) == 1


def test_detail_shows_masked_bodies_and_references(
    as_role: Callable[[str], Client], make_log: Callable[..., Any]
) -> None:
    row = make_log(
        request_body={
            "headers": {"Authorization": "Bearer mp_live_abcdefghijklmnop"},
            "api_key": "k",
        },
        response_body={"ok": True},
        external_system="ACME",
        external_id="SO-77",
        correlation_id="corr-1",
    )
    related = make_log(correlation_id="corr-1", minutes_ago=1)
    html = as_role("it_manager").get(f"/integrations/logs/{row.pk}").content.decode()
    assert "Bearer mp_live_abc***" in html
    assert "mp_live_abcdefghijklmnop" not in html
    assert "***REDACTED***" in html
    assert "SO-77" in html and "ACME" in html
    assert f"/integrations/logs/{related.pk}" in html


def test_detail_of_another_orgs_row_is_404(
    as_role: Callable[[str], Client], make_log: Callable[..., Any], other_org: Organization
) -> None:
    foreign = make_log(target=other_org)
    client = as_role("owner")
    assert client.get(f"/integrations/logs/{foreign.pk}").status_code == 404
    assert client.get("/integrations/logs/00000000-0000-0000-0000-000000000000").status_code == 404


def test_list_never_shows_another_orgs_rows(
    as_role: Callable[[str], Client], make_log: Callable[..., Any], other_org: Organization
) -> None:
    make_log(target=other_org, external_id="FOREIGN")
    html = as_role("owner").get("/integrations/logs", {"q": "FOREIGN"}).content.decode()
    assert rows(html) == 0


def _csv(response: Any) -> tuple[bytes, list[list[str]]]:
    raw = b"".join(response.streaming_content)
    return raw, list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))


def test_csv_export_of_filtered_rows_with_bom_and_no_bodies(
    as_role: Callable[[str], Client], make_log: Callable[..., Any], other_org: Organization
) -> None:
    make_log(
        status="error",
        error_message='=HYPERLINK("http://evil")',
        external_id="+48123",
        request_body={"secret_stuff": "BODYTEXT"},
    )
    make_log(status="success")
    make_log(target=other_org, status="error")
    response = as_role("it_manager").get("/integrations/logs/export.csv", {"status": "error"})
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="integration-logs-')
    raw, table = _csv(response)
    assert raw.startswith(b"\xef\xbb\xbf")
    assert table[0] == [
        "timestamp",
        "integration_type",
        "event_type",
        "direction",
        "status",
        "http_status",
        "external_system",
        "external_id",
        "duration_ms",
        "retry_count",
        "error_message",
    ]
    assert len(table) == 2
    assert table[1][10] == '\'=HYPERLINK("http://evil")'
    assert table[1][7] == "'+48123"
    assert b"BODYTEXT" not in raw


def test_csv_export_caps_at_10000(
    monkeypatch: Any, as_role: Callable[[str], Client], make_log: Callable[..., Any]
) -> None:
    from monopilot.integration_logs import selectors

    monkeypatch.setattr(selectors, "EXPORT_LIMIT", 3)
    for i in range(5):
        make_log(minutes_ago=i + 1)
    _raw, table = _csv(as_role("owner").get("/integrations/logs/export.csv"))
    assert len(table) == 1 + 3


def test_csv_export_refused_to_viewer(as_role: Callable[[str], Client]) -> None:
    assert as_role("viewer").get("/integrations/logs/export.csv").status_code == 403


@pytest.mark.parametrize(
    ("_case", "value", "expected"),
    [
        ("plain", "abc", "abc"),
        ("formula", "=1+1", "'=1+1"),
        ("plus", "+1", "'+1"),
        ("minus", "-1", "'-1"),
        ("at", "@SUM", "'@SUM"),
        ("tab", "\tx", "'\tx"),
        ("none", None, ""),
    ],
)
def test_csv_safe(_case: str, value: Any, expected: str) -> None:
    assert csv_safe(value) == expected


def test_parse_filters_swaps_reversed_custom_dates() -> None:
    f = parse_filters({"date_range": "custom", "date_from": "2026-02-10", "date_to": "2026-02-01"})
    assert (f.date_from.isoformat(), f.date_to.isoformat()) == ("2026-02-01", "2026-02-10")  # type: ignore[union-attr]
    assert f.errors == ["date_from: must not be after date_to"]


def test_times_are_shown_in_the_organisations_zone(
    as_role: Callable[[str], Client], make_log: Callable[..., Any], org: Organization
) -> None:
    from datetime import UTC, datetime

    from monopilot.integration_logs.services import log_integration

    org.timezone = "Europe/Warsaw"
    org.save(update_fields=["timezone"])
    row = log_integration(
        org=org,
        integration_type="api",
        direction="inbound",
        status="success",
        timestamp=datetime(2026, 7, 1, 22, 30, tzinfo=UTC),
    )
    assert row is not None
    client = as_role("owner")
    html = client.get(f"/integrations/logs/{row.pk}").content.decode()
    assert "2026-07-02T00:30:00+02:00" in html
    listing = client.get(
        "/integrations/logs",
        {"date_range": "custom", "date_from": "2026-07-02", "date_to": "2026-07-02"},
    ).content.decode()
    assert rows(listing) == 1
