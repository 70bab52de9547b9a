"""publish(): store an event with the change that caused it, then let subscribers react.

Subscribers run inside the publishing transaction (so an outbox row exists if and only if
the change committed); after-commit hooks wake whatever delivers messages, so delivery
starts at once instead of waiting for the next poll.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.utils import timezone

from monopilot.events import catalogue
from monopilot.events.models import Event
from monopilot.tenancy.models import Organization

logger = logging.getLogger(__name__)

Subscriber = Callable[[Event], None]
_subscribers: list[Subscriber] = []
_after_commit_hooks: list[Callable[[], None]] = []


def subscribe(subscriber: Subscriber) -> None:
    """Run `subscriber(event)` inside the transaction of every publish (idempotent)."""
    if subscriber not in _subscribers:
        _subscribers.append(subscriber)


def on_published(hook: Callable[[], None]) -> None:
    """Run `hook()` after the publishing transaction commits (e.g. wake the dispatcher)."""
    if hook not in _after_commit_hooks:
        _after_commit_hooks.append(hook)


def jsonable(data: dict[str, Any]) -> dict[str, Any]:
    """Decimals, dates and UUIDs as the strings the wire format carries."""
    result: dict[str, Any] = json.loads(json.dumps(data, cls=DjangoJSONEncoder))
    return result


def publish(
    *,
    org: Organization,
    type: str,
    data: dict[str, Any],
    subject: tuple[str, object] | None = None,
    correlation_id: str = "",
) -> Event:
    event_type = catalogue.get(type)
    payload = jsonable(data)
    if settings.MONOPILOT_VALIDATE_EVENTS:
        errors = event_type.errors(payload)
        if errors:
            raise catalogue.InvalidEventData(f"{type}: " + "; ".join(errors))
    subject_type, subject_id = subject if subject else ("", "")
    event = Event.objects.create(
        org=org,
        type=type,
        version=event_type.version,
        occurred_at=timezone.now(),
        data=payload,
        subject_type=subject_type,
        subject_id=str(subject_id),
        correlation_id=correlation_id,
    )
    for subscriber in _subscribers:
        subscriber(event)
    for hook in _after_commit_hooks:
        transaction.on_commit(hook)
    return event
