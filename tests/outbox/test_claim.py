"""The claim's hand-written SQL leases exactly the messages `due_messages` describes (the
readable definition), earliest first, and leaves skipped targets alone."""

from __future__ import annotations

import random
import uuid
from datetime import timedelta

import pytest
from django.utils import timezone

from monopilot.core.ids import time_ordered_uuid
from monopilot.outbox import delivery
from monopilot.outbox.models import Message, Status


def _random_queue(org_id: uuid.UUID, targets: list[uuid.UUID], seed: int) -> None:
    rng = random.Random(seed)
    now = timezone.now()
    later, lapsed = now + timedelta(hours=1), now - timedelta(seconds=5)
    rows = []
    for n in range(120):
        status = rng.choice([Status.PENDING] * 4 + [Status.HELD, Status.DELIVERED, Status.DEAD])
        rows.append(
            Message(
                id=time_ordered_uuid(),
                org_id=org_id,
                kind="webhook",
                target_id=rng.choice(targets),
                payload=b"{}",
                ordering_key=rng.choice(["", "", "", "o:1", "o:2", "o:3"]),
                seq=n,
                status=status,
                # distinct times, so "earliest first" has one answer
                next_attempt_at=rng.choice([now - timedelta(minutes=n + 1), later, None]),
                lease_until=rng.choice([None, None, lapsed, later]),
            )
        )  # fmt: skip
    Message.objects.bulk_create(rows)


@pytest.mark.parametrize("seed", range(6))
def test_claim_leases_what_due_messages_describes(org, seed: int) -> None:
    targets = [uuid.uuid4() for _ in range(3)]
    _random_queue(org.id, targets, seed)
    due = delivery.due_messages(timezone.now()).exclude(target_id=targets[2])
    earliest = list(due.order_by("next_attempt_at").values_list("id", flat=True)[:7])
    expected = set(due.values_list("id", flat=True))

    first = delivery.claim(worker="w", limit=7, lease_seconds=60, skip_targets=[targets[2]])
    assert sorted(j.id for j in first) == sorted(earliest)
    rest = delivery.claim(worker="w", limit=1000, lease_seconds=60, skip_targets=[targets[2]])
    claimed = {j.id for j in first} | {j.id for j in rest}
    assert claimed == expected
    assert all(j.target_id != targets[2] for j in first + rest)
    leased = Message.objects.filter(id__in=claimed)
    assert leased.filter(leased_by="w", lease_until__gt=timezone.now()).count() == len(claimed)
