"""The inbox pages. They read state from the runtime (or, for the webhook ledger and failover
views, from the control API's JSON) and render it; every action a page takes is a `fetch()` to
the control API from ``static/app.js``, never a form post to these routes."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any
from urllib.parse import quote

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from sandbox.asgi.io import runtime
from sandbox.asgi.runtime import Runtime
from sandbox.control.params import int_param, pages, str_param
from sandbox.control.views import clock_json, message_json
from sandbox.core.conversations import newest_first, summarise
from sandbox.core.models import Message
from ui.control import Unavailable, get_json
from ui.person import card
from ui.templating import render

OVERVIEW_PAGE = 50
CONVERSATION_PAGE = 100
TIMERS_PAGE = 100
WEBHOOKS_PAGE = 50
WORKFLOWS_PAGE = 50
SEARCH_PAGE = 100
SEARCH_MAX = 200  # longer queries are cut: a search box, not an upload


def base(request: Request, page: str, **extra: Any) -> dict[str, Any]:
    rt = runtime(request)
    return {
        "page": page,
        "clock": clock_json(rt.clock, rt.scheduler, limit=1),
        "actions": rt.engine.allowed_marks,  # the buttons a bubble offers: what mark() takes
        "channels": list(rt.channels),
        "labels": {c.name: c.label for c in rt.channels},
        "request": request,
        **extra,
    }


async def overview(request: Request) -> Response:
    rt = runtime(request)
    channel = str_param(request.query_params, "channel")
    q = str_param(request.query_params, "q")
    offset = int_param(request.query_params, "offset", 0, 10**9, strict=False)
    rows = summarise(newest_first(rt.store), channel=channel, q=q)
    return render(
        "overview.html",
        base(
            request,
            "overview",
            rows=rows[offset : offset + OVERVIEW_PAGE],
            nav=pages(len(rows), OVERVIEW_PAGE, offset),
            channel=channel,
            q=q,
            stored=rt.store.count(),
        ),
    )


async def conversation(request: Request) -> Response:
    rt = runtime(request)
    channel_name = str_param(request.query_params, "channel") or ""
    peer = str_param(request.query_params, "peer") or ""
    channel = rt.channels.get(channel_name)
    messages = rt.store.conversation((channel_name, peer)) if channel else []
    # A handset with a profile (a magic number) has a page before its first message.
    if channel is None or not (messages or rt.handsets.get(channel.address(peer))):
        return render(
            "missing.html",
            base(request, "missing", what=f"No conversation with {peer!r} on {channel_name!r}."),
            404,
        )
    # `offset` counts back from the newest message; a page shows oldest to newest like a chat.
    offset = int_param(request.query_params, "offset", 0, 10**9, strict=False)
    total = len(messages)
    end = max(0, total - offset)
    shown = messages[max(0, end - CONVERSATION_PAGE) : end]
    last = messages[-1] if messages else None
    app_address = "" if last is None else last.from_ if last.direction == "outbound" else last.to
    return render(
        "conversation.html",
        base(
            request,
            "conversation",
            channel=channel,
            peer=peer,
            app_address=app_address,
            messages=shown,
            nav=pages(total, CONVERSATION_PAGE, offset),
            person=card(rt, channel, peer),
        ),
    )


def _conversation_link(rt: Runtime, uuid: Any) -> dict[str, str] | None:
    m: Message | None = rt.store.get(uuid) if isinstance(uuid, str) else None
    if m is None:
        return None
    return {"channel": m.channel, "peer": m.peer}


async def message(request: Request) -> Response:
    rt = runtime(request)
    uuid = request.path_params["message_uuid"]
    m = rt.store.get(uuid)
    if m is None:
        return render("missing.html", base(request, "missing", what=f"No message {uuid}."), 404)
    try:
        detail = await get_json(request, f"/_sandbox/messages/{quote(uuid, safe='')}")
    except Unavailable:
        detail = message_json(m)
    webhooks = detail.get("webhooks") if isinstance(detail.get("webhooks"), list) else None
    return render(
        "message.html",
        base(
            request,
            "message",
            m=m,
            channel=rt.channels.get(m.channel),
            detail=detail,
            webhooks=webhooks,
        ),
    )


# The HTML part of an email, served on its own so that its own policy applies: no scripts, no
# remote loads (images, fonts, styles from elsewhere), no forms, no plugins; the `sandbox`
# directive gives it an opaque origin even if it is opened outside the frame.
EMAIL_CSP = (
    "default-src 'none'; style-src 'unsafe-inline'; img-src data:; font-src data:; "
    "form-action 'none'; base-uri 'none'; frame-ancestors 'self'; sandbox"
)


async def email_html(request: Request) -> Response:
    rt = runtime(request)
    m = rt.store.get(request.path_params["message_uuid"])
    channel = rt.channels.get(m.channel) if m is not None else None
    html = channel.mail(m).html if m is not None and channel and channel.mail else None
    if html is None:
        return Response("No HTML part.", status_code=404, media_type="text/plain")
    return Response(
        html,
        media_type="text/html; charset=utf-8",
        headers={
            "Content-Security-Policy": EMAIL_CSP,
            "X-Content-Type-Options": "nosniff",
            "Referrer-Policy": "no-referrer",
            "Cache-Control": "no-store",
        },
    )


async def time_page(request: Request) -> Response:
    rt = runtime(request)
    offset = int_param(request.query_params, "offset", 0, 10**9, strict=False)
    timers = rt.scheduler.pending(offset + TIMERS_PAGE)[offset:]
    full = clock_json(rt.clock, rt.scheduler, limit=0)
    return render(
        "time.html",
        base(
            request,
            "time",
            full=full,
            timers=timers,
            nav=pages(full["pending"], TIMERS_PAGE, offset),
        ),
    )


async def _listing(
    request: Request, path: str, key: str
) -> tuple[list[dict[str, Any]], str | None]:
    try:
        data = await get_json(request, path)
    except Unavailable as exc:
        return [], f"{path} answered {exc.status}: {exc.detail}"
    items = data.get(key) if isinstance(data, dict) else None
    return (items if isinstance(items, list) else []), None


async def failover(request: Request) -> Response:
    workflows, err1 = await _listing(request, "/_sandbox/workflows", "workflows")
    dispatches, err2 = await _listing(request, "/_sandbox/dispatches", "dispatches")
    rows = [*workflows, *dispatches]
    rows.sort(key=lambda w: str(w.get("created_at") or ""), reverse=True)
    offset = int_param(request.query_params, "offset", 0, 10**9, strict=False)
    return render(
        "failover.html",
        base(
            request,
            "failover",
            rows=rows[offset : offset + WORKFLOWS_PAGE],
            nav=pages(len(rows), WORKFLOWS_PAGE, offset),
            problems=[e for e in (err1, err2) if e],
        ),
    )


async def workflow(request: Request) -> Response:
    rt = runtime(request)
    kind = request.path_params["kind"]
    # The id as one path segment of the control API's URL, whatever it holds (`?`, `#`, a
    # control character): the control route reads it back decoded.
    wid = quote(request.path_params["id"], safe="")
    path = f"/_sandbox/dispatches/{wid}" if kind == "dispatch" else f"/_sandbox/workflows/{wid}"
    try:
        wf = await get_json(request, path)
    except Unavailable as exc:
        return render(
            "missing.html", base(request, "missing", what=f"{path}: {exc.detail}"), exc.status
        )
    steps = wf.get("steps") if isinstance(wf.get("steps"), list) else []
    links = {s.get("message_uuid"): _conversation_link(rt, s.get("message_uuid")) for s in steps}
    return render("workflow.html", base(request, "workflow", wf=wf, steps=steps, links=links))


WEBHOOK_FILTERS = ("message_uuid", "kind", "state", "application_id")


async def webhooks(request: Request) -> Response:
    rt = runtime(request)
    offset = int_param(request.query_params, "offset", 0, 10**9, strict=False)
    filters = {name: str_param(request.query_params, name) for name in WEBHOOK_FILTERS}
    problem = None
    try:
        data = await get_json(
            request,
            "/_sandbox/webhooks",
            {**filters, "limit": WEBHOOKS_PAGE, "offset": offset},
        )
    except Unavailable as exc:
        data, problem = {}, f"/_sandbox/webhooks answered {exc.status}: {exc.detail}"
    rows = data.get("webhooks") if isinstance(data.get("webhooks"), list) else []
    total = data.get("total") if isinstance(data.get("total"), int) else len(rows)
    links = {r.get("message_uuid"): _conversation_link(rt, r.get("message_uuid")) for r in rows}
    return render(
        "webhooks.html",
        base(
            request,
            "webhooks",
            rows=rows,
            links=links,
            filters=filters,
            nav=pages(total, WEBHOOKS_PAGE, offset),
            problem=problem,
        ),
    )


async def webhook(request: Request) -> Response:
    """One delivery, open: where a retry timer on /time leads, whatever page it would be on."""
    delivery_id = request.path_params["delivery_id"]
    try:
        row = await get_json(request, f"/_sandbox/webhooks/{quote(delivery_id, safe='')}")
    except Unavailable as exc:
        what = f"No webhook {delivery_id}." if exc.status == 404 else exc.detail
        return render("missing.html", base(request, "missing", what=what), exc.status)
    rt = runtime(request)
    return render(
        "webhooks.html",
        base(
            request,
            "webhooks",
            rows=[row],
            links={row.get("message_uuid"): _conversation_link(rt, row.get("message_uuid"))},
            filters={},
            nav=pages(1, WEBHOOKS_PAGE, 0),
            problem=None,
            open_id=row.get("id"),
        ),
    )


UUID = re.compile(r"[0-9a-fA-F]{8}-(?:[0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}")
PHONE = re.compile(r"\+?[0-9][0-9 ().-]*")


def _search_row(m: dict[str, Any], why: str) -> dict[str, Any]:
    inbound = m.get("direction") == "inbound"
    text = m.get("text")
    return {
        "uuid": str(m.get("message_uuid") or ""),
        "channel": str(m.get("channel") or ""),
        "from": str(m.get("from") or ""),
        "to": str(m.get("to") or ""),
        "peer": str((m.get("from") if inbound else m.get("to")) or ""),
        "direction": str(m.get("direction") or ""),
        "status": str(m.get("status") or ""),
        "type": str(m.get("message_type") or ""),
        "text": text if isinstance(text, str) else None,
        "timestamp": str(m.get("timestamp") or ""),
        "why": why,
    }


def _when(row: dict[str, Any]) -> float:
    """A row's virtual time as a number (ISO strings with and without fractions of a second
    do not sort as text)."""
    try:
        return datetime.fromisoformat(row["timestamp"].replace("Z", "+00:00")).timestamp()
    except ValueError:
        return 0.0


async def _matches(request: Request, why: str, **flt: str) -> tuple[list[dict[str, Any]], int]:
    data = await get_json(request, "/_sandbox/messages", {**flt, "limit": SEARCH_PAGE})
    found = data.get("messages") if isinstance(data, dict) else None
    total = data.get("total") if isinstance(data, dict) else None
    rows = [_search_row(m, why) for m in found or [] if isinstance(m, dict)]
    return rows, total if isinstance(total, int) else len(rows)


async def search(request: Request) -> Response:
    """One box for a message's uuid (straight to it), an address (the messages to or from it)
    or words of its text, all asked of `GET /_sandbox/messages`."""
    q = (str_param(request.query_params, "q") or "")[:SEARCH_MAX]
    if UUID.fullmatch(q):
        for uuid in dict.fromkeys((q, q.lower())):
            try:
                await get_json(request, f"/_sandbox/messages/{quote(uuid, safe='')}")
            except Unavailable:
                continue
            return RedirectResponse(f"/messages/{quote(uuid, safe='')}", status_code=303)
    rows: dict[str, dict[str, Any]] = {}
    more = False
    problem = None
    if q:
        # An address is matched whole at either end (the user's, or the app's own number);
        # a phone number also without its `+`, spaces and dashes. Text is a substring.
        addresses = [q]
        if PHONE.fullmatch(q):
            digits = re.sub(r"[^0-9]", "", q)
            if digits != q:
                addresses.append(digits)
        why = "number" if len(addresses) > 1 or q.isdigit() else "address"
        queries: list[tuple[str, dict[str, str]]] = []
        if " " not in q or len(addresses) > 1:
            for a in addresses:
                queries += [(why, {"peer": a}), (why, {"to": a}), (why, {"from": a})]
        queries.append(("text", {"q": q}))
        try:
            for why, flt in queries:
                found, total = await _matches(request, why, **flt)
                more = more or total > len(found)
                for row in found:
                    rows.setdefault(row["uuid"], row)
        except Unavailable as exc:
            problem = f"/_sandbox/messages answered {exc.status}: {exc.detail}"
    results = sorted(rows.values(), key=_when, reverse=True)  # stable: ties keep their order
    more = more or len(results) > SEARCH_PAGE
    return render(
        "search.html",
        base(
            request,
            "search",
            q=q,
            results=results[:SEARCH_PAGE],
            more=more,
            problem=problem,
            looks_like_uuid=bool(UUID.fullmatch(q)),
        ),
    )


async def replay(request: Request) -> Response:
    # The recording is read by static/replay.js in the browser; the server only serves the page.
    return render("replay.html", base(request, "replay"))


routes = [
    Route("/", overview, methods=["GET"]),
    Route("/conversation", conversation, methods=["GET"]),
    Route("/messages/{message_uuid}", message, methods=["GET"]),
    Route("/messages/{message_uuid}/email.html", email_html, methods=["GET"]),
    Route("/time", time_page, methods=["GET"]),
    Route("/failover", failover, methods=["GET"]),
    Route("/failover/{kind}/{id}", workflow, methods=["GET"]),
    Route("/webhooks", webhooks, methods=["GET"]),
    Route("/webhooks/{delivery_id}", webhook, methods=["GET"]),
    Route("/replay", replay, methods=["GET"]),
    Route("/search", search, methods=["GET"]),
]
