"""Every webhook body a real sandbox sends, checked against Vonage's published structure
(tests/conformance/webhook_schemas*.py).

One live sandbox (module scope) is driven through everything that makes a webhook: each
channel's statuses in both webhook versions, each inbound message type a user can send, a
Dispatch workflow and a v1 failover. Webhooks go nowhere (`no_url`): the ledger still renders
each body as it would be sent. Each body is judged by the schema of what the test caused
(kind, version, channel, status or type), and each test also fails when a combination it
expects was never emitted, so it cannot pass by emitting nothing.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import jsonschema_rs
import pytest

from tests.conformance.webhook_schemas import (
    V01_CHANNELS,
    V1_CHANNELS,
    inbound_types,
    schema_for,
    statuses,
)
from tests.harness import Live, live_sandbox
from tests.helpers import BASIC, bearer

Key = tuple[str, str, str, str]  # (kind, version, channel, status or message type)
V1_APP, V01_APP = "app-v1", "app-v01"

# (user's address, app's address) per channel; outbound goes app -> user.
PARTIES = {
    "sms": ("447700900000", "447700900001"),
    "mms": ("14155550100", "14155550101"),
    "rcs": ("447700900000", "SandboxAgent"),
    "whatsapp": ("447700900000", "447700900001"),
    "messenger": ("1234567890", "0987654321"),
    "viber_service": ("447700900000", "16273"),
    "email": ("user@example.com", "shop@example.com"),
}
URL = "https://example.com/media/"
OUTBOUND_EXTRA: dict[str, dict[str, Any]] = {
    "sms": {"client_ref": "conformance", "text": "A long text. " * 20},  # two parts
    "email": {"email": {"subject": "Your order"}},
}

# What a user sends per channel and message type; a list holds candidates tried in order
# (the first the control API accepts is used), for fields the sandbox may not yet take as
# Vonage sends them.
MEDIA = {k: {k: {"url": f"{URL}{k}"}} for k in ("image", "audio", "video", "file", "vcard")}
REFERRAL = {k: f"ad {k}" for k in ("body", "headline", "source_id", "source_type")}
REFERRAL["source_url"] = "https://example.com/ad"
LOCATION = {"location": {"lat": 51.5072, "long": -0.1276}}
INBOUND: dict[str, dict[str, list[dict[str, Any]]]] = {
    "sms": {"text": [{"text": "stop sending these"}]},
    "mms": {
        "text": [{"text": "hi"}],
        **{k: [MEDIA[k]] for k in ("image", "vcard", "audio", "video", "file")},
        "content": [
            {
                "message_type": "image",
                **MEDIA["image"],
                "content": [
                    {"type": "image", "url": f"{URL}a"},
                    {"type": "video", "url": f"{URL}b"},
                ],
            }
        ],
    },
    "rcs": {
        "text": [{"text": "hi"}],
        **{k: [MEDIA[k]] for k in ("image", "video", "audio", "file", "vcard")},
        "location": [LOCATION],
        "reply": [{"reply": {"id": "yes", "title": "Yes"}}],
        "button": [{"button": {"payload": "site", "text": "Our site"}}],
    },
    "whatsapp": {
        "text": [{"text": "hi", "profile": {"name": "Ann", "username": "ann.b"}}],
        # Click-to-WhatsApp: the ad the user came from rides along.
        "image": [{**MEDIA["image"], "whatsapp": {"referral": REFERRAL}}],
        **{k: [MEDIA[k]] for k in ("audio", "video", "file")},
        "location": [{"location": {**LOCATION["location"], "name": "Office", "address": "1 St"}}],
        "contacts": [
            {"contacts": [{"name": {"formatted_name": "Bo"}, "phones": [{"phone": "1"}]}]}
        ],
        "reply": [{"reply": {"id": "r1", "title": "Tuesday", "description": "10:00"}}],
        "button": [
            {"button": {"payload": {"flow_token": "t-1"}, "text": "Sent", "subtype": "flow"}}
        ],
        "order": [{"order": {"catalog_id": "c-1", "product_items": [{"quantity": "2"}]}}],
        "sticker": [{"sticker": {"url": f"{URL}sticker"}}],
        "reaction": [{"reaction": {"action": "react", "emoji": "+1"}}],
        "unsupported": [{"provider_message": "unsupported message type"}, {"provider_message": {}}],
    },
    "messenger": {
        "text": [{"text": "hi"}],
        **{k: [MEDIA[k]] for k in ("image", "audio", "video", "file")},
        "unsupported": [{}],
    },
    "viber_service": {
        "text": [{"text": "hi"}],
        **{k: [MEDIA[k]] for k in ("image", "video", "file")},
    },
    "email": {
        "text": [{"text": "hi", "email": {"subject": "Re: order"}}],
        "html": [{"html": {"body": "<p>hi</p>"}, "email": {"subject": "Re: order"}}],
    },
}


@dataclass
class Run:
    """What the scenario caused: the key each message's webhooks are judged by, and what the
    sandbox refused to do (a combination it cannot emit)."""

    sb: Live
    status_of: dict[str, tuple[str, str, str]] = field(default_factory=dict)  # kind, ver, ch
    inbound_of: dict[str, Key] = field(default_factory=dict)
    report_of: dict[str, str] = field(default_factory=dict)  # dispatch_uuid -> outcome
    refused: dict[Key, str] = field(default_factory=dict)
    bodies: list[tuple[Key, Any]] = field(default_factory=list)
    context: str = ""  # an outbound WhatsApp message the user's replies refer to
    workflow_id: str = ""

    def send(self, channel: str, version: str, app: str, per_message: bool, **extra: Any) -> str:
        """A v1 send whose statuses are judged as ``version``; its message uuid (the
        workflow id of a failover send is kept in ``workflow_id``)."""
        user, own = PARTIES[channel]
        body = {"channel": channel, "message_type": "text", "to": user, "from": own, "text": "Hi"}
        body.update(OUTBOUND_EXTRA.get(channel, {}), **extra)
        if per_message:
            body["webhook_version"] = version
        r = self.sb.send({k: v for k, v in body.items() if v is not None}, auth=bearer(app))
        assert r.status_code == 202, r.text
        uuid = str(r.json()["message_uuid"])
        self.workflow_id = r.json().get("workflow_id", "")
        self.status_of[uuid] = ("status", version, channel)
        return uuid

    def inbound(self, version: str, app: str, channel: str, kind: str) -> None:
        user, own = PARTIES[channel]
        reasons = []
        for extra in INBOUND[channel][kind]:
            body: dict[str, Any] = {"channel": channel, "from": user, "to": own}
            body["application_id"] = app
            body.update({"message_type": kind, **extra} if kind != "text" else extra)
            if channel == "whatsapp" and kind in ("text", "reaction"):  # replies in context
                body["context"] = {"message_uuid": self.context}
            r = self.sb.http.post("/_sandbox/inbound", json=body)
            if r.status_code == 201:
                self.inbound_of[r.json()["message_uuid"]] = ("inbound", version, channel, kind)
                return
            reasons.append(json.dumps(r.json().get("invalid_parameters") or r.json()["detail"]))
        self.refused[("inbound", version, channel, kind)] = "; ".join(reasons)


def dispatch(run: Run, app: str, steps: list[str], condition: str) -> str:
    """A Dispatch failover workflow over ``steps`` (channels); its dispatch uuid."""
    workflow = []
    for i, channel in enumerate(steps):
        user, own = PARTIES[channel]
        name = "viber_service_msg" if channel == "viber_service" else channel
        item: dict[str, Any] = {
            "from": {"type": name, "number" if channel in ("sms", "whatsapp") else "id": own},
            "to": {"type": name, "id" if channel == "messenger" else "number": user},
            "message": {"content": {"type": "text", "text": f"step {i}"}},
        }
        if i < len(steps) - 1:
            item["failover"] = {"expiry_time": 60, "condition_status": condition}
        workflow.append(item)
    r = run.sb.http.post(
        "/v0.1/dispatch",
        json={"template": "failover", "workflow": workflow},
        headers={"Authorization": bearer(app)},
    )
    assert r.status_code == 202, r.text
    return str(r.json()["dispatch_uuid"])


def step_uuid(run: Run, dispatch_uuid: str, index: int, channel: str) -> str:
    state = run.sb.control("GET", f"/dispatches/{dispatch_uuid}")
    uuid = str(state["steps"][index]["message_uuid"])
    run.status_of[uuid] = ("dispatch-status", "v0.1", channel)
    return uuid


def drive(run: Run) -> None:
    sb = run.sb
    sb.control("PUT", f"/applications/{V1_APP}", {"webhook_version": "v1"})
    sb.control("PUT", f"/applications/{V01_APP}", {"webhook_version": "v0.1"})
    # Statuses: each channel to its best status, rejected (default code) and undeliverable
    # (a named code); the app's version, or the message's own `webhook_version` over it.
    for version, own, other in (("v1", V1_APP, V01_APP), ("v0.1", V01_APP, V1_APP)):
        for channel in V1_CHANNELS if version == "v1" else V01_CHANNELS:
            best = "read" if "read" in statuses(channel) else "delivered"
            sb.mark(run.send(channel, version, own, False), best)
            sb.mark(run.send(channel, version, other, True), "rejected")
            sb.mark(run.send(channel, version, own, True), "undeliverable", error_code=1300)
    # A WhatsApp template is priced (`whatsapp.pricing` of a utility message); a user named
    # by a business-scoped id is a recipient of the 2026 kind.
    template = {
        "message_type": "template",
        "template": {"name": "order_update", "parameters": ["1"]},
        "whatsapp": {"locale": "en_GB", "policy": "deterministic"},
        "text": None,
    }
    sb.mark(run.send("whatsapp", "v1", V1_APP, False, **template), "delivered")
    sb.mark(run.send("whatsapp", "v1", V1_APP, False, to="US.13491208655302741918"), "delivered")
    v01 = {
        "from": {"type": "sms", "number": PARTIES["sms"][1]},
        "to": {"type": "sms", "number": PARTIES["sms"][0]},
        "message": {"content": {"type": "text", "text": "2018"}},
        "client_ref": "old",
    }
    r = sb.send(v01, auth=BASIC, path="/v0.1/messages")
    assert r.status_code == 202, r.text
    run.status_of[r.json()["message_uuid"]] = ("status", "v0.1", "sms")
    sb.mark(r.json()["message_uuid"], "delivered")

    # Inbound: every type of every channel, to a v1 and (channels it knows) a v0.1 app.
    run.context = run.send("whatsapp", "v1", V1_APP, False)
    for channel, kinds in INBOUND.items():
        for kind in kinds:
            run.inbound("v1", V1_APP, channel, kind)
            if channel in V01_CHANNELS and kind != "content":
                run.inbound("v0.1", V01_APP, channel, kind)
    chips = [
        {"type": "reply", "text": "Yes", "postback_data": "yes"},
        {"type": "open_url", "text": "Site", "postback_data": "site", "url": "https://example.com"},
    ]
    rcs = run.send("rcs", "v1", V1_APP, False, suggestions=chips)
    for index, kind in ((0, "reply"), (1, "button")):
        tapped = sb.control("POST", f"/messages/{rcs}/tap", {"suggestion": index})
        run.inbound_of[tapped["message_uuid"]] = ("inbound", "v1", "rcs", kind)

    # v1 failover: RCS rejected, then the SMS item is sent and delivered.
    user, own = PARTIES["sms"]
    sms = {"channel": "sms", "message_type": "text", "to": user, "from": own, "text": "Hi"}
    primary = run.send("rcs", "v1", V1_APP, False, failover=[sms])
    run.status_of[primary] = ("failover-status", "v1", "rcs")
    sb.mark(primary, "rejected")
    workflow = sb.control("GET", f"/workflows/{run.workflow_id}")
    second = str(workflow["steps"][1]["message_uuid"])
    run.status_of[second] = ("failover-status", "v1", "sms")
    sb.mark(second, "delivered")

    # Dispatch: one workflow completes after failing over, one ends in error, one is read. The
    # first is sent by an app whose webhooks are v1: Dispatch reports in v0.1 all the same.
    a = dispatch(run, V1_APP, ["whatsapp", "sms"], "read")
    sb.mark(step_uuid(run, a, 0, "whatsapp"), "delivered")
    sb.advance(60)  # the condition was not met in time
    sb.mark(step_uuid(run, a, 1, "sms"), "delivered")
    run.report_of[a] = "completed"
    b = dispatch(run, "dispatch-app", ["viber_service", "sms"], "delivered")
    sb.mark(step_uuid(run, b, 0, "viber_service"), "rejected")
    sb.mark(step_uuid(run, b, 1, "sms"), "rejected")
    run.report_of[b] = "error"
    c = dispatch(run, "dispatch-app", ["messenger", "sms"], "read")
    sb.mark(step_uuid(run, c, 0, "messenger"), "read")
    run.report_of[c] = "completed"
    sb.control("POST", "/settle")


def collect(run: Run) -> None:
    """Every ledger entry, with the key of what caused it."""
    offset = 0
    while True:
        page = run.sb.http.get("/_sandbox/webhooks", params={"limit": 1000, "offset": offset})
        rows = page.json()["webhooks"]
        for row in rows:
            if row["kind"] == "report":
                key: Key = ("report", "v0.1", "dispatch", run.report_of[row["dispatch_uuid"]])
            elif row["kind"] == "inbound":
                key = run.inbound_of[row["message_uuid"]]
            else:
                kind, version, channel = run.status_of[row["message_uuid"]]
                key = (kind, version, channel, row["event"])
            run.bodies.append((key, row["payload"]))
        offset += len(rows)
        if not rows or offset >= page.json()["total"]:
            return


@pytest.fixture(scope="module")
def run() -> Iterator[Run]:
    with live_sandbox() as sb:
        out = Run(sb)
        drive(out)
        collect(out)
        yield out


def abridged(body: Any, most: int = 400) -> str:
    text = json.dumps(body, ensure_ascii=False, separators=(",", ":"))
    return text if len(text) <= most else text[: most - 3] + "..."


def verdict(run: Run, kinds: tuple[str, ...], version: str, expected: set[Key]) -> list[str]:
    """Every problem of the bodies of ``kinds`` in ``version``: each error of each invalid
    body, and each expected combination never emitted (with the sandbox's refusal, if any)."""
    problems: list[str] = []
    seen: set[Key] = set()
    for key, body in run.bodies:
        if key[0] not in kinds or key[1] != version:
            continue
        seen.add(key)
        name = "/".join(key)
        try:
            schema = schema_for(*key)  # type: ignore[arg-type]
        except KeyError:
            problems.append(f"{name}: no published schema for such a body\n    {abridged(body)}")
            continue
        validator = jsonschema_rs.validator_for(schema, validate_formats=True)
        for error in validator.iter_errors(body):
            where = "/".join(str(p) for p in error.instance_path) or "(body)"
            problems.append(f"{name}: at {where}: {error.message}\n    {abridged(body)}")
    for key in sorted(expected - seen):
        why = run.refused.get(key, "no webhook was recorded")
        problems.append(f"{'/'.join(key)}: never emitted: {why}")
    return problems


def check(problems: list[str], what: str) -> None:
    if problems:
        pytest.fail(f"{len(problems)} problem(s) with {what}:\n" + "\n".join(problems), False)


def test_every_schema_compiles_and_rejects_an_empty_body() -> None:
    """A schema that took anything would make every check below pass."""
    keys: list[Key] = [("status", v, c, "delivered") for v in ("v1", "v0.1") for c in V01_CHANNELS]
    keys += [("status", "v1", c, "read") for c in V1_CHANNELS]
    keys += [("inbound", "v1", c, t) for c in V1_CHANNELS for t in inbound_types(c)]
    keys += [("inbound", "v0.1", c, t) for c in V01_CHANNELS for t in inbound_types(c)]
    keys += [("dispatch-status", "v0.1", c, "read") for c in V01_CHANNELS]
    keys += [("report", "v0.1", "dispatch", "completed"), ("failover-status", "v1", "sms", "read")]
    schemas = {k: schema_for(*k) for k in keys}  # type: ignore[arg-type]
    lax = [k for k, schema in schemas.items() if jsonschema_rs.validator_for(schema).is_valid({})]
    assert not lax


def test_v1_status_bodies(run: Run) -> None:
    expected = {("status", "v1", c, s) for c in V1_CHANNELS for s in statuses(c)}
    check(verdict(run, ("status",), "v1", expected), "v1 message-status bodies")


def test_v1_inbound_bodies(run: Run) -> None:
    expected = {("inbound", "v1", c, t) for c in V1_CHANNELS for t in inbound_types(c)}
    check(verdict(run, ("inbound",), "v1", expected), "v1 inbound-message bodies")


def test_v01_bodies(run: Run) -> None:
    # Every inbound type a user can send arrives at a v0.1 app: as itself when the 2018 API
    # had it, else as `unsupported` (schema_for picks which).
    expected = {("status", "v0.1", c, s) for c in V01_CHANNELS for s in statuses(c)} | {
        ("inbound", "v0.1", c, t) for c in V01_CHANNELS for t in inbound_types(c) if t != "content"
    }
    check(verdict(run, ("status", "inbound"), "v0.1", expected), "v0.1 bodies")


def test_dispatch_and_failover_bodies(run: Run) -> None:
    dispatch_statuses = {
        "whatsapp": ("submitted", "delivered"),
        "viber_service": ("submitted", "rejected"),
        "messenger": ("submitted", "delivered", "read"),
        "sms": ("submitted", "delivered", "rejected"),
    }
    expected: set[Key] = {
        ("dispatch-status", "v0.1", c, s) for c, each in dispatch_statuses.items() for s in each
    } | {("report", "v0.1", "dispatch", "completed"), ("report", "v0.1", "dispatch", "error")}
    failover: set[Key] = {
        ("failover-status", "v1", c, s)
        for c, s in (("rcs", "submitted"), ("rcs", "rejected"), ("sms", "submitted"))
    } | {("failover-status", "v1", "sms", "delivered")}
    problems = verdict(run, ("dispatch-status", "report"), "v0.1", expected)
    problems += verdict(run, ("failover-status",), "v1", failover)
    check(problems, "Dispatch and failover bodies")
