"""5. Memory: resident memory of the sandbox process per stored message, after 200,000
mixed-channel sends (SMS, MMS, WhatsApp, Messenger, Viber in turn, to 1,000 handsets).

    .venv/bin/python bench/memory.py [--messages 200000] [--rounds 1]

VmRSS of `nexmo-sandbox serve --max-messages 0` (no retention bound, so all 200,000 stay;
webhooks off: each message's `submitted` webhook is still kept in the ledger as `no_url`)
after 1,000 warm-up sends, and again after the rest; the difference divided by the messages
stored in between. (Before 2026-12-02 this ran under serve's default bound of 50,000: about
49,000 were stored, and the figure mixed stored messages with the memory pruned ones left.)
Sent by wrk with -t1, so the run takes as long as the sandbox needs (about a minute at
4,000/s).
"""

from __future__ import annotations

import argparse
import time

from common import emit, get_json, median, sandbox, wrk_until

WARMUP = 1000


def stored(url: str) -> int:
    return int(get_json(url + "/_sandbox/messages?limit=1")["total"])


def one(messages: int) -> dict:
    with sandbox("--max-messages", "0") as server:
        wrk_until(server.url, "send_mixed.lua", WARMUP, connections=8)
        before_n, before_kb = stored(server.url), server.rss_kb()
        started = time.monotonic()
        r = wrk_until(server.url, "send_mixed.lua", messages - before_n)
        took = time.monotonic() - started
        time.sleep(0.5)  # let in-flight requests finish before reading
        after_n, after_kb = stored(server.url), server.rss_kb()
        ledger = int(get_json(server.url + "/_sandbox/webhooks?limit=1")["total"])
    per = (after_kb - before_kb) * 1024 / (after_n - before_n)
    return {
        "bytes_per_message": round(per),
        "stored": after_n,
        "all_stored": after_n >= messages,
        "ledger_entries": ledger,
        "rss_before_mb": round(before_kb / 1024, 1),
        "rss_after_mb": round(after_kb / 1024, 1),
        "send_seconds": round(took, 1),
        "send_rps": round(r.rps, 1),
        "not_202": r.not_202,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--messages", type=int, default=200_000)
    parser.add_argument("--rounds", type=int, default=1)
    args = parser.parse_args()
    runs = [one(args.messages) for _ in range(args.rounds)]
    per = median([r["bytes_per_message"] for r in runs])
    emit(
        "memory",
        {
            "bytes_per_message": round(per),
            "target": "<= 1024",
            "met": per <= 1024,
            "runs": runs,
        },
    )


if __name__ == "__main__":
    main()
