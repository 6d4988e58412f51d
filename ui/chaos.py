"""`/chaos`: the chaos rules in force (faults on purpose, sandbox/core/chaos.py), a form to add
one, the seed, and the log of what the rules did, each effect linking to its message or
webhook. Changes go through the control API (`/_sandbox/chaos`) from ui/static/chaos.js."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from sandbox.asgi.io import runtime
from sandbox.control.chaos import PARAMS
from sandbox.core.chaos import EFFECTS, SCOPE_KINDS
from ui.pages import base
from ui.templating import render

# What each effect does, in a few words (the form's select and the rules' list).
WORDS = {
    "throttle": "send answered 429 Rate Limit Hit",
    "server_error": "send answered 5xx",
    "slow": "send answered late",
    "reject": "message rejected",
    "undeliverable": "message undeliverable",
    "delay": "webhook delayed",
    "drop": "webhook never sent",
    "duplicate": "webhook delivered twice",
    "reorder": "webhook overtaken by the next one",
    "receiver_down": "receiver down for N virtual minutes",
}
COMMON = ("id", "effect", "scope", "probability", "times", "seed", "name", "hits", "created_at")


async def chaos_page(request: Request) -> Response:
    rt = runtime(request)
    listing = rt.chaos.listing()
    rules = [
        {**r, "params": {k: v for k, v in r.items() if k not in COMMON and k != "until"}}
        for r in listing["rules"]
    ]
    return render(
        "chaos.html",
        base(
            request,
            "chaos",
            seed=listing["seed"],
            rules=rules,
            effects=list(reversed(listing["effects"])),  # newest first
            words=WORDS,
            all_effects=EFFECTS,
            scope_kinds=SCOPE_KINDS,
            params=PARAMS,
        ),
    )


routes = [Route("/chaos", chaos_page, methods=["GET"])]
