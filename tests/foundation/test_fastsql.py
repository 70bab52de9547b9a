"""The hot-path INSERT stores exactly what the ORM would (UUIDs, aware times, JSON), and
JSON text handed over as `RawJSON` is stored verbatim only when nothing needed masking."""

from __future__ import annotations

import json
import time
import uuid
from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone
from hypothesis import given, settings
from hypothesis import strategies as st

from monopilot.core import fastsql
from monopilot.core.ids import time_ordered_uuid
from monopilot.core.rawjson import RawJSON
from monopilot.integration_logs.masking import mask, mask_json_text
from monopilot.integration_logs.models import IntegrationLog
from monopilot.integration_logs.services import LogEntry

# Text built from fragments that matter to masking (secret key names, inline-secret
# prefixes, NUL, the Kelvin sign, quotes, backslashes, non-ASCII letters).
_FRAGMENTS = [*'aKkPy_ółć:"\\ ', "\x00", "\u212a", "mp_live_", "mp_test_x", "whsec_", "word"]
_TEXT = st.lists(st.sampled_from(_FRAGMENTS), max_size=6).map("".join)
_KEYS = st.sampled_from(["password", "Password", "KEY", "\u212aey", "pass\x00word", "n"]) | _TEXT


def _entry(org, **fields) -> LogEntry:
    return LogEntry(
        org_id=org.pk, integration_type="webhook", direction="outbound", status="success", **fields
    )


def test_rows_round_trip_like_the_orm(org) -> None:
    when = timezone.now() - timedelta(minutes=3)
    hook = uuid.uuid4()
    row = _entry(
        org,
        request_body={"amount": Decimal("1.50"), "password": "hunter2", "n": [1, 2]},
        webhook_id=hook,
        metadata={"delivery_id": "d-1"},
        timestamp=when,
        duration_ms=12,
    ).values()
    fastsql.insert(IntegrationLog, [row])
    stored = IntegrationLog.objects.get(webhook_id=hook)
    assert stored.id.version == 7 and stored.org_id == org.pk  # default id filled in
    assert stored.timestamp == when
    assert stored.request_body == {"amount": "1.50", "password": "***REDACTED***", "n": [1, 2]}
    assert stored.metadata == {"delivery_id": "d-1"} and stored.response_body is None
    assert stored.duration_ms == 12 and stored.retry_count == 0


def test_raw_json_is_stored_verbatim_and_reads_back_as_a_value(org) -> None:
    body = b'{"type": "order.created", "data": {"id": 7, "lines": [{"qty": "2.000"}]}}'
    masked = mask_json_text(body)
    assert isinstance(masked, RawJSON)
    hook = uuid.uuid4()
    fastsql.insert(IntegrationLog, [_entry(org, request_body=masked, webhook_id=hook).values()])
    stored = IntegrationLog.objects.get(webhook_id=hook)
    assert stored.request_body == json.loads(body)
    # The model path (to_row) decodes it first: no double-encoded string.
    assert _entry(org, request_body=masked).to_row().request_body == json.loads(body)


@pytest.mark.parametrize(
    "text",
    [
        '{"password": "x"}',
        '{"data": {"Api_Key" : "x"}}',
        '{"key":1}',
        '{"note": "mp_live_abcdefghij"}',
        '{"s": "whsec_abcdef"}',
        '{"pass\\u0077ord": "x"}',  # an escape could spell a secret key
        '{"\u212aey": "x"}',  # KELVIN SIGN: lower-cases to "key", as mask() sees it
        '{"n": "mp\\u005flive_abcdefghij"}',  # an escaped "_" could spell an API key
        '{"n": "a\\u0000b"}',  # NUL is dropped by mask()
    ],
)
def test_mask_json_text_takes_the_careful_path_whenever_masking_could_matter(text) -> None:
    masked = mask_json_text(text)
    assert not isinstance(masked, RawJSON)
    assert masked == mask(json.loads(text))


@settings(max_examples=300, deadline=None)
@given(
    st.recursive(
        st.none() | st.booleans() | st.integers() | _TEXT,
        lambda children: (
            st.lists(children, max_size=4) | st.dictionaries(_KEYS, children, max_size=4)
        ),
        max_leaves=12,
    ),
    st.booleans(),
)
def test_mask_json_text_always_equals_mask_of_the_decoded_value(value, ascii_only) -> None:
    text = json.dumps(value, ensure_ascii=ascii_only)
    masked = mask_json_text(text)
    decoded = json.loads(masked) if isinstance(masked, RawJSON) else masked
    assert decoded == mask(value)


def test_mask_json_text_masks_what_it_must_and_refuses_non_json() -> None:
    assert mask_json_text('{"a": {"Password": "p"}, "k": "mp_test_abcXYZ123"}') == {
        "a": {"Password": "***REDACTED***"},
        "k": "mp_test_abc***",
    }
    assert mask_json_text('{"pass\\u0077ord": "p"}') == {"password": "***REDACTED***"}
    assert mask_json_text('{"name": "passwords are elsewhere"}') == RawJSON(
        '{"name": "passwords are elsewhere"}'
    )
    with pytest.raises(ValueError):
        mask_json_text(b"{not json")


def test_time_ordered_uuids_are_unique_version_7_and_grow_with_time() -> None:
    first = time_ordered_uuid()
    time.sleep(0.002)
    ids = [time_ordered_uuid() for _ in range(1000)]
    assert len(set(ids)) == 1000 and all(i.version == 7 and i.variant == uuid.RFC_4122 for i in ids)
    assert all(first.int >> 80 < i.int >> 80 for i in ids)  # later millisecond, larger id
    assert abs((ids[0].int >> 80) - time.time() * 1000) < 5000


def test_times_in_any_zone_and_shared_stamps_are_stored_as_the_orm_would(org) -> None:
    from zoneinfo import ZoneInfo

    shared = timezone.now() - timedelta(hours=1)
    warsaw = timezone.now().astimezone(ZoneInfo("Europe/Warsaw")) - timedelta(hours=2)
    hooks = [uuid.uuid4() for _ in range(4)]
    # the same stamp twice (converted once), another zone, then a new UTC time
    stamps = [shared, shared, warsaw, timezone.now()]
    fastsql.insert(
        IntegrationLog,
        [
            _entry(org, webhook_id=h, timestamp=t).values()
            for h, t in zip(hooks, stamps, strict=True)
        ],
    )
    stored = {
        row.webhook_id: row.timestamp for row in IntegrationLog.objects.filter(webhook_id__in=hooks)
    }
    assert [stored[h] for h in hooks] == stamps
