"""The dispatcher's HTTP client (`core.postclient`) against scripted loopback servers:
keep-alive reuse, exact bytes on the wire, answers framed every legal way, caps, timeouts,
retry of a stale kept-alive connection (once), refusals (SSRF, header injection) and TLS
verification."""

from __future__ import annotations

import asyncio
import datetime as dt
import ipaddress
import socket
import ssl
from collections.abc import Awaitable, Callable, Coroutine, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from django.test import override_settings

from monopilot.core.http import MAX_RESPONSE_BYTES, USER_AGENT, UnsafeURLError
from monopilot.core.postclient import BadResponse, PostClient

OK = b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"


@dataclass
class Request:
    head: bytes
    body: bytes
    connection: int

    def header(self, name: str) -> list[str]:
        lines = self.head.decode("latin-1").split("\r\n")[1:]
        prefix = name.lower() + ":"
        return [line.split(":", 1)[1].strip() for line in lines if line.lower().startswith(prefix)]


@dataclass
class Server:
    """Answers each request with `answer(request)`: bytes to write, or None to close."""

    answer: Callable[[Request], bytes | None]
    requests: list[Request] = field(default_factory=list)
    connections: int = 0
    url: str = ""
    close_after_answer: bool = False  # as a server whose keep-alive timeout is very short
    closed: int = 0  # connections that ended

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.connections += 1
        number = self.connections
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                length = next(
                    int(line.split(b":", 1)[1])
                    for line in head.split(b"\r\n")
                    if line.lower().startswith(b"content-length:")
                )
                request = Request(head, await reader.readexactly(length), number)
                self.requests.append(request)
                reply = self.answer(request)
                if reply is None:
                    break
                writer.write(reply)
                await writer.drain()
                if b"Connection: close" in reply or self.close_after_answer:
                    break
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        finally:
            self.closed += 1
            writer.close()


Scenario = Callable[[Server, PostClient], Awaitable[None]]


def in_own_thread(coroutine: Coroutine[Any, Any, None]) -> None:
    """`asyncio.run` in a thread of its own: another test in this process (Playwright's
    sync API) may keep an event loop running in the main thread."""
    with ThreadPoolExecutor(1) as pool:
        pool.submit(asyncio.run, coroutine).result()


def run(
    answer: Callable[[Request], bytes | None] | Server, scenario: Scenario, **kwargs: object
) -> Server:
    server = answer if isinstance(answer, Server) else Server(answer)

    async def main() -> None:
        listener = await asyncio.start_server(server.handle, "127.0.0.1", 0, **kwargs)  # type: ignore[arg-type]
        port = listener.sockets[0].getsockname()[1]
        server.url = f"{'https' if kwargs.get('ssl') else 'http'}://127.0.0.1:{port}/hook?x=1"
        client = PostClient()
        try:
            await scenario(server, client)
        finally:
            await client.close()
            listener.close()

    with override_settings(MONOPILOT_ALLOW_PRIVATE_URLS=True):
        in_own_thread(main())
    return server


def post(client: PostClient, server: Server, body: bytes = b'{"n":1}', **kwargs: object):  # type: ignore[no-untyped-def]
    headers = kwargs.pop("headers", {"Content-Type": "application/json", "webhook-id": "msg_1"})
    return client.post(server.url, body=body, headers=headers, **kwargs)  # type: ignore[arg-type]


def test_sends_the_exact_bytes_and_keeps_the_connection_alive() -> None:
    body = '{"name": "Żurek", "qty": 1}'.encode()

    async def scenario(server: Server, client: PostClient) -> None:
        for _ in range(5):
            response = await post(client, server, body)
            assert (response.status, response.body) == (200, b"ok")

    server = run(lambda r: OK, scenario)
    assert server.connections == 1 and len(server.requests) == 5
    first = server.requests[0]
    assert first.head.startswith(b"POST /hook?x=1 HTTP/1.1\r\n")
    assert first.body == body
    assert first.header("Content-Length") == [str(len(body))]
    assert first.header("Host") == [server.url.split("/")[2]]
    assert first.header("User-Agent") == [USER_AGENT]
    assert first.header("webhook-id") == ["msg_1"]


