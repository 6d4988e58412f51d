"""Retention: resident memory of `nexmo-sandbox serve` over 500,000 sends with a retention
bound, against the bound's budget.

    .venv/bin/python bench/retention.py [--messages 500000] [--bound 50000] [--step 50000]

Mixed-channel sends (send_mixed.lua: SMS, MMS, WhatsApp, Messenger, Viber to 1,000 handsets)
with webhooks off (each `submitted` webhook is still kept in the ledger as `no_url`). VmRSS
after every ``step`` sends. The budget: RSS once the bound is first reached, plus 10 %; a
flat sandbox stays within it however long it runs.
"""

from __future__ import annotations

import argparse

from common import emit, get_json, sandbox, wrk_until


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--messages", type=int, default=500_000)
    parser.add_argument("--bound", type=int, default=50_000)
    parser.add_argument("--step", type=int, default=50_000)
    args = parser.parse_args()
    curve: list[dict[str, float]] = []
    with sandbox("--max-messages", str(args.bound)) as server:
        sent = 0
        while sent < args.messages:
            r = wrk_until(server.url, "send_mixed.lua", args.step, connections=8)
            sent += args.step
            health = get_json(server.url + "/_sandbox/health")
            curve.append(
                {
                    "sent": sent,
                    "stored": health["retention"]["stored"],
                    "ledger": health["webhooks"],
                    "rss_mb": round(server.rss_kb() / 1024, 1),
                    "send_rps": round(r.rps),
                }
            )
            print(curve[-1], flush=True)
    at_bound = next(c for c in curve if c["sent"] >= args.bound)["rss_mb"]
    budget = round(at_bound * 1.10, 1)
    peak = max(c["rss_mb"] for c in curve)
    emit(
        "retention",
        {
            "bound": args.bound,
            "messages": args.messages,
            "rss_at_bound_mb": at_bound,
            "rss_peak_mb": peak,
            "rss_final_mb": curve[-1]["rss_mb"],
            "budget_mb": budget,
            "met": peak <= budget,
            "curve": curve,
        },
    )


if __name__ == "__main__":
    main()
