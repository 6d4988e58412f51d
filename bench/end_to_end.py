"""2. End to end: sends with status webhooks on (--auto-deliver 0, so `submitted` and
`delivered` each fire) into a receiver on loopback, for 30 s (60 in run_all.py); median of
several rounds.

    .venv/bin/python bench/end_to_end.py [--rounds 3] [--seconds 30] [--connections 8]

wrk sends as fast as the sandbox answers for --seconds; then the sandbox is given up to
--drain seconds to deliver what it still owes. The rate reported is the messages whose two
webhooks both arrived, divided by the time from the first send to the last webhook's arrival,
so a backlog the sandbox builds up counts against it. Lost = webhooks owed (2 per stored
message) that never arrived, plus any the ledger marks failed or retrying.
"""

from __future__ import annotations

import argparse
import time

from common import emit, get_json, median, receiver, receiver_stats, sandbox, wrk


def one(seconds: int, connections: int, drain: float) -> dict:
    with receiver() as recv:
        # No retention bound: over 60 s more than `serve`'s 50,000 messages are sent, and the
        # webhooks owed are counted from the messages stored.
        flags = ("--auto-deliver", "0", "--status-url", recv.url + "/status", "--max-messages", "0")
        with sandbox(*flags) as server:
            started = time.monotonic()
            r = wrk(server.url, seconds=seconds, connections=connections)
            sent_done = time.monotonic()
            stored = int(get_json(server.url + "/_sandbox/health")["messages"])
            owed = 2 * stored
            stats = receiver_stats(recv.url, lambda s: s["distinct"] >= owed, drain)
            failed = int(get_json(server.url + "/_sandbox/webhooks?state=failed&limit=1")["total"])
            retrying = int(
                get_json(server.url + "/_sandbox/webhooks?state=retrying&limit=1")["total"]
            )
            rss_mb = round(server.rss_kb() / 1024, 1)
    by = stats["by_status"]
    complete = min(by.get("submitted", 0), by.get("delivered", 0))
    last = stats["last"] or sent_done
    span = max(last, sent_done) - started
    return {
        "delivered_msgs_per_s": round(complete / span, 1),
        "sent": stored,
        "accept_rps": round(r.rps, 1),
        "webhooks_received": stats["received"],
        "webhooks_distinct": stats["distinct"],
        "lost": owed - stats["distinct"] + failed + retrying,
        "failed": failed,
        "retrying": retrying,
        "drain_s": round(max(0.0, last - sent_done), 2),
        "not_202": r.not_202,
        "sandbox_rss_mb": rss_mb,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--seconds", type=int, default=30)
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--drain", type=float, default=30.0)
    args = parser.parse_args()
    runs = [one(args.seconds, args.connections, args.drain) for _ in range(args.rounds)]
    rate = median([r["delivered_msgs_per_s"] for r in runs])
    lost = max(r["lost"] for r in runs)
    duplicated = max(r["webhooks_received"] - r["webhooks_distinct"] for r in runs)
    emit(
        "end_to_end",
        {
            "delivered_msgs_per_s": rate,
            "lost": lost,
            "duplicated": duplicated,
            "target": ">= 1500 msg/s, 0 lost, 0 duplicated",
            "met": rate >= 1500 and lost == 0 and duplicated == 0,
            "runs": runs,
        },
    )


if __name__ == "__main__":
    main()
