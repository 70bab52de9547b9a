"""Each retry rule of DECISIONS, on the pure decision function."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import pytest

from monopilot.outbox.policy import decide, default_max_retries

NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)


def _decide(policy: str = "exponential", attempt: int = 1, status: int | None = 503, **kw):
    kw.setdefault("max_retries", default_max_retries(policy))
    kw.setdefault("retry_after", None)
    return decide(policy=policy, cycle_attempts=attempt, http_status=status, now=NOW, **kw)


def test_exponential_schedule_then_dead_letter_after_about_28_hours() -> None:
    waits = []
    attempt = 1
    while (d := _decide(attempt=attempt)).action == "retry":
        waits.append(int((d.next_at - NOW).total_seconds()))
        attempt += 1
    assert waits == [5, 300, 1800, 7200, 18000, 36000, 36000]
    assert attempt == 8 and d.action == "dead" and "8 attempts" in d.reason
    assert 27 < sum(waits) / 3600 < 28


def test_exponential_with_more_retries_repeats_the_last_step() -> None:
    d = _decide(attempt=10, max_retries=10)
    assert d.action == "retry" and d.next_at == NOW + timedelta(hours=10)
    assert _decide(attempt=11, max_retries=10).action == "dead"


def test_immediate_is_three_retries_five_seconds_apart() -> None:
    for attempt in (1, 2, 3):
        d = _decide("immediate", attempt)
        assert d.action == "retry" and d.next_at == NOW + timedelta(seconds=5)
    assert _decide("immediate", 4).action == "dead"


@pytest.mark.parametrize("status", [400, 401, 403, 404, 422])
def test_immediate_does_not_retry_final_4xx(status: int) -> None:
    d = _decide("immediate", 1, status)
    assert d.action == "dead" and f"HTTP {status}" in d.reason


@pytest.mark.parametrize("status", [408, 409, 425, 429, 500, None])
def test_immediate_retries_408_409_425_429_5xx_and_network_errors(status: int | None) -> None:
    assert _decide("immediate", 1, status).action == "retry"


def test_exponential_retries_4xx() -> None:
    assert _decide("exponential", 1, 400).action == "retry"


def test_manual_never_retries_by_itself() -> None:
    d = _decide("manual", 1)
    assert d.action == "manual" and d.next_at is None


def test_max_retries_zero_dead_letters_at_once() -> None:
    assert _decide(max_retries=0).action == "dead"


def test_410_gone_is_final_under_every_policy() -> None:
    for policy in ("exponential", "immediate", "manual"):
        d = _decide(policy, 1, 410)
        assert d.action == "dead" and "410" in d.reason


def test_retry_after_seconds_pushes_later_never_earlier() -> None:
    assert _decide(status=429, retry_after="120").next_at == NOW + timedelta(seconds=120)
    assert _decide(status=429, retry_after="1").next_at == NOW + timedelta(seconds=5)


def test_retry_after_http_date_and_garbage() -> None:
    later = format_datetime(NOW + timedelta(minutes=10), usegmt=True)
    assert _decide(status=503, retry_after=later).next_at == NOW + timedelta(minutes=10)
    assert _decide(status=503, retry_after="soon").next_at == NOW + timedelta(seconds=5)


def test_retry_after_is_capped_at_a_day() -> None:
    assert _decide(retry_after="99999999").next_at == NOW + timedelta(hours=24)
