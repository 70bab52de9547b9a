"""A loopback webhook receiver for tests, the fault test and the bench (aiohttp server).

In a thread: `Receiver().start()` → base URL; scripted answers, random failures and hangs.
As a process: `python -m monopilot.webhooks.receiver --port 0 --fail-rate 0.3` prints
`PORT <n>` and serves `GET /_stats` (counts and duplicates; with `?first_seen` also the
first-seen time per webhook-id).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import random
import socket
import threading
import time
from collections import Counter, deque
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: bytes
    at: float


@dataclass
class Answer:
    status: int = 200
    body: str = "ok"
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0


class Receiver:
    def __init__(
        self,
        *,
        fail_rate: float = 0.0,
        hang_rate: float = 0.0,
        hang_seconds: float = 5.0,
        keep_bodies: bool = True,
        seed: int | None = None,
        max_failures_per_message: int | None = None,
    ) -> None:
        self.fail_rate = fail_rate
        # Random failures (hangs included) of one webhook-id stop after this many: the
        # message then goes through, whatever its sender's retry limit.
        self.max_failures_per_message = max_failures_per_message
        self.failures: Counter[str] = Counter()
        self.hang_rate = hang_rate
        self.hang_seconds = hang_seconds
        self.keep_bodies = keep_bodies
        self.random = random.Random(seed)
        self.script: deque[Answer] = deque()
        self.requests: list[Received] = []
        self.first_seen: dict[str, float] = {}
        self.count = 0
        self.duplicates = 0
        self.in_flight = 0
        self.max_in_flight = 0
        self.port = 0
        self._loop: asyncio.AbstractEventLoop | None = None
        self._runner: web.AppRunner | None = None
        self._thread: threading.Thread | None = None

    # -- request handling -----------------------------------------------------------------

    async def handle(self, request: web.Request) -> web.StreamResponse:
        if request.method == "GET" and request.path == "/_stats":
            # Counts only unless asked: the bench polls this while deliveries run, and
            # shipping the whole first-seen map each time would load the process measured.
            return web.json_response(self.stats(first_seen="first_seen" in request.query))
        body = await request.read()
        now = time.time()
        msg_id = request.headers.get("webhook-id", "")
        if self.keep_bodies:
            self.requests.append(Received(request.path, dict(request.headers), body, now))
        answer = self.script.popleft() if self.script else self._random_answer(msg_id)
        self.in_flight += 1
        self.max_in_flight = max(self.max_in_flight, self.in_flight)
        try:
            if answer.delay:
                await asyncio.sleep(answer.delay)
        finally:
            self.in_flight -= 1
        self.count += 1
        if 200 <= answer.status < 300 and msg_id:
            if msg_id in self.first_seen:
                self.duplicates += 1
            else:
                self.first_seen[msg_id] = now
        return web.Response(status=answer.status, text=answer.body, headers=answer.headers)

    def _random_answer(self, msg_id: str) -> Answer:
        roll = self.random.random()
        limit = self.max_failures_per_message
        if roll >= self.hang_rate + self.fail_rate or (
            limit is not None and self.failures[msg_id] >= limit
        ):
            return Answer()
        self.failures[msg_id] += 1
        if roll < self.hang_rate:
            return Answer(200, delay=self.hang_seconds)
        return Answer(self.random.choice([500, 502, 503, 429]), body="failing on purpose")

    def stats(self, *, first_seen: bool = True) -> dict[str, Any]:
        result: dict[str, Any] = {
            "requests": self.count,
            "unique": len(self.first_seen),
            "duplicates": self.duplicates,
        }
        if first_seen:
            result["first_seen"] = self.first_seen
        return result

    def app(self) -> web.Application:
        app = web.Application(client_max_size=8 * 1024 * 1024)
        app.router.add_route("*", "/{tail:.*}", self.handle)
        return app

    # -- running in a thread --------------------------------------------------------------

    def start(self, host: str = "127.0.0.1", port: int = 0) -> str:
        ready = threading.Event()

        def run() -> None:
            loop = asyncio.new_event_loop()
            self._loop = loop
            loop.run_until_complete(self._serve(host, port))
            ready.set()
            loop.run_forever()
            loop.run_until_complete(self._cleanup())
            loop.close()

        self._thread = threading.Thread(target=run, name="webhook-receiver", daemon=True)
        self._thread.start()
        ready.wait(10)
        return f"http://{host}:{self.port}"

    async def _serve(self, host: str, port: int) -> None:
        self._runner = web.AppRunner(self.app(), access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, host, port)
        await site.start()
        server = site._server
        assert server is not None
        self.port = server.sockets[0].getsockname()[1]  # type: ignore[attr-defined]

    async def _cleanup(self) -> None:
        if self._runner:
            await self._runner.cleanup()

    def stop(self) -> None:
        if self._loop:
            self._loop.call_soon_threadsafe(self._loop.stop)
        if self._thread:
            self._thread.join(5)

    def wait_for(self, count: int, timeout: float = 10.0) -> bool:
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            if self.count >= count:
                return True
            time.sleep(0.01)
        return self.count >= count


class AsgiReceiver:
    """The same receiver as a plain ASGI app, served by uvicorn: what a receiver written as
    a typical Python web service looks like (the issue's calibration used uvicorn). Answers
    200 "ok" to everything but `GET /_stats`, counting first receipts by webhook-id."""

    def __init__(self) -> None:
        self.receiver = Receiver(keep_bodies=False)

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] == "lifespan":
            while (await receive())["type"] != "lifespan.shutdown":
                await send({"type": "lifespan.startup.complete"})
            await send({"type": "lifespan.shutdown.complete"})
            return
        more = True
        while more:  # read (and drop) the body, as a real handler would
            more = (await receive()).get("more_body", False)
        rx = self.receiver
        if scope["method"] == "GET" and scope["path"] == "/_stats":
            stats = rx.stats(first_seen=b"first_seen" in scope.get("query_string", b""))
            await _respond(send, 200, json.dumps(stats).encode(), b"application/json")
            return
        now = time.time()
        msg_id = next((v for k, v in scope["headers"] if k == b"webhook-id"), b"").decode()
        rx.count += 1
        if msg_id:
            if msg_id in rx.first_seen:
                rx.duplicates += 1
            else:
                rx.first_seen[msg_id] = now
        await _respond(send, 200, b"ok", b"text/plain")


async def _respond(send: Any, status: int, body: bytes, content_type: bytes) -> None:
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [(b"content-type", content_type)],
        }
    )
    await send({"type": "http.response.body", "body": body})


def serve_uvicorn(host: str, port: int) -> None:
    import uvicorn  # a dev dependency: only the bench serves this way

    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)  # inherited by accepted ones
    sock.listen(2048)  # connections wait in the backlog until uvicorn accepts them
    print(f"PORT {sock.getsockname()[1]}", flush=True)
    config = uvicorn.Config(AsgiReceiver(), log_level="warning", access_log=False)
    uvicorn.Server(config).run(sockets=[sock])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument(
        "--server", choices=["aiohttp", "uvicorn"], default="aiohttp", help="HTTP server"
    )
    parser.add_argument("--fail-rate", type=float, default=0.0)
    parser.add_argument("--hang-rate", type=float, default=0.0)
    parser.add_argument("--hang-seconds", type=float, default=5.0)
    args = parser.parse_args()
    if args.server == "uvicorn":
        serve_uvicorn(args.host, args.port)
        return
    receiver = Receiver(
        fail_rate=args.fail_rate,
        hang_rate=args.hang_rate,
        hang_seconds=args.hang_seconds,
        keep_bodies=False,
    )

    async def serve() -> None:
        await receiver._serve(args.host, args.port)
        print(f"PORT {receiver.port}", flush=True)
        await asyncio.Event().wait()

    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(serve())


if __name__ == "__main__":
    main()
