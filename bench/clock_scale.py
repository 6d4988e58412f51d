"""4. Clock scale: advancing the virtual clock across 100,000 pending Dispatch failover timers,
each firing its workflow's next step (an SMS send, its webhook and the workflow's update).

    .venv/bin/python bench/clock_scale.py [--workflows 100000] [--rounds 3]

Creating 100,000 workflows over HTTP would take longer than the measurement, so they are
created in-process through the same calls `POST /v0.1/dispatch` makes (parse_dispatch,
Dispatches.start); the sandbox is then served by uvicorn (a real server on a free
port) and the timed part is one `POST /_sandbox/clock/advance {"seconds": 601}`, over HTTP.
Every workflow is WhatsApp (condition `read`, expiry 600 s) then SMS, to 1,000 ordinary
handsets (none of the magic numbers); webhooks off (no status URL), so each firing records its
webhooks as `no_url`. The 24-hour care windows are off, as in every benchmark
(common.NO_WINDOWS): with them on, each WhatsApp item would be rejected at once (none of the
users ever wrote) and the failover would happen then, not when the 100,000 expiry timers fire.
(Before 2026-12-02 they were on here, and the figure was the rejections' cascade: 201,100
timers pending, a rejection and an expiry each. Until 2026-12-03 the handsets included the
magic numbers 447700900800-899: 1,100 more timers, and ~110 workflows never failed over.)

Each round also times the same advance across as many timers that do nothing (`bare`): the
timeline's own part (taking timers off the heap, running them, settling once), so the rest of
the figure is the work the firings do.
"""

from __future__ import annotations

import argparse
import gc
import time

import httpx
from common import emit, median
from starlette.applications import Starlette

from sandbox.app import create_app
from sandbox.asgi.runtime import Runtime
from sandbox.core.models import Sender
from sandbox.server import BackgroundServer, tune_gc
from sandbox.settings import Settings
from sandbox.wire.v01 import parse_dispatch

EXPIRY = 600


def body(n: int) -> dict:
    # 1,000 handsets outside the built-in magic numbers (447700900800-899, sandbox/core/magic.py),
    # which deliver, read or reject on their own and would keep some workflows from failing over.
    user = f"447700901{n % 1000:03d}"
    return {
        "template": "failover",
        "workflow": [
            {
                "from": {"type": "whatsapp", "number": "447700900001"},
                "to": {"type": "whatsapp", "number": user},
                "message": {"content": {"type": "text", "text": "Your order has shipped"}},
                "failover": {"expiry_time": EXPIRY, "condition_status": "read"},
            },
            {
                "from": {"type": "sms", "number": "447700900001"},
                "to": {"type": "sms", "number": user},
                "message": {"content": {"type": "text", "text": "Your order has shipped"}},
            },
        ],
    }


def advance(app: Starlette) -> tuple[float, int]:
    """Serve ``app`` and time one `POST /_sandbox/clock/advance` past the expiries, over HTTP:
    the seconds it took and the timers it fired."""
    gc.collect()
    server = BackgroundServer(app).start()
    try:
        with httpx.Client(base_url=server.url, timeout=600) as http:
            t0 = time.perf_counter()
            r = http.post("/_sandbox/clock/advance", json={"seconds": EXPIRY + 1})
            took = time.perf_counter() - t0
            r.raise_for_status()
            return took, r.json()["moved"]["fired"]
    finally:
        server.stop()


def fresh() -> tuple[Starlette, Runtime]:
    """An app as the benchmark serves it: care windows off (common.NO_WINDOWS), the collector
    tuned as `nexmo-sandbox serve` does at start-up."""
    app = create_app(Settings(whatsapp_window=False, messenger_window=False))
    tune_gc()
    return app, app.state.runtime


def one(workflows: int) -> dict:
    app, rt = fresh()
    sender = Sender(application_id="bench-app")
    t0 = time.perf_counter()
    for n in range(workflows):
        rt.dispatches.start(parse_dispatch(body(n), rt.channels), sender)
    created = time.perf_counter() - t0
    pending = len(rt.scheduler)
    took, _ = advance(app)
    moved_on = sum(1 for wf in rt.dispatches.table.values() if wf.current == 1)
    return {
        "seconds": round(took, 3),
        "timers": pending,
        "moved_on": moved_on,
        "per_timer_us": round(took / max(1, pending) * 1e6, 2),
        "create_seconds": round(created, 2),
        "messages": rt.store.count(),
    }


def bare(timers: int) -> float:
    """The same advance across ``timers`` timers that do nothing, all due at the same instant
    as the expiries: what moving the clock costs apart from what the timers do."""
    app, rt = fresh()
    due = rt.clock.now() + EXPIRY
    for _ in range(timers):
        rt.scheduler.at(due, "failover", "does nothing", _nothing)
    took, fired = advance(app)
    if fired != timers:
        raise SystemExit(f"bare advance fired {fired} timers, expected {timers}")
    return round(took, 3)


def _nothing() -> None:
    return None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--workflows", type=int, default=100_000)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    runs = []
    for _ in range(args.rounds):
        run = one(args.workflows)
        run["bare_seconds"] = bare(run["timers"])
        runs.append(run)
    secs = median([r["seconds"] for r in runs])
    bare_secs = median([r["bare_seconds"] for r in runs])
    ok = all(r["moved_on"] == args.workflows for r in runs)
    emit(
        "clock_scale",
        {
            "seconds": secs,
            "timers": args.workflows,
            "all_moved_on": ok,
            # The timeline's own part of the advance; the rest is the firings' own work.
            "bare_seconds": bare_secs,
            "timeline_share": round(bare_secs / secs, 3) if secs else None,
            "target": "<= 1 s",
            "met": secs <= 1 and ok,
            "runs": runs,
        },
    )


if __name__ == "__main__":
    main()
