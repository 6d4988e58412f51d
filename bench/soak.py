"""13. Soak: resident memory of `nexmo-sandbox serve` with a retention bound over 10 minutes of
sends at a steady 300 messages/s, both status webhooks going to a receiver; the RSS each
minute, and minute 10 against minute 1.

    .venv/bin/python bench/soak.py [--minutes 10] [--rate 300] [--bound 15000]

The load is latency.py's open-loop generator (send i leaves at start + i/rate). The bound is
15,000 messages so that it is reached within the first minute (at 300/s, after 50 s): RSS at
minute 1 is then already the bounded sandbox's, and a flat sandbox keeps it to minute 10. With
`serve`'s default of 50,000 the bound is reached in minute 3 (`--bound 50000`).
"""

from __future__ import annotations

import argparse
import threading
import time

from common import emit, get_json, receiver, receiver_stats, sandbox
from latency import load

BUDGET = 1.10  # minute 10 within 10 % of minute 1


def main() -> None:
    import uvloop

    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--minutes", type=float, default=10)
    parser.add_argument("--rate", type=float, default=300)
    parser.add_argument("--bound", type=int, default=15_000)
    args = parser.parse_args()
    curve: list[dict[str, float]] = []
    with receiver() as recv:
        flags = ("--auto-deliver", "0", "--status-url", recv.url + "/status")
        with sandbox("--max-messages", str(args.bound), *flags) as server:
            port = int(server.url.rsplit(":", 1)[1])
            done = threading.Event()

            def sample() -> None:
                started = time.monotonic()
                minute = 1
                while not done.wait(max(0.0, started + 60 * minute - time.monotonic())):
                    health = get_json(server.url + "/_sandbox/health")
                    curve.append(
                        {
                            "minute": minute,
                            "rss_mb": round(server.rss_kb() / 1024, 1),
                            "stored": health["retention"]["stored"],
                            "ledger": health["webhooks"],
                        }
                    )
                    print(curve[-1], flush=True)
                    minute += 1

            sampler = threading.Thread(target=sample, daemon=True)
            sampler.start()
            accepted, _, bad = uvloop.run(load(port, args.rate, args.minutes * 60))
            done.set()
            sampler.join()
            owed = 2 * len(accepted)  # submitted and delivered
            received = receiver_stats(recv.url, lambda s: s["received"] >= owed, 10)["received"]
    first, last = curve[0]["rss_mb"], curve[-1]["rss_mb"]
    emit(
        "soak",
        {
            "minutes": args.minutes,
            "rate": args.rate,
            "bound": args.bound,
            "sent": len(accepted),
            "not_202": bad,
            "webhooks_received": received,
            "webhooks_missing": owed - received,
            "rss_minute_1_mb": first,
            "rss_last_minute_mb": last,
            "ratio": round(last / first, 3),
            "target": "RSS at the last minute <= 1.1 x minute 1, every send and webhook through",
            "met": last <= first * BUDGET and bad == 0 and received == owed,
            "curve": curve,
        },
    )


if __name__ == "__main__":
    main()
