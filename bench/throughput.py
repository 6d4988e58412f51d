"""1. Send throughput: POST /v1/messages (SMS text, Basic auth), webhooks off, against the
sandbox and against the ceiling app, alternately in one run; median of several rounds.

    .venv/bin/python bench/throughput.py [--rounds 3] [--seconds 10] [--connections 32]

"Webhooks off" is the sandbox with no status URL: each status is still rendered and recorded
in the ledger as `no_url`, with no HTTP. Each round gets fresh servers, so the sandbox's store
starts empty every time (it grows by ~20,000 messages a round).
"""

from __future__ import annotations

import argparse

from common import ceiling, emit, median, sandbox, wrk


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--warmup", type=int, default=2, help="seconds of load before each")
    args = parser.parse_args()
    runs: dict[str, list[dict]] = {"sandbox": [], "ceiling": []}
    for _ in range(args.rounds):
        for name, start in (("sandbox", sandbox), ("ceiling", ceiling)):
            with start() as server:
                if args.warmup:
                    wrk(server.url, seconds=args.warmup, connections=args.connections)
                r = wrk(server.url, seconds=args.seconds, connections=args.connections)
                runs[name].append(
                    {
                        "rps": round(r.rps, 1),
                        "not_202": r.not_202,
                        "socket_errors": r.errors,
                        "p50_ms": r.latency_p50_ms,
                        "p99_ms": r.latency_p99_ms,
                    }
                )
    sb = median([r["rps"] for r in runs["sandbox"]])
    cl = median([r["rps"] for r in runs["ceiling"]])
    emit(
        "throughput",
        {
            "sandbox_rps": round(sb, 1),
            "ceiling_rps": round(cl, 1),
            "ratio": round(sb / cl, 3),
            "target": ">= 0.8",  # issue 18: within 0.8 x of what the stack itself allows
            "met": sb / cl >= 0.8,
            "runs": runs,
            "connections": args.connections,
            "seconds": args.seconds,
        },
    )


if __name__ == "__main__":
    main()
