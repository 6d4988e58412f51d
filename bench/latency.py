"""3. Webhook latency: from the send's 202 to the `submitted` webhook's arrival at a receiver on
loopback, p50 and p99, at a steady 200 messages/s; median of several rounds.

    .venv/bin/python bench/latency.py [--rounds 3] [--rate 200] [--seconds 20]

The load is open-loop: send i leaves at start + i/rate whatever happened to the others, over
16 keep-alive connections (raw HTTP/1.1, so the generator's own cost stays small). The sandbox
runs with --auto-deliver 0, so each message also fires `delivered` right behind `submitted`.
The generator notes `time.monotonic()` when it has read each 202; the receiver (another
process) notes it when each webhook arrives; both read the same system-wide CLOCK_MONOTONIC.
A webhook can overtake the 202 on its way to the generator; such a latency counts as 0. The
time from writing the request to the webhook's arrival is reported beside it (from_send_*).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import time

from common import (
    BASIC,
    SMS_BODY,
    emit,
    get_json,
    median,
    percentile,
    receiver,
    receiver_stats,
    sandbox,
)

CONNECTIONS = 16


async def load(
    port: int, rate: float, seconds: float
) -> tuple[dict[str, float], dict[str, float], int]:
    request = (
        b"POST /v1/messages HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
        b"Authorization: " + BASIC.encode() + b"\r\n"
        b"Content-Length: " + str(len(SMS_BODY)).encode() + b"\r\n\r\n" + SMS_BODY
    )
    total = int(rate * seconds)
    accepted: dict[str, float] = {}
    sent: dict[str, float] = {}
    bad = 0
    start = time.monotonic() + 0.2

    async def worker(k: int) -> None:
        nonlocal bad
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        for i in range(k, total, CONNECTIONS):
            delay = start + i / rate - time.monotonic()
            if delay > 0:
                await asyncio.sleep(delay)
            writer.write(request)
            t_sent = time.monotonic()
            head = await reader.readuntil(b"\r\n\r\n")
            length = 0
            for line in head.split(b"\r\n"):
                if line.lower().startswith(b"content-length:"):
                    length = int(line.split(b":")[1])
            body = await reader.readexactly(length)
            now = time.monotonic()
            if head.startswith(b"HTTP/1.1 202"):
                uuid = json.loads(body)["message_uuid"]
                accepted[uuid] = now
                sent[uuid] = t_sent
            else:
                bad += 1
        writer.close()

    await asyncio.gather(*(worker(k) for k in range(CONNECTIONS)))
    return accepted, sent, bad


def one(rate: float, seconds: float) -> dict:
    import uvloop

    with receiver() as recv:
        flags = ("--auto-deliver", "0", "--status-url", recv.url + "/status")
        with sandbox(*flags) as server:
            port = int(server.url.rsplit(":", 1)[1])
            accepted, sent, bad = uvloop.run(load(port, rate, seconds))
            receiver_stats(
                recv.url, lambda s: s["by_status"].get("submitted", 0) >= len(accepted), 10
            )
            arrivals = get_json(recv.url + "/stats/arrivals")["submitted"]
    latencies = [max(0.0, arrivals[u] - t) * 1000 for u, t in accepted.items() if u in arrivals]
    from_send = [(arrivals[u] - t) * 1000 for u, t in sent.items() if u in arrivals]
    missing = sum(1 for u in accepted if u not in arrivals)
    return {
        "p50_ms": round(percentile(latencies, 50), 3),
        "p99_ms": round(percentile(latencies, 99), 3),
        "max_ms": round(max(latencies), 3) if latencies else None,
        "from_send_p50_ms": round(percentile(from_send, 50), 3),
        "from_send_p99_ms": round(percentile(from_send, 99), 3),
        "messages": len(accepted),
        "overtook_202": sum(1 for u, t in accepted.items() if u in arrivals and arrivals[u] < t),
        "missing": missing,
        "not_202": bad,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--rate", type=float, default=200.0)
    parser.add_argument("--seconds", type=float, default=20.0)
    args = parser.parse_args()
    runs = [one(args.rate, args.seconds) for _ in range(args.rounds)]
    p50 = median([r["p50_ms"] for r in runs])
    p99 = median([r["p99_ms"] for r in runs])
    emit(
        "latency",
        {
            "p50_ms": p50,
            "p99_ms": p99,
            "rate": args.rate,
            "target": "p50 <= 1 ms, p99 <= 10 ms",
            "met": p50 <= 1 and p99 <= 10,
            "runs": runs,
        },
    )


if __name__ == "__main__":
    main()
