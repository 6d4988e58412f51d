"""Limits at the connection, against a real server over real sockets: the size of a request
head, the time a request may take to arrive, and a 413 the client can read.

The timeout tests wait real time: what they test is a real-time timeout. The server under
them has its deadline shortened to QUICK seconds (BackgroundServer's request_timeout), and
every socket read is bounded by WAIT, so a server that never closes fails the test in WAIT
seconds instead of hanging it.
"""

from __future__ import annotations

import contextlib
import json
import re
import socket
import ssl
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from sandbox.app import create_app
from sandbox.asgi.api import control_events
from sandbox.asgi.io import DRAIN_LIMIT, MAX_BODY
from sandbox.http_limits import MAX_HEADER_BYTES, REQUEST_TIMEOUT
from sandbox.server import BackgroundServer
from sandbox.settings import Settings
from sandbox.tls import ensure_certificate
from tests.helpers import BASIC

pytestmark = pytest.mark.e2e

QUICK = 0.5  # the shortened request deadline, real seconds
WAIT = 5.0  # the longest any read here waits: well past QUICK, well short of REQUEST_TIMEOUT


@contextlib.contextmanager
def server(request_timeout: float = REQUEST_TIMEOUT) -> Iterator[BackgroundServer]:
    srv = BackgroundServer(
        create_app(Settings(clock="manual")), request_timeout=request_timeout
    ).start()
    try:
        yield srv
    finally:
        srv.stop()


def connect(srv: BackgroundServer) -> socket.socket:
    sock = socket.create_connection((srv.host, srv.port), timeout=WAIT)
    return sock


def head(extra: bytes = b"", path: bytes = b"/_sandbox/health") -> bytes:
    return b"GET " + path + b" HTTP/1.1\r\nHost: 127.0.0.1\r\n" + extra


def answer(sock: socket.socket) -> bytes:
    """Everything the server sends until it closes (b"" for a close with nothing said, the
    same as a reset); a read that waits WAIT seconds fails the test."""
    data = b""
    try:
        while chunk := sock.recv(65536):
            data += chunk
    except ConnectionResetError:
        pass
    except TimeoutError:
        pytest.fail(f"the server kept the connection open for {WAIT} s (got {data[:80]!r})")
    return data


def status(data: bytes) -> int:
    return int(data.split(b" ", 2)[1])


# -- the request head ------------------------------------------------------------------------


def test_a_head_just_over_the_limit_gets_431_and_a_close() -> None:
    over = b"X-Big: " + b"a" * (MAX_HEADER_BYTES + 1024) + b"\r\n\r\n"
    with server() as srv, connect(srv) as sock:
        sock.sendall(head(over))
        data = answer(sock)
    assert status(data) == 431
    assert b"connection: close" in data.lower()
    assert str(MAX_HEADER_BYTES).encode() in data.split(b"\r\n\r\n", 1)[1]


def test_a_head_under_the_limit_is_answered() -> None:
    under = b"X-Big: " + b"a" * (MAX_HEADER_BYTES - 1024) + b"\r\n\r\n"
    with server() as srv, connect(srv) as sock:
        sock.sendall(head(under))
        first = sock.recv(65536)
    assert status(first) == 200


def test_many_headers_add_up_to_the_limit() -> None:
    many = b"".join(b"X-H%d: %s\r\n" % (i, b"b" * 1000) for i in range(80)) + b"\r\n"
    with server() as srv, connect(srv) as sock:
        sock.sendall(head(many))
        assert status(answer(sock)) == 431


def test_a_large_body_and_a_request_right_behind_it_are_not_counted_as_a_head() -> None:
    # A body near MAX_BODY arrives in reads far larger than the head limit, and a request
    # written right behind it (pipelined) shares its last read: neither is a head over 64 KiB.
    text = "a" * (MAX_BODY - 1024)
    body = json.dumps(
        {"channel": "sms", "from": "447700900123", "to": "447700900000", "text": text}
    )
    post = (
        b"POST /_sandbox/inbound HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
        b"Content-Length: " + str(len(body)).encode() + b"\r\n\r\n" + body.encode()
    )
    with server() as srv, connect(srv) as sock:
        sock.sendall(post + head(b"Connection: close\r\n\r\n"))
        data = answer(sock)
    statuses = [int(code) for code in re.findall(rb"HTTP/1\.1 (\d{3}) ", data)]
    assert len(statuses) == 2 and 431 not in statuses and statuses[1] == 200, statuses


