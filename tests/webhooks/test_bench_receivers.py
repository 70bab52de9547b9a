"""The bench's loopback receivers (bare aiohttp and uvicorn ASGI) count first receipts and
duplicates by webhook-id the same way, so both give comparable figures."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from monopilot.webhooks.bench import ReceiverProcess, raw_limit


def _post(url: str, msg_id: str) -> int:
    request = urllib.request.Request(
        url, data=b"{}", headers={"webhook-id": msg_id, "Content-Type": "application/json"}
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        return int(response.status)


@pytest.mark.parametrize("server", ["aiohttp", "uvicorn"])
def test_receiver_counts_first_receipts_and_duplicates(server: str) -> None:
    with ReceiverProcess(server) as rx:
        assert _post(rx.url + "/hook", "msg_a") == 200
        assert _post(rx.url + "/hook", "msg_b") == 200
        assert _post(rx.url + "/hook", "msg_a") == 200
        counts = rx.stats()
        assert counts == {"requests": 3, "unique": 2, "duplicates": 1}
        full = rx.stats(first_seen=True)
        assert set(full["first_seen"]) == {"msg_a", "msg_b"}
        # in a thread of its own: another test (Playwright) may keep a loop in this one
        with ThreadPoolExecutor(1) as pool:
            for client in ("aiohttp", "protocol"):
                rate = pool.submit(raw_limit, rx.url, total=200, concurrency=10, client=client)
                assert rate.result() > 0
        # Each client: warm-up and measured posts, every one answered before the next.
        assert rx.stats()["requests"] == 3 + 2 * (200 + 200)


def test_the_webhook_bench_runs_end_to_end_and_compares_with_the_raw_limit(tmp_path) -> None:
    """`monopilot bench webhooks --json`, small and in-process, as a user runs it: on its
    own embedded SQLite file (the test database is in memory, one writer at a time), every
    event arrives once, and the ratio is to the mean of the raw limit measured before and
    after the drain."""
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL")}
    env["MONOPILOT_VAR_DIR"] = str(tmp_path / "var")
    command = [
        str(Path(sys.executable).with_name("monopilot")), "bench", "webhooks", "--events",
        "200", "--latency-events", "20", "--pace", "100", "--workers", "0", "--receivers",
        "aiohttp", "--json",
    ]  # fmt: skip
    done = subprocess.run(command, capture_output=True, env=env, timeout=300, check=False)
    assert done.returncode == 0, done.stderr.decode()[-2000:]
    result = json.loads(done.stdout)  # one run: the figures themselves
    assert (result["received_unique"], result["delivered"], result["duplicates"]) == (220, 220, 0)
    before, after = result["raw_posts_per_s_before_after"]
    assert before > 0 and after > 0
    # The printed measures are rounded, the mean is of the exact ones: one apart at most.
    assert abs(result["raw_posts_per_s"] - (before + after) / 2) <= 1
    expected = result["deliveries_per_s"] / ((before + after) / 2)
    assert result["ratio_to_raw"] == pytest.approx(expected, rel=0.01)
    assert set(result["goals_met"]) == {
        "p50 < 50 ms", "p99 < 250 ms", ">= 1000 deliveries/s", ">= 50% of raw",
    }  # fmt: skip


def test_random_failures_of_one_message_stop_at_the_cap() -> None:
    from urllib.error import HTTPError

    from monopilot.webhooks.receiver import Receiver

    rx = Receiver(fail_rate=1.0, max_failures_per_message=2, keep_bodies=False)
    url = rx.start() + "/hook"
    try:

        def status(msg_id: str) -> int:
            try:
                return _post(url, msg_id)
            except HTTPError as error:
                return error.code

        assert [status("msg_a") >= 400 for _ in range(2)] == [True, True]
        assert status("msg_a") == 200  # the cap: through at the third try
        assert status("msg_b") >= 400  # another message has failures of its own to go
    finally:
        rx.stop()
