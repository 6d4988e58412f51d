"""7. SSE fan-out: inbound and send calls per second with no live view open, and with many idle
`GET /_sandbox/events` clients (inbox tabs nobody is looking at); the ratio is the cost of
those clients. Then the server's CPU at a steady, moderate rate of sends, with and without them.

    .venv/bin/python bench/sse_fanout.py [--clients 300] [--rounds 3] [--seconds 5] [--rate 100]

For each round and each client count (0, then --clients) a fresh `nexmo-sandbox serve` is
started, the SSE clients connect and get their `: connected` line, then wrk runs for --seconds
against `POST /_sandbox/inbound` (an SMS from an end user) and then against `POST /v1/messages`
(an SMS text). The SSE clients read and throw away whatever arrives, from one thread of this
process, as a browser's network stack would: they are idle, not slow.

wrk's closed loop finds the most calls a second; a steady load below that is where a live view
gets every event. So each round then sends --rate SMS a second for --seconds, open-loop on one
keep-alive connection, and reports the server's CPU time (user + system, from /proc) over that
time as a share of one core.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import selectors
import socket
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path

from common import BASIC, SMS_BODY, emit, median, sandbox, wrk

INBOUND_LUA = """\
-- POST /_sandbox/inbound: an SMS from an end user. Written by sse_fanout.py.
wrk.method = "POST"
wrk.path = "/_sandbox/inbound"
wrk.headers["Content-Type"] = "application/json"
wrk.body = '{"channel":"sms","from":"447700900123","to":"447700900000","text":"hi"}'

-- Count what was not a 201, under the name common.parse_wrk reads. A global, not a local:
-- thread:get() in done() reads only a thread's globals.
not_created = 0
function response(status, headers, body)
    if status ~= 201 then
        not_created = not_created + 1
    end
end

local threads = {}
function setup(thread)
    table.insert(threads, thread)
end

function done(summary, latency, requests)
    local bad = 0
    for _, t in ipairs(threads) do
        bad = bad + (t:get("not_created") or 0)
    end
    io.write(string.format("NOT_202 %d\\n", bad))
end
"""


@contextlib.contextmanager
def idle_clients(port: int, count: int) -> Iterator[list[int]]:
    """``count`` open event streams, each past its first line, drained by one reader thread.
    Yields a one-item list: the bytes the clients have received so far (read after the run)."""
    request = (
        f"GET /_sandbox/events HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n"
        "Accept: text/event-stream\r\n\r\n"
    ).encode()
    socks: list[socket.socket] = []
    received = [0]
    stop = threading.Event()
    try:
        for _ in range(count):
            s = socket.create_connection(("127.0.0.1", port), timeout=10)
            s.sendall(request)
            socks.append(s)
        for s in socks:  # every stream subscribed before the load starts
            head = b""
            while b": connected" not in head:
                chunk = s.recv(65536)
                if not chunk:
                    raise RuntimeError("an event stream closed before it started")
                head += chunk
            s.setblocking(False)

        def drain() -> None:
            with selectors.DefaultSelector() as sel:
                for s in socks:
                    sel.register(s, selectors.EVENT_READ)
                while not stop.is_set():
                    for key, _ in sel.select(0.1):
                        with contextlib.suppress(BlockingIOError):
                            received[0] += len(key.fileobj.recv(1 << 20))  # type: ignore[union-attr]

        reader = threading.Thread(target=drain, daemon=True)
        reader.start()
        try:
            yield received
        finally:
            stop.set()
            reader.join(5)
    finally:
        for s in socks:
            s.close()


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # utime + stime


def steady_cpu(port: int, pid: int, rate: float, seconds: int) -> float:
    """The server's CPU, in % of one core, while it takes ``rate`` sends a second."""
    request = (
        b"POST /v1/messages HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
        b"Authorization: " + BASIC.encode() + b"\r\n"
        b"Content-Length: " + str(len(SMS_BODY)).encode() + b"\r\n\r\n" + SMS_BODY
    )
    with socket.create_connection(("127.0.0.1", port), timeout=30) as s:
        before, start = cpu_seconds(pid), time.monotonic()
        for i in range(int(rate * seconds)):
            delay = start + i / rate - time.monotonic()
            if delay > 0:
                time.sleep(delay)  # pacing the load generator, not waiting for the server
            s.sendall(request)
            answer = b""
            while not answer.endswith(b"}"):  # the 202's JSON body ends the answer
                answer += s.recv(4096)
        took = time.monotonic() - start
        return 100 * (cpu_seconds(pid) - before) / took


def one_round(clients: int, seconds: int, connections: int, script: str, rate: float) -> dict:
    with sandbox() as server, idle_clients(server.port, clients) as received:
        inbound = wrk(server.url, script, seconds=seconds, connections=connections)
        send = wrk(server.url, seconds=seconds, connections=connections)
        cpu = steady_cpu(server.port, server.proc.pid, rate, seconds)
        return {
            "clients": clients,
            "inbound_rps": round(inbound.rps, 1),
            "send_rps": round(send.rps, 1),
            "steady_cpu_pct": round(cpu, 1),
            "not_expected": inbound.not_202 + send.not_202,
            "socket_errors": " ".join(x for x in (inbound.errors, send.errors) if x),
            "sse_bytes_per_client": received[0] // clients if clients else 0,
        }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--clients", type=int, default=300)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--seconds", type=int, default=5)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--rate", type=float, default=100.0, help="steady sends a second")
    args = parser.parse_args()
    runs: dict[int, list[dict]] = {0: [], args.clients: []}
    with tempfile.TemporaryDirectory() as tmp:
        script = str(Path(tmp) / "inbound.lua")
        Path(script).write_text(INBOUND_LUA)
        for _ in range(args.rounds):
            for clients in runs:
                runs[clients].append(
                    one_round(clients, args.seconds, args.connections, script, args.rate)
                )
    result: dict[str, object] = {"clients": args.clients, "seconds": args.seconds}
    for key in ("inbound_rps", "send_rps"):
        alone = median([r[key] for r in runs[0]])
        watched = median([r[key] for r in runs[args.clients]])
        result[key] = {"0": alone, str(args.clients): watched, "ratio": round(watched / alone, 3)}
    result["steady_cpu_pct"] = {
        "rate": args.rate,
        "0": median([r["steady_cpu_pct"] for r in runs[0]]),
        str(args.clients): median([r["steady_cpu_pct"] for r in runs[args.clients]]),
    }
    result["runs"] = runs
    emit("sse_fanout", result)


if __name__ == "__main__":
    main()
