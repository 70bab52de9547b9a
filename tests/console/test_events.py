"""Event catalogue screens."""

from __future__ import annotations

from collections.abc import Callable

from django.test import Client

from monopilot.events import catalogue


def test_catalogue_lists_every_type(as_role: Callable[[str], Client]) -> None:
    html = as_role("accountant").get("/integrations/events").content.decode()
    assert html.count('data-testid="event-row"') == len(catalogue.all_types())
    assert "import.completed" in html


def test_detail_shows_schema_and_example(as_role: Callable[[str], Client]) -> None:
    event = catalogue.get("import.completed")
    html = as_role("owner").get("/integrations/events/import.completed").content.decode()
    assert event.description in html
    assert 'data-testid="event-schema"' in html and "&quot;required&quot;" in html
    assert 'data-testid="event-example"' in html


def test_unknown_event_is_404(as_role: Callable[[str], Client]) -> None:
    assert as_role("owner").get("/integrations/events/nope.nothing").status_code == 404


def test_search(as_role: Callable[[str], Client]) -> None:
    html = as_role("owner").get("/integrations/events", {"q": "export"}).content.decode()
    assert "export.completed" in html and "import.completed" not in html
