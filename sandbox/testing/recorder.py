"""The flight recorder: what the sandbox saw during one test, as a recording (one JSON document:
messages with their histories, webhooks with every attempt and answer, the clock's moves, the
problems found) and as a timeline a person reads in a pytest report.

The plugin attaches the timeline to a failing test's report and, with
``--nexmo-sandbox-record DIR``, writes the recording to ``DIR/<test id>.json``; the browser inbox
opens such a file at ``/replay`` and steps through it.
"""

from __future__ import annotations

import hashlib
import json
import re
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from sandbox.testing.fixture import SandboxHandle

FORMAT = "nexmo-sandbox-recording"
VERSION = 1
LIMIT = 1000  # messages and webhooks kept per recording (a test's, not a soak's)
TEXT_SHOWN = 60
RENDERED = 200  # timeline lines in a report


def recording(
    handle: SandboxHandle,
    *,
    test: str = "",
    outcome: str = "",
    failure: str = "",
) -> dict[str, Any]:
    """The recording of what ``handle``'s test did so far."""
    filters = handle._filters({})
    client = handle.client
    messages = [m.raw for m in client.messages(limit=LIMIT, **filters)]  # with their histories
    webhooks = [d.raw for d in client.webhooks(limit=LIMIT, **filters)]
    messages.reverse()  # oldest first, as the timeline reads
    webhooks.reverse()
    clock = client.clock()
    doc: dict[str, Any] = {
        "format": FORMAT,
        "version": VERSION,
        "test": test,
        "outcome": outcome,
        "recorded_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "sandbox": handle.url,
        "application_id": handle.application_id,
        "clock": {"now": clock.now, "mode": clock.mode, "pending": list(clock.timers)},
        "clock_moves": list(handle.clock_moves),
        "failure": failure[-4000:],
        "messages": messages,
        "webhooks": webhooks,
    }
    doc["timeline"] = timeline(doc)
    return doc


def timeline(doc: dict[str, Any]) -> list[dict[str, Any]]:
    """Every event of a recording, oldest first: ``{"at", "kind", "ref", "summary"}``. Events of
    one instant keep the order they happened in: a clock move, then what fired at its end; a
    message, then its webhook; each status change, then the webhook that reported it."""
    items: list[dict[str, Any]] = []
    for move in doc.get("clock_moves") or ():
        summary = f"clock moved {move.get('seconds', 0):g} s to {move.get('to')}"
        fired = int(move.get("fired") or 0)
        items.append(_item(move.get("to"), "clock", None, summary + f", {fired} timer(s) fired"))
    by_message: dict[str, list[dict[str, Any]]] = {}
    loose: list[dict[str, Any]] = []
    for d in doc.get("webhooks") or ():
        uuid = d.get("message_uuid")
        (by_message.setdefault(uuid, []) if isinstance(uuid, str) else loose).append(d)
    for m in doc.get("messages") or ():
        uuid = m.get("message_uuid")
        hooks = by_message.pop(uuid, []) if isinstance(uuid, str) else []
        kind = "received" if m.get("direction") == "inbound" else "sent"
        what = m.get("text") or m.get("message_type") or ""
        summary = f"{m.get('channel')} {m.get('from')} -> {m.get('to')}: {_short(what)}"
        items.append(_item(m.get("timestamp"), kind, uuid, summary))
        history = list(m.get("history") or ())
        first = history[0].get("status") if history else None
        items.extend(_webhook_items([h for h in hooks if h.get("event") in (first, "inbound")]))
        for change in history[1:]:
            text = f"{change.get('status')} (by {change.get('by') or '?'})"
            if change.get("error_code") or change.get("code"):
                text += f" error {change.get('error_code') or change.get('code')}"
            items.append(_item(change.get("timestamp"), "status", uuid, text))
            items.extend(
                _webhook_items([h for h in hooks if h.get("event") == change.get("status")])
            )
        told = {h.get("status") for h in history} | {"inbound"}
        items.extend(_webhook_items([h for h in hooks if h.get("event") not in told]))
    for rest in by_message.values():
        loose.extend(rest)
    items.extend(_webhook_items(loose))
    items.sort(key=lambda i: i["at"] or "")  # stable: an instant keeps the order built above
    return items


def _webhook_items(deliveries: list[dict[str, Any]]) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    for d in deliveries:
        head = f"{d.get('kind')}/{d.get('event')} webhook"
        attempts = d.get("attempts") or ()
        if not attempts:
            why = (
                "no URL set" if d.get("state") == "no_url" else f"not attempted ({d.get('state')})"
            )
            items.append(_item(d.get("created_at"), "webhook", d.get("id"), f"{head}: {why}"))
        for a in attempts:
            answer = f"HTTP {a.get('status_code')}" if a.get("error") is None else a.get("error")
            body = a.get("response_body") or ""
            text = f"{head} -> {a.get('url')}: {answer}" + (f" {_short(body)}" if body else "")
            items.append(_item(a.get("at"), "webhook", d.get("id"), text))
    return items


def render(doc: dict[str, Any], *, last: int = RENDERED) -> str:
    """The timeline as text for the pytest report (its ``last`` entries; the file has all)."""
    entries = doc["timeline"]
    lines = [
        f"{i['at'] or '?':<24}  {i['kind']:<8}  {i['summary']}"
        + (f"  [{i['ref']}]" if i["ref"] else "")
        for i in entries[-last:]
    ]
    if len(entries) > last:
        lines.insert(0, f"({len(entries) - last} earlier entries: see the recording)")
    if not lines:
        lines = ["(nothing happened in the sandbox during this test)"]
    pending = doc["clock"]["pending"]
    tail = f"virtual clock at {doc['clock']['now']}, {len(pending)} timer(s) pending"
    for t in pending[:10]:
        tail += f"\n  due {t.get('due')}: {t.get('description')}"
    return "\n".join([*lines, tail])


def write(doc: dict[str, Any], directory: str | Path) -> Path:
    """Write the recording to ``directory/<test id>.json`` and return the path."""
    folder = Path(directory)
    folder.mkdir(parents=True, exist_ok=True)
    test = (doc.get("test") or "recording").replace("::", "_")
    name = re.sub(r"[^A-Za-z0-9_.-]+", "_", test).strip("_")[:150] or "recording"
    if name != test:  # `t[a/b]` and `t[a b]` read alike once cleaned: tell them apart
        name += "-" + hashlib.sha256(test.encode()).hexdigest()[:8]
    path = folder / f"{name}.json"
    path.write_text(json.dumps(doc, indent=1, ensure_ascii=False), encoding="utf-8")
    return path


def _item(at: Any, kind: str, ref: Any, summary: str) -> dict[str, Any]:
    return {"at": at if isinstance(at, str) else None, "kind": kind, "ref": ref, "summary": summary}


def _short(text: str) -> str:
    text = " ".join(str(text).split())
    return repr(text if len(text) <= TEXT_SHOWN else text[: TEXT_SHOWN - 1] + "…")