def test_a_header_that_never_ends_is_cut_off_without_waiting_for_the_deadline() -> None:
    # 10 MB used to be accepted. The server closes as soon as the limit has arrived; the
    # client's write then fails or its read sees the close, long before REQUEST_TIMEOUT.
    assert REQUEST_TIMEOUT > WAIT  # a close caused by the deadline would fail answer()
    with server() as srv, connect(srv) as sock:
        started = time.monotonic()
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):
            sock.sendall(head(b"X-Big: ") + b"a" * (4 * 1024 * 1024))
        data = answer(sock)
    assert data == b"" or status(data) == 431
    assert time.monotonic() - started < WAIT


def test_the_https_listener_has_the_same_limit(tmp_path: Path) -> None:
    files = ensure_certificate(tmp_path)
    app = create_app(Settings(clock="manual"))
    srv = BackgroundServer(app, tls=files).start()
    try:
        context = ssl.create_default_context(cafile=str(files.ca_path))
        over = b"X-Big: " + b"a" * (MAX_HEADER_BYTES + 1024) + b"\r\n\r\n"
        assert srv.tls_port is not None
        with (
            socket.create_connection(("127.0.0.1", srv.tls_port), timeout=WAIT) as raw,
            context.wrap_socket(raw, server_hostname="127.0.0.1") as sock,
        ):
            sock.sendall(head(over))
            data = b""
            with contextlib.suppress(ssl.SSLError, ConnectionResetError):
                while chunk := sock.recv(65536):
                    data += chunk
        assert status(data) == 431
    finally:
        srv.stop()


# -- the time a request may take -------------------------------------------------------------


@pytest.mark.parametrize(
    "sent",
    [
        pytest.param(b"", id="nothing"),
        pytest.param(b"GET /_sandbox/hea", id="half a request line"),
        pytest.param(head(), id="headers without their end"),
        pytest.param(
            b"POST /_sandbox/inbound HTTP/1.1\r\nHost: 127.0.0.1\r\n"
            b'Content-Type: application/json\r\nContent-Length: 100\r\n\r\n{"chan',
            id="part of the body",
        ),
    ],
)
def test_a_stalled_request_is_closed_after_the_deadline(sent: bytes) -> None:
    with server(QUICK) as srv, connect(srv) as sock:
        started = time.monotonic()
        sock.sendall(sent)
        data = answer(sock)
        took = time.monotonic() - started
    assert data == b""  # closed, not answered
    assert QUICK * 0.8 <= took < WAIT
    # Once the server has stopped (every request handled), the route that was waiting for
    # the rest of its body has not reported an error: a client gone mid-body is no bug.
    assert srv.app.state.runtime.errors == []


def test_a_drip_of_bytes_does_not_move_the_deadline() -> None:
    # The deadline runs from a request's first byte: a client sending a byte now and then
    # (slow-loris) is closed on time whatever it keeps sending.
    with server(QUICK) as srv, connect(srv) as sock:
        started = time.monotonic()
        sock.sendall(head())
        sock.settimeout(QUICK / 5)
        closed = False
        while not closed and time.monotonic() - started < WAIT:
            try:
                sock.sendall(b"X")
                closed = sock.recv(1) == b""  # each wait is bounded by the socket timeout
            except TimeoutError:
                continue
            except (BrokenPipeError, ConnectionResetError):
                closed = True
    assert closed
    assert time.monotonic() - started < QUICK * 4


def test_the_deadline_leaves_event_streams_alone(monkeypatch: pytest.MonkeyPatch) -> None:
    # An event stream's request is complete; its response may last as long as it likes: the
    # heartbeat comes after the deadline has passed, on the same open stream.
    monkeypatch.setattr(control_events, "HEARTBEAT", QUICK * 2)
    with (
        server(QUICK) as srv,
        httpx.Client(base_url=srv.url, timeout=WAIT) as client,
        client.stream("GET", "/_sandbox/events") as response,
    ):
        lines = (line for line in response.iter_lines() if line)
        assert next(lines) == "retry: 1000"
        assert next(lines).startswith(": connected")
        started = time.monotonic()
        assert next(lines) == ": keep-alive"
        assert time.monotonic() - started >= QUICK


