"""The bench's loopback receivers (bare aiohttp and uvicorn ASGI) count first receipts and
duplicates by webhook-id the same way, so both give comparable figures."""

from __future__ import annotations

import urllib.request
from concurrent.futures import ThreadPoolExecutor

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
