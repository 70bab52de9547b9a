"""A lean HTTP/1.1 POST client for the outbox dispatcher's hot path.

aiohttp spent ~80 µs of Python per webhook POST in the dispatcher (request and response
objects, timers, stream readers, cookie and redirect machinery the dispatcher never uses);
a delivery needs one request out and a status, a few headers and a capped body back.
This client writes the request in one `write` and parses the answer with `httptools`
(llhttp, the parser uvicorn uses). See docs/decisions/0201-lean-post-client.md.

The rules of `core.http` hold here too:
- only http(s); HTTPS unless `MONOPILOT_ALLOW_PRIVATE_URLS` (`check_url`);
- the SSRF guard runs on the addresses a name resolves to when a connection is opened,
  and the connection goes to the address that was checked (no second lookup to rebind);
- redirects are never followed (a 3xx is an answer);
- every request has a total timeout (connect + send + answer);
- at most `MAX_RESPONSE_BYTES` of a body are kept; a longer body closes the connection.

Connections are kept alive per (scheme, host, port) and reused newest first; an idle one
older than `idle_seconds` (below the 5 s keep-alive of uvicorn, Node and others) is closed
rather than reused. A reused connection that the server closed before answering a single
byte is retried once on a fresh connection, as browsers do: the receiver either never saw
the request or will see it twice with the same `webhook-id`, which at-least-once delivery
already allows.
"""

from __future__ import annotations

import asyncio
import ssl
import time
from functools import lru_cache
from typing import Any
from urllib.parse import urlsplit

import httptools

from monopilot.core.http import (
    MAX_RESPONSE_BYTES,
    USER_AGENT,
    Response,
    check_url,
    default_timeout,
    is_ip_literal,
    resolve_safe,
)

PoolKey = tuple[str, str, int]


class BadResponse(Exception):
    """The receiver answered something that is not HTTP/1.x."""


class _Dropped(ConnectionError):
    """The connection closed before the answer was complete."""

    def __init__(self, message: str, *, got_data: bool) -> None:
        super().__init__(message)
        self.got_data = got_data


class Headers(dict[str, str]):
    """Response headers: names lower-cased, looked up without regard to case."""

    def __getitem__(self, name: str) -> str:
        return super().__getitem__(name.lower())

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and super().__contains__(name.lower())

    def get(self, name: str, default: Any = None) -> Any:
        return super().get(name.lower(), default)


class _Answer:
    __slots__ = ("body", "headers", "keep_alive", "status", "truncated")

    def __init__(
        self, status: int, headers: Headers, body: bytes, *, keep_alive: bool, truncated: bool
    ) -> None:
        self.status = status
        self.headers = headers
        self.body = body
        self.keep_alive = keep_alive
        self.truncated = truncated


