"""The dispatcher keeps the cyclic collector off the application's own objects while it
runs (a full collection stalled every request in flight for 100 to 200 ms), and gives the
collector back as it found it."""

from __future__ import annotations

import gc

from monopilot.outbox.dispatcher import YOUNG_COLLECTION_EVERY, collector_settled


def test_the_collector_is_settled_while_dispatchers_run_and_restored_after_the_last() -> None:
    before_threshold = gc.get_threshold()
    assert gc.get_freeze_count() == 0
    with collector_settled():
        frozen = gc.get_freeze_count()
        assert frozen > 10_000  # the application's objects are out of the collector's sight
        assert gc.get_threshold()[0] >= YOUNG_COLLECTION_EVERY
        assert gc.get_threshold()[1:] == before_threshold[1:]
        with collector_settled():  # a second dispatcher in the same process
            assert gc.get_freeze_count() == frozen  # not frozen twice
        # The first one still runs: still settled.
        assert gc.get_threshold()[0] >= YOUNG_COLLECTION_EVERY
        assert gc.get_freeze_count() == frozen
    assert gc.get_threshold() == before_threshold
    assert gc.get_freeze_count() == 0


def test_a_failing_dispatcher_restores_the_collector_too() -> None:
    before_threshold = gc.get_threshold()
    try:
        with collector_settled():
            raise RuntimeError("the loop died")
    except RuntimeError:
        pass
    assert gc.get_threshold() == before_threshold
    assert gc.get_freeze_count() == 0
