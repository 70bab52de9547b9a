"""How many messages of one target a worker holds, and when it claims for it again."""

from __future__ import annotations

from monopilot.outbox.dispatcher import (
    FAST_TARGET_FACTOR,
    HOLD_AHEAD_SECONDS,
    Holding,
    target_holding,
)
from monopilot.outbox.transport import Limits


def test_a_target_not_yet_measured_or_slow_holds_twice_its_concurrency() -> None:
    limits = Limits(concurrency=50)
    assert target_holding(limits) == Holding(most=100, refill_at=50)
    # 0.2 s a request: 250 a second, 13 in HOLD_AHEAD_SECONDS: the small caps stand.
    assert target_holding(limits, 0.2) == Holding(most=100, refill_at=50)
    # A request timing out: what is held must start before the lease runs out.
    assert target_holding(limits, 30.0) == Holding(most=100, refill_at=50)
    assert target_holding(Limits(concurrency=1), 0.01) == Holding(most=10, refill_at=5)


def test_a_quick_target_is_claimed_for_while_it_still_holds_what_it_sends_meanwhile() -> None:
    limits = Limits(concurrency=50)
    # 20 ms a request: 2,500 a second, 125 in HOLD_AHEAD_SECONDS.
    assert HOLD_AHEAD_SECONDS == 0.05
    assert target_holding(limits, 0.02) == Holding(most=175, refill_at=125)
    # 4 ms a request: 12,500 a second, 625 in HOLD_AHEAD_SECONDS, bounded by the factor.
    bound = FAST_TARGET_FACTOR * 50
    assert target_holding(limits, 0.004) == Holding(most=bound + 50, refill_at=bound)
    assert target_holding(limits, 0.0) == Holding(most=bound + 50, refill_at=bound)


def test_a_rate_limit_bounds_what_is_held_whatever_the_speed() -> None:
    limits = Limits(concurrency=50, rate_per_second=10)  # 50 start within DEFER_AFTER
    assert target_holding(limits) == Holding(most=50, refill_at=25)
    assert target_holding(limits, 0.001) == Holding(most=50, refill_at=25)