def test_the_deadline_leaves_idle_keep_alive_connections_to_uvicorn() -> None:
    # Between two requests the connection is idle, which uvicorn's keep-alive timeout (5 s)
    # bounds; the request deadline is not running then.
    with server(QUICK) as srv, connect(srv) as sock:
        sock.sendall(head(b"\r\n"))
        assert status(sock.recv(65536)) == 200
        sock.settimeout(QUICK * 3)
        with pytest.raises(TimeoutError):  # still open, well past the deadline
            sock.recv(1)
        sock.settimeout(WAIT)
        sock.sendall(head(b"\r\n"))
        assert status(sock.recv(65536)) == 200


# -- a readable 413 --------------------------------------------------------------------------


def test_a_body_over_the_limit_gets_a_readable_413_problem() -> None:
    body = b"x" * (2 * MAX_BODY)
    with server() as srv, httpx.Client(base_url=srv.url, timeout=WAIT) as client:
        for path, headers in (
            ("/v1/messages", {"Authorization": BASIC}),
            ("/_sandbox/inbound", {}),
        ):
            r = client.post(
                path, content=body, headers={"Content-Type": "application/json", **headers}
            )
            assert r.status_code == 413, (path, r.text)
            assert r.headers["content-type"] == "application/problem+json"
            assert r.json()["title"] == "Payload Too Large"
            assert str(MAX_BODY) in r.json()["detail"]
        # The connection is still good: the refused body was read to its end.
        assert client.get("/_sandbox/health").status_code == 200


def test_a_client_that_closes_after_one_request_reads_its_413() -> None:
    # urllib sends `Connection: close`, so the server closes once it has answered; had it
    # answered before reading the body, that close (with bytes unread) would be a reset, and
    # urllib, still writing, would see a broken pipe instead of the 413.
    body = b"x" * (8 * MAX_BODY)  # more than loopback's socket buffers take at once
    assert len(body) <= DRAIN_LIMIT
    with server() as srv:
        request = urllib.request.Request(
            srv.url + "/v1/messages",
            data=body,
            headers={"Content-Type": "application/json", "Authorization": BASIC},
        )
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(request, timeout=WAIT)
    assert refused.value.code == 413
    assert refused.value.headers["content-type"] == "application/problem+json"
    assert json.loads(refused.value.read())["title"] == "Payload Too Large"


def test_a_chunked_body_over_the_limit_gets_a_readable_413() -> None:
    def chunks() -> Iterator[bytes]:
        for _ in range(2 * MAX_BODY // 65536):
            yield b"x" * 65536

    with server() as srv, httpx.Client(base_url=srv.url, timeout=WAIT) as client:
        r = client.post("/_sandbox/inbound", content=chunks())  # no Content-Length: chunked
        assert r.status_code == 413
        assert r.json()["title"] == "Payload Too Large"


def test_expect_100_continue_is_answered_without_the_body() -> None:
    # The client waits for "100 Continue" before sending its body: the 413 comes first, and
    # no body is ever read.
    with server() as srv, connect(srv) as sock:
        sock.sendall(
            b"POST /_sandbox/inbound HTTP/1.1\r\nHost: 127.0.0.1\r\nExpect: 100-continue\r\n"
            b"Content-Type: application/json\r\nContent-Length: "
            + str(2 * MAX_BODY).encode()
            + b"\r\n\r\n"
        )
        first = sock.recv(65536)
    assert status(first) == 413


def test_past_the_drain_limit_the_413_goes_out_at_once() -> None:
    # What is read and thrown away is bounded: a body declared over DRAIN_LIMIT is not read.
    with server() as srv, connect(srv) as sock:
        sock.sendall(
            b"POST /_sandbox/inbound HTTP/1.1\r\nHost: 127.0.0.1\r\n"
            b"Content-Type: application/json\r\nContent-Length: "
            + str(DRAIN_LIMIT + 1).encode()
            + b"\r\n\r\n"
        )
        first = sock.recv(65536)
    assert status(first) == 413