def test_a_callers_user_agent_replaces_the_default() -> None:
    async def scenario(server: Server, client: PostClient) -> None:
        await post(client, server, headers={"user-agent": "Partner/2"})

    server = run(lambda r: OK, scenario)
    assert server.requests[0].header("User-Agent") == ["Partner/2"]


def test_a_chunked_answer_is_read_whole_and_headers_ignore_case() -> None:
    reply = (
        b"HTTP/1.1 503 Service Unavailable\r\nRetry-After: 120\r\n"
        b"Transfer-Encoding: chunked\r\n\r\n5\r\nbusy \r\n3\r\nnow\r\n0\r\n\r\n"
    )

    async def scenario(server: Server, client: PostClient) -> None:
        response = await post(client, server)
        assert (response.status, response.body) == (503, b"busy now")
        assert response.headers.get("retry-after") == response.headers["Retry-After"] == "120"
        assert "RETRY-AFTER" in response.headers
        await post(client, server)

    assert run(lambda r: reply, scenario).connections == 1


def test_an_answer_ending_with_the_connection_is_read_and_not_reused() -> None:
    reply = b"HTTP/1.1 200 OK\r\nConnection: close\r\n\r\nall of it"

    async def scenario(server: Server, client: PostClient) -> None:
        for _ in range(2):
            response = await post(client, server)
            assert (response.status, response.body) == (200, b"all of it")

    assert run(lambda r: reply, scenario).connections == 2


def test_a_long_body_is_capped_and_its_connection_dropped() -> None:
    size = MAX_RESPONSE_BYTES + 10_000
    reply = b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n" % size + b"x" * size

    async def scenario(server: Server, client: PostClient) -> None:
        response = await post(client, server)
        assert response.truncated and len(response.body) == MAX_RESPONSE_BYTES
        await post(client, server)

    assert run(lambda r: reply, scenario).connections == 2


def test_a_receiver_that_never_answers_times_out() -> None:
    async def hang_first(server: Server, client: PostClient) -> None:
        loop = asyncio.get_running_loop()
        started = loop.time()
        with pytest.raises(TimeoutError):
            await post(client, server, timeout=0.3)
        assert 0.25 < loop.time() - started < 2
        assert not client._open  # the timed-out connection is gone, not kept
        assert (await post(client, server)).status == 200  # on a new connection

    server = run(lambda r: b"" if r.connection == 1 else OK, hang_first)
    assert server.connections == 2


def test_a_connection_the_server_closed_while_idle_is_not_reused() -> None:
    async def scenario(server: Server, client: PostClient) -> None:
        assert (await post(client, server)).status == 200
        await asyncio.sleep(0.05)  # the close reaches the client
        assert (await post(client, server, timeout=2)).status == 200

    server = run(Server(lambda r: OK, close_after_answer=True), scenario)
    assert server.connections == 2 and len(server.requests) == 2


def test_an_idle_connection_older_than_the_limit_is_not_reused() -> None:
    async def scenario(server: Server, client: PostClient) -> None:
        client.idle_seconds = 0.05
        await post(client, server)
        await post(client, server)  # at once: the same connection
        await asyncio.sleep(0.1)
        await post(client, server)

    assert run(lambda r: OK, scenario).connections == 2


def test_idle_connections_past_their_time_are_closed_for_every_host() -> None:
    other = Server(lambda r: OK)

    async def scenario(server: Server, client: PostClient) -> None:
        listener = await asyncio.start_server(other.handle, "127.0.0.1", 0)
        other.url = f"http://127.0.0.1:{listener.sockets[0].getsockname()[1]}/"
        client.idle_seconds = 0.05
        await post(client, server)
        await asyncio.sleep(0.1)
        await post(client, other)  # any request sweeps the pool
        await asyncio.sleep(0.05)
        assert server.closed == 1 and other.closed == 0
        listener.close()

    run(lambda r: OK, scenario)