class _Connection(asyncio.Protocol):
    """One keep-alive connection: one request at a time, answers parsed by llhttp."""

    def __init__(self) -> None:
        self.transport: asyncio.Transport | None = None
        self.parser = httptools.HttpResponseParser(self)
        self.waiter: asyncio.Future[_Answer] | None = None
        self.closed = False
        self.idle_since = 0.0
        self._start_answer()

    def _start_answer(self) -> None:
        self.raw_headers: list[tuple[bytes, bytes]] = []
        self.body = bytearray()
        self.status = 0
        self.headers_done = False
        self.truncated = False
        self.got_data = False

    # -- asyncio.Protocol -----------------------------------------------------------------

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]

    def data_received(self, data: bytes) -> None:
        if self.waiter is None or self.waiter.done():
            self.abort()  # bytes nobody asked for: the connection cannot be trusted
            return
        self.got_data = True
        try:
            self.parser.feed_data(data)
        except httptools.HttpParserUpgrade:
            self._fail(BadResponse("the receiver switched protocols"))
        except httptools.HttpParserError as exc:
            self._fail(BadResponse(f"invalid HTTP response: {exc}"))
        else:
            if self.truncated:
                self._complete(keep_alive=False)

    def connection_lost(self, exc: Exception | None) -> None:
        self.closed = True
        waiter = self.waiter
        if waiter is None or waiter.done():
            return
        if self.headers_done and not self._framed():
            self._complete(keep_alive=False)  # the body ran to the end of the connection
            return
        reason = f"{type(exc).__name__}: {exc}" if exc else "closed by the receiver"
        waiter.set_exception(_Dropped(f"connection lost ({reason})", got_data=self.got_data))

    # -- httptools callbacks --------------------------------------------------------------

    def on_header(self, name: bytes, value: bytes) -> None:
        self.raw_headers.append((name, value))

    def on_headers_complete(self) -> None:
        self.status = self.parser.get_status_code()
        self.headers_done = True

    def on_body(self, body: bytes) -> None:
        room = MAX_RESPONSE_BYTES - len(self.body)
        if len(body) > room:
            self.body += body[:room]
            self.truncated = True
        else:
            self.body += body

    def on_message_complete(self) -> None:
        if 100 <= self.status < 200:
            self._start_answer()  # an interim answer (e.g. 100 Continue): the real one follows
            self.got_data = True  # …but the receiver has answered: never a silent drop
            return
        self._complete(keep_alive=self.parser.should_keep_alive())

    # -- the exchange ---------------------------------------------------------------------

    def exchange(self, request: bytes) -> asyncio.Future[_Answer]:
        assert self.transport is not None
        self._start_answer()
        self.waiter = asyncio.get_running_loop().create_future()
        self.transport.write(request)
        return self.waiter

    def _framed(self) -> bool:
        """Whether the answer says where its body ends (length or chunks)."""
        names = {name.lower() for name, _ in self.raw_headers}
        return b"content-length" in names or b"transfer-encoding" in names

    def _complete(self, *, keep_alive: bool) -> None:
        waiter = self.waiter
        if waiter is None or waiter.done():
            return
        headers = Headers()
        for name, value in self.raw_headers:
            headers[name.decode("latin-1").lower()] = value.decode("latin-1")
        waiter.set_result(
            _Answer(
                self.status,
                headers,
                bytes(self.body),
                keep_alive=keep_alive and not self.truncated,
                truncated=self.truncated,
            )
        )

    def _fail(self, exc: Exception) -> None:
        if self.waiter is not None and not self.waiter.done():
            self.waiter.set_exception(exc)
        self.abort()

    def abort(self) -> None:
        """Drop the connection at once (its state is unknown or its data unwanted)."""
        self.closed = True
        if self.transport is not None:
            self.transport.abort()

    def close(self) -> None:
        """End a connection that is in a clean state (after a complete answer)."""
        self.closed = True
        if self.transport is not None:
            self.transport.close()


