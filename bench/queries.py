"""12. What the inbox, the UI and the fixture's queries cost as the store grows: the store's
`query` in-process (no HTTP: the round trip is the same at any size), µs per query at 1,000 and
at 100,000 stored messages, and the ratio. Whatever the size, each handset has 100 messages
(SMS, MMS and WhatsApp, one in ten a reply) and each application 1,000, so every query finds
as much at both sizes: flat (≈ 1) means indexed, a scan grows with the store.

    .venv/bin/python bench/queries.py [--before COMMIT | --before-tree DIR] [--sizes 1000 100000]

`--before` checks that commit out into a temporary worktree and measures it the same way, so
the figures compare in one run.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import subprocess
import sys
import time
from pathlib import Path

from common import emit, worktree

BEFORE = "c4a3d48"  # the last commit before the per-application index
PER_HANDSET = 100
PER_APP = 1_000
HANDSET = "447700000005"
# name: (filter, limit): what each caller asks.
QUERIES: dict[str, tuple[dict[str, str], int]] = {
    # inbox("sms", n).last and len(inbox)
    "inbox_last": ({"channel": "sms", "to": HANDSET, "direction": "outbound"}, 1),
    "inbox_count": ({"channel": "sms", "to": HANDSET, "direction": "outbound"}, 0),
    # the same on a shared server: the test's application is added to every filter
    "shared_inbox_last": (
        {
            "application_id": "app-00",
            "channel": "sms",
            "to": HANDSET,
            "direction": "outbound",
        },
        1,
    ),
    # a test's own messages on a shared server (messages(), reset's count)
    "shared_messages": ({"application_id": "app-00"}, 1000),
    # the UI's conversation view
    "conversation": ({"channel": "whatsapp", "peer": HANDSET}, 50),
    # newest first, one page: GET /_sandbox/messages
    "newest_page": ({}, 50),
}


def fill(store: object, n: int) -> None:
    from dataclasses import fields

    from sandbox.core.models import Message, StatusChange

    # The record's shape changed on 2026-12-03 (body and changes; status and creation time
    # derived from them); --before runs this in older checkouts too.
    compact = "body" in {f.name for f in fields(Message)}
    channels = ("sms", "mms", "whatsapp")
    for i in range(n):
        handset = f"4477000{i % (n // PER_HANDSET):05d}"
        inbound = i % 10 == 9
        app = f"app-{i % (n // PER_APP):02d}"
        status = "received" if inbound else "submitted"
        text, change = f"message {i}", StatusChange(status, float(i))
        shape: dict[str, object] = (
            {"body": text, "changes": change}
            if compact
            else {
                "content": {"text": text},
                "created_at": float(i),
                "status": status,
                "history": [change],
            }
        )
        store.add(  # type: ignore[attr-defined]
            Message(
                uuid=f"{i:08d}-0000-4000-8000-000000000000",
                direction="inbound" if inbound else "outbound",
                channel=channels[i % 3],
                to="447700900000" if inbound else handset,
                from_=handset if inbound else "447700900000",
                message_type="text",
                application_id=app,
                **shape,  # type: ignore[arg-type]
            )
        )


def per_query(sizes: list[int], repeat_s: float) -> dict[str, dict[int, float]]:
    from sandbox.core.store import MemoryStore, MessageFilter

    flt_names = {"from": "from_"}
    out: dict[str, dict[int, float]] = {name: {} for name in QUERIES}
    for n in sizes:
        store = MemoryStore()
        fill(store, n)
        for name, (fields, limit) in QUERIES.items():
            flt = MessageFilter(**{flt_names.get(k, k): v for k, v in fields.items()})
            store.query(flt, limit, 0)
            count, start = 0, time.perf_counter()
            while (elapsed := time.perf_counter() - start) < repeat_s:
                for _ in range(10):
                    store.query(flt, limit, 0)
                count += 10
            out[name][n] = round(elapsed / count * 1e6, 2)
    return out


def in_tree(tree: Path, args: argparse.Namespace) -> dict[str, dict[int, float]]:
    """The same measurement on another checkout, in a fresh interpreter importing it."""
    cmd = [
        sys.executable,
        __file__,
        "--raw",
        "--repeat",
        str(args.repeat),
        "--sizes",
        *map(str, args.sizes),
        "--before",
        "none",
    ]
    env = {**os.environ, "PYTHONPATH": f"{tree}{os.pathsep}{Path(__file__).parent}"}
    done = subprocess.run(cmd, env=env, check=True, capture_output=True, text=True)
    raw = json.loads(done.stdout)
    return {name: {int(k): v for k, v in row.items()} for name, row in raw.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", type=int, nargs=2, default=[1_000, 100_000])
    parser.add_argument("--repeat", type=float, default=0.5, help="seconds per query and size")
    parser.add_argument("--before", default=BEFORE, help="a commit to compare, or none")
    parser.add_argument("--before-tree", type=Path)
    parser.add_argument("--raw", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.raw:
        print(json.dumps(per_query(args.sizes, args.repeat)))
        return
    small, large = args.sizes
    with contextlib.ExitStack() as stack:
        if args.before_tree is None and args.before != "none":
            args.before_tree = stack.enter_context(worktree(args.before, "before-index-"))
        now = per_query(args.sizes, args.repeat)
        before = in_tree(args.before_tree, args) if args.before_tree else None
    out: dict = {"sizes": args.sizes, "us_per_query": now}
    out["growth"] = {name: round(row[large] / row[small], 2) for name, row in now.items()}
    if before is not None:
        out["before_us_per_query"] = before
        out["speedup_at_large"] = {
            name: round(before[name][large] / now[name][large], 1) for name in QUERIES
        }
    indexed = [name for name in QUERIES if name != "newest_page"]
    out["target"] = f"indexed: {large:,} stored cost <= 2 x {small:,} stored"
    out["met"] = all(out["growth"][name] <= 2.0 for name in indexed)
    emit("queries", out)


if __name__ == "__main__":
    main()