def test_a_stale_kept_alive_connection_is_retried_once_on_a_new_one() -> None:
    def answer(request: Request) -> bytes | None:
        seen_here = sum(1 for r in server.requests if r.connection == request.connection)
        return OK if seen_here == 1 else None  # the second request on a connection: closed

    server = Server(answer)

    async def scenario(srv: Server, client: PostClient) -> None:
        assert (await post(client, srv)).status == 200
        assert (await post(client, srv)).status == 200  # conn 1 dropped it: retried on conn 2
        assert len(client._open) == 1  # only the live one is tracked

    result = run(server, scenario)
    assert result.connections == 2 and len(result.requests) == 3


def test_a_new_connection_closed_without_an_answer_is_an_error_not_a_loop() -> None:
    async def scenario(server: Server, client: PostClient) -> None:
        with pytest.raises(ConnectionError, match="closed by the receiver"):
            await post(client, server)

    server = run(lambda r: None, scenario)
    assert server.connections == 1 and len(server.requests) == 1


def test_an_answer_that_is_not_http_is_refused() -> None:
    async def scenario(server: Server, client: PostClient) -> None:
        with pytest.raises(BadResponse, match="invalid HTTP response"):
            await post(client, server)

    run(lambda r: b"SSH-2.0-OpenSSH_9.6\r\n\r\n", scenario)


def test_a_redirect_is_an_answer_not_an_instruction() -> None:
    reply = b"HTTP/1.1 302 Found\r\nLocation: http://10.0.0.1/\r\nContent-Length: 0\r\n\r\n"

    async def scenario(server: Server, client: PostClient) -> None:
        response = await post(client, server)
        assert response.status == 302 and response.headers["location"] == "http://10.0.0.1/"

    assert len(run(lambda r: reply, scenario).requests) == 1


def test_an_interim_answer_is_skipped() -> None:
    reply = b"HTTP/1.1 100 Continue\r\n\r\n" + OK

    async def scenario(server: Server, client: PostClient) -> None:
        assert (await post(client, server)).body == b"ok"

    run(lambda r: reply, scenario)


def test_a_header_with_a_line_break_is_refused_before_anything_is_sent() -> None:
    async def scenario(server: Server, client: PostClient) -> None:
        with pytest.raises(ValueError, match="line break"):
            await post(client, server, headers={"X-A": "1\r\nX-Injected: yes"})

    server = run(lambda r: OK, scenario)
    assert server.connections == 0


def test_a_name_resolving_to_a_private_address_is_refused_before_connecting(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def fake(host, port, *args, **kwargs):  # type: ignore[no-untyped-def]
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("10.0.0.1", port))]

    monkeypatch.setattr(socket, "getaddrinfo", fake)

    async def main() -> None:
        client = PostClient()
        with pytest.raises(UnsafeURLError, match=r"internal\.example resolves to 10\.0\.0\.1"):
            await client.post("https://internal.example/h", body=b"{}", headers={})
        assert not client._open

    in_own_thread(main())


# -- TLS ----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def certificate(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, Path]]:
    """A self-signed certificate for `localhost` (and 127.0.0.1)."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName(
                [x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]
            ),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    folder = tmp_path_factory.mktemp("tls")
    cert_file, key_file = folder / "cert.pem", folder / "key.pem"
    cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    yield cert_file, key_file


def server_tls(certificate: tuple[Path, Path]) -> ssl.SSLContext:
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(*certificate)
    return context


def test_https_refuses_a_certificate_nobody_vouches_for(certificate: tuple[Path, Path]) -> None:
    async def scenario(server: Server, client: PostClient) -> None:
        with pytest.raises(ssl.SSLCertVerificationError):
            await post(client, server)

    run(lambda r: OK, scenario, ssl=server_tls(certificate))


def test_https_checks_the_name_against_the_certificate(certificate: tuple[Path, Path]) -> None:
    trusted = ssl.create_default_context(cafile=str(certificate[0]))

    async def scenario(server: Server, client: PostClient) -> None:
        client._ssl = trusted
        port = server.url.split(":")[2].split("/")[0]
        response = await client.post(f"https://localhost:{port}/hook", body=b"{}", headers={})
        assert response.status == 200
        assert server.requests[-1].header("Host") == [f"localhost:{port}"]

    run(lambda r: OK, scenario, ssl=server_tls(certificate))
