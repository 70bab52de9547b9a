"""The dispatcher keeps the cyclic collector off the application's own objects while it
runs (a full collection stalled every request in flight for 100 to 200 ms), and gives the
collector back as it found it."""

from __future__ import annotations

import gc

import pytest

from monopilot.outbox.dispatcher import YOUNG_COLLECTION_EVERY, collector_settled


@pytest.fixture
def collector_calls(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Records gc.freeze/unfreeze calls: the frozen count itself moves whenever a frozen
    object is freed, so it cannot tell "frozen twice" apart from ordinary churn."""
    calls: list[str] = []
    real_freeze, real_unfreeze = gc.freeze, gc.unfreeze

    def freeze() -> None:
        calls.append("freeze")
        real_freeze()

    def unfreeze() -> None:
        calls.append("unfreeze")
        real_unfreeze()

    monkeypatch.setattr(gc, "freeze", freeze)
    monkeypatch.setattr(gc, "unfreeze", unfreeze)
    return calls


def test_the_collector_is_settled_while_dispatchers_run_and_restored_after_the_last(
    collector_calls: list[str],
) -> None:
    before_threshold = gc.get_threshold()
    assert gc.get_freeze_count() == 0
    with collector_settled():
        assert gc.get_freeze_count() > 10_000  # the application's objects are out of sight
        assert gc.get_threshold()[0] >= YOUNG_COLLECTION_EVERY
        assert gc.get_threshold()[1:] == before_threshold[1:]
        with collector_settled():  # a second dispatcher in the same process
            assert collector_calls == ["freeze"]  # not frozen twice
        # The first one still runs: still settled.
        assert collector_calls == ["freeze"]
        assert gc.get_threshold()[0] >= YOUNG_COLLECTION_EVERY
        assert gc.get_freeze_count() > 10_000
    assert collector_calls == ["freeze", "unfreeze"]
    assert gc.get_threshold() == before_threshold
    assert gc.get_freeze_count() == 0


def test_a_failing_dispatcher_restores_the_collector_too(collector_calls: list[str]) -> None:
    before_threshold = gc.get_threshold()
    try:
        with collector_settled():
            raise RuntimeError("the loop died")
    except RuntimeError:
        pass
    assert collector_calls == ["freeze", "unfreeze"]
    assert gc.get_threshold() == before_threshold
    assert gc.get_freeze_count() == 0
