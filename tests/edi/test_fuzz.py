"""receive() never raises on content: random bytes and mutated real files."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from monopilot.edi.models import EdiMessage
from monopilot.edi.services import receive

from .support import GTINS, interchange, orders_message

pytestmark = pytest.mark.django_db
FUZZ = settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
BASE = interchange(orders_message("PO-F", [(GTINS[0], "3", "1.5"), (GTINS[1], "1", "2")]))


@FUZZ
@given(data=st.binary(max_size=400))
def test_random_bytes(world, data):
    rows = receive(org=world.org, data=data)
    assert rows and all(r.pk for r in rows)


@FUZZ
@given(pos=st.integers(0, len(BASE) - 1), junk=st.binary(min_size=1, max_size=6))
def test_mutated_orders(world, pos, junk):
    before = EdiMessage.objects.count()
    rows = receive(org=world.org, data=BASE[:pos] + junk + BASE[pos + 1 :])
    assert EdiMessage.objects.count() == before + len(rows)
    assert {r.status for r in rows} <= {"processed", "pending_review", "error", "generated"}


def test_nul_in_business_data_is_stored_safely(world):
    data = interchange(orders_message("PO\x00X", [(GTINS[0], "1", "1")]))
    (row, _) = receive(org=world.org, data=data)
    assert row.document_number == "PO\ufffdX"
    assert row.status in ("processed", "error")


@pytest.mark.parametrize("where", ["sender", "recipient", "ref"])
def test_nul_in_the_envelope_is_an_error_row_not_a_crash(world, where):
    # PostgreSQL refuses NUL in query parameters: the partner lookup and the duplicate check
    # must use the same cleaned values the rows store.
    message = orders_message("PO-NUL", [(GTINS[0], "1", "1")])
    kwargs = {where: {"sender": "59\x0012", "recipient": "59\x0034", "ref": "10\x0001"}[where]}
    data = interchange(message, **kwargs)
    rows = receive(org=world.org, data=data)
    assert rows and all(r.pk for r in rows)
    assert all("\x00" not in (r.sender_id + r.recipient_id + r.interchange_ref) for r in rows)


def test_nul_in_the_message_type_is_stored_as_a_finding(world):
    """Found by `test_mutated_orders` on PostgreSQL: a NUL where UNH's message type ends
    made a type no flow handles, and the finding quoting it could not be stored (jsonb
    refuses \\u0000)."""
    at = BASE.index(b"ORDERS:") + len(b"ORDERS")
    rows = receive(org=world.org, data=BASE[:at] + b"\x00" + BASE[at + 1 :])
    assert rows and all(r.pk for r in rows)
    stored = EdiMessage.objects.get(pk=rows[0].pk)
    assert stored.status in ("pending_review", "error")
    assert "\x00" not in str(stored.errors) + str(stored.problems)
