"""Retry rules of DECISIONS, as pure functions (no database, easy to test one by one).

- exponential (default): attempts at 0 s, 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h, then
  dead-letter (7 retries, ~28 h); more retries (max 10) repeat the last 10 h step.
- immediate: retries 5 s apart (3 by default); 4xx other than 408/409/425/429 are final.
- manual: no automatic retry; the message waits in the retry queue for "retry now".
- `Retry-After` (seconds or HTTP date) pushes the next attempt later, never earlier.
- 410 Gone: final, and the transport disables its target.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from email.utils import parsedate_to_datetime

EXPONENTIAL_DELAYS = (5, 300, 1800, 7200, 18000, 36000, 36000)  # seconds, after attempt 1..7
IMMEDIATE_DELAY = 5
DEFAULT_MAX_RETRIES = {"exponential": 7, "immediate": 3, "manual": 0}
MAX_RETRIES_LIMIT = 10
RETRYABLE_4XX = frozenset({408, 409, 425, 429})
MAX_RETRY_AFTER = timedelta(hours=24)


@dataclass(frozen=True)
class Decision:
    """What happens after a failed attempt: retry at `next_at`, wait for a human, or die."""

    action: str  # "retry" | "manual" | "dead"
    next_at: datetime | None = None
    reason: str = ""


def default_max_retries(policy: str) -> int:
    return DEFAULT_MAX_RETRIES.get(policy, 7)


def delay_after(policy: str, failed_attempts: int) -> int:
    """Seconds to wait after the `failed_attempts`-th failed attempt of this cycle."""
    if policy == "immediate":
        return IMMEDIATE_DELAY
    index = min(failed_attempts, len(EXPONENTIAL_DELAYS)) - 1
    return EXPONENTIAL_DELAYS[max(index, 0)]


def parse_retry_after(value: str | None, *, now: datetime) -> timedelta | None:
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return min(timedelta(seconds=int(value)), MAX_RETRY_AFTER)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        return None
    return min(max(when - now, timedelta(0)), MAX_RETRY_AFTER)


def decide(
    *,
    policy: str,
    max_retries: int,
    cycle_attempts: int,
    http_status: int | None,
    retry_after: str | None,
    now: datetime,
) -> Decision:
    """`cycle_attempts` counts the attempt that just failed."""
    if http_status == 410:
        return Decision("dead", reason="410 Gone: the receiver asked us to stop; target disabled")
    if (
        policy == "immediate"
        and http_status is not None
        and 400 <= http_status < 500
        and http_status not in RETRYABLE_4XX
    ):
        return Decision("dead", reason=f"HTTP {http_status} is not retried under 'immediate'")
    if policy == "manual":
        return Decision("manual", reason="manual retry policy: waiting for a retry by hand")
    if cycle_attempts > max_retries:
        return Decision("dead", reason=f"Gave up after {cycle_attempts} attempts")
    delay = timedelta(seconds=delay_after(policy, cycle_attempts))
    asked = parse_retry_after(retry_after, now=now)
    if asked is not None and asked > delay:
        delay = asked
    return Decision("retry", next_at=now + delay)