class PostClient:
    """POSTs over pooled keep-alive connections (create and use inside one event loop)."""

    def __init__(self, *, idle_seconds: float = 4.0, max_idle_per_host: int = 256) -> None:
        self.idle_seconds = idle_seconds
        self.max_idle_per_host = max_idle_per_host
        self._idle: dict[PoolKey, list[_Connection]] = {}
        self._open: set[_Connection] = set()
        self._ssl: ssl.SSLContext | None = None
        self._swept_at = time.monotonic()

    async def post(
        self, url: str, *, body: bytes, headers: dict[str, str], timeout: float | None = None
    ) -> Response:
        """POST `body` exactly as given (the bytes signed are the bytes sent)."""
        scheme, host, port = check_url(url)
        request = _request_head(url, headers, len(body)) + body
        started = time.perf_counter()
        key = (scheme, host, port)
        connection: _Connection | None = None
        try:
            async with asyncio.timeout(timeout or default_timeout()):
                connection, reused = await self._connection(key)
                try:
                    answer = await connection.exchange(request)
                except _Dropped as exc:
                    if not reused or exc.got_data:
                        raise
                    self._drop(connection)
                    connection = await self._connect(key)
                    answer = await connection.exchange(request)
        except BaseException:
            if connection is not None:
                self._drop(connection)  # mid-exchange: its state is unknown
            raise
        self._release(key, connection, answer.keep_alive)
        return Response(
            status=answer.status,
            headers=answer.headers,
            body=answer.body,
            duration_ms=int((time.perf_counter() - started) * 1000),
            truncated=answer.truncated,
        )

    async def close(self) -> None:
        for connection in list(self._open):
            connection.abort()
        self._open.clear()
        self._idle.clear()

    # -- the pool -------------------------------------------------------------------------

    def _drop(self, connection: _Connection) -> None:
        connection.abort()
        self._open.discard(connection)

    async def _connection(self, key: PoolKey) -> tuple[_Connection, bool]:
        now = time.monotonic()
        if now - self._swept_at > self.idle_seconds:
            self._sweep(now)
        idle = self._idle.get(key)
        while idle:
            connection = idle.pop()
            if not connection.closed and now - connection.idle_since < self.idle_seconds:
                return connection, True
            self._drop(connection)
        return await self._connect(key), False

    def _release(self, key: PoolKey, connection: _Connection, keep_alive: bool) -> None:
        connection.waiter = None
        idle = self._idle.setdefault(key, [])
        if keep_alive and not connection.closed and len(idle) < self.max_idle_per_host:
            connection.idle_since = time.monotonic()
            idle.append(connection)
            return
        connection.close()
        self._open.discard(connection)

    def _sweep(self, now: float) -> None:
        """Close idle connections past their time, for every host: with thousands of
        endpoints, one that is not called again must not keep its sockets open."""
        self._swept_at = now
        for key, idle in list(self._idle.items()):
            fresh = [c for c in idle if not c.closed and now - c.idle_since < self.idle_seconds]
            for connection in idle:
                if connection not in fresh:
                    connection.close()
                    self._open.discard(connection)
            if fresh:
                self._idle[key] = fresh
            else:
                del self._idle[key]

    async def _connect(self, key: PoolKey) -> _Connection:
        scheme, host, port = key
        loop = asyncio.get_running_loop()
        addresses = await _resolve(loop, host, port)
        tls = self._ssl_context() if scheme == "https" else None
        last_error: OSError | None = None
        for address in addresses:
            try:
                _, connection = await loop.create_connection(
                    _Connection,
                    address,
                    port,
                    ssl=tls,
                    server_hostname=host if tls else None,
                )
            except OSError as exc:
                last_error = exc
                continue
            self._open.add(connection)
            return connection
        assert last_error is not None
        raise last_error

    def _ssl_context(self) -> ssl.SSLContext:
        if self._ssl is None:
            self._ssl = _default_ssl_context()
        return self._ssl


async def _resolve(loop: asyncio.AbstractEventLoop, host: str, port: int) -> list[str]:
    """`core.http.resolve_safe` (the SSRF guard on resolved addresses) off the event loop;
    an IP literal needs no lookup, so no thread."""
    if is_ip_literal(host):
        return resolve_safe(host, port)
    return await loop.run_in_executor(None, resolve_safe, host, port)


def _default_ssl_context() -> ssl.SSLContext:
    try:
        import certifi  # the CA bundle httpx uses: both clients trust the same roots
    except ImportError:  # pragma: no cover - certifi comes with httpx
        return ssl.create_default_context()
    return ssl.create_default_context(cafile=certifi.where())


@lru_cache(maxsize=4096)
def _request_line(url: str) -> bytes:
    """`POST <target> HTTP/1.1` and `Host:` for a URL `check_url` accepted."""
    parts = urlsplit(url)
    target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    netloc = parts.netloc.rsplit("@", 1)[-1]
    if not netloc.isascii():  # an internationalised name goes on the wire in IDNA form
        hostname = (parts.hostname or "").encode("idna").decode("ascii")
        netloc = f"{hostname}:{parts.port}" if parts.port else hostname
    return f"POST {target} HTTP/1.1\r\nHost: {netloc}\r\n".encode("ascii")


def _request_head(url: str, headers: dict[str, str], length: int) -> bytes:
    lines = []
    agent = True
    for name, value in headers.items():
        if "\r" in name or "\n" in name or ":" in name or "\r" in value or "\n" in value:
            raise ValueError(f"Header {name!r} has a line break (or a colon in its name)")
        if agent and name.lower() == "user-agent":
            agent = False  # the caller's own
        lines.append(f"{name}: {value}\r\n")
    if agent:
        lines.append(f"User-Agent: {USER_AGENT}\r\n")
    lines.append(f"Content-Length: {length}\r\n\r\n")
    return _request_line(url) + "".join(lines).encode("utf-8")
