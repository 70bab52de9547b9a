from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import transaction

from monopilot.events import catalogue
from monopilot.events.models import Event
from monopilot.events.services import publish, subscribe
from monopilot.tenancy.models import Organization


@pytest.fixture(autouse=True)
def _types() -> None:
    if "test.amount" not in catalogue.names():
        catalogue.register(
            catalogue.EventType(
                name="test.amount",
                description="an amount changed",
                schema=catalogue.obj({"amount": catalogue.DECIMAL, "number": catalogue.STR}),
                example={"amount": "1.00", "number": "X-1"},
            )
        )


def test_publish_stores_the_envelope(org: Organization) -> None:
    event = publish(
        org=org, type="test.amount", data={"amount": Decimal("12.30"), "number": "SO-1"},
        subject=("sales_order", "abc"),
    )  # fmt: skip
    stored = Event.objects.get(pk=event.pk)
    envelope = stored.envelope()
    assert envelope["type"] == "test.amount"
    assert envelope["org_id"] == str(org.pk)
    assert envelope["data"] == {"amount": "12.30", "number": "SO-1"}
    assert str(envelope["timestamp"]).endswith("Z")
    assert stored.subject_type == "sales_order"


def test_publish_inside_a_rolled_back_transaction_leaves_no_event(org: Organization) -> None:
    class Boom(Exception):
        pass

    with pytest.raises(Boom), transaction.atomic():
        publish(org=org, type="test.amount", data={"amount": "1", "number": "n"})
        assert Event.objects.count() == 1
        raise Boom
    assert Event.objects.count() == 0


def test_unknown_type_and_bad_data_are_refused(org: Organization) -> None:
    with pytest.raises(catalogue.UnknownEventType, match="unknown event type 'nope'"):
        publish(org=org, type="nope", data={})
    with pytest.raises(catalogue.InvalidEventData, match="amount"):
        publish(org=org, type="test.amount", data={"amount": "lots", "number": "n"})
    assert Event.objects.count() == 0


def test_subscribers_run_inside_the_publishing_transaction(org: Organization) -> None:
    seen: list[bool] = []

    def subscriber(event: Event) -> None:
        seen.append(transaction.get_connection().in_atomic_block)

    subscribe(subscriber)
    try:
        with transaction.atomic():
            publish(org=org, type="test.amount", data={"amount": "1", "number": "n"})
    finally:
        from monopilot.events import services

        services._subscribers.remove(subscriber)
    assert seen == [True]


def test_every_catalogued_example_matches_its_schema(db: None) -> None:
    for event_type in catalogue.all_types():
        assert event_type.errors(event_type.example) == [], event_type.name
