"""The webhook contract test: a battery of webhooks, good and bad, sent to an app's endpoint,
each judged by what the endpoint answered and explained in words.

A webhook handler that answers 200 to everything passes every functional test, and the first
forged request in production finds out. The cases here are what a verifier must tell apart
(Vonage's "decoding signed webhooks" guide: HS256 with the signature secret, `payload_hash`
over the raw body, a recent `iat`, a `jti` not seen before):

    genuine                 correctly signed                           must be accepted
    duplicate               the same body, freshly signed (new jti)    must be accepted
    wrong_signature         signed with another secret                 must be refused
    missing_authorization   no Authorization header                    must be refused
    payload_hash_mismatch   the token of the body, a changed body      must be refused
    expired_iat             correctly signed 24 hours ago              must be refused
    replayed_jti            the genuine request again, token and all   must be refused
    alg_none                an unsigned token (`alg: none`)            must be refused

Judging: 2xx is accepted; anything else refused. A bad case refused with a 5xx, a timeout or a
dropped connection still counts as refused, but the verdict warns: Vonage retries those for a
day, where a 401 ends it. An endpoint that did not answer the genuine case at all gets no other
case (a hung one would hold the caller for minutes): every case fails, saying so.

The bodies are the sandbox's own renderings (wire/) of a made-up message, so they are exactly
what the app gets from real sends. Nothing here goes into the webhook ledger.
"""

from __future__ import annotations

import dataclasses
import uuid
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from typing import Any, Literal, get_args

import httpx

from sandbox.core.channel import Registry
from sandbox.core.events import EventBus, Reset
from sandbox.core.jsontext import compact_json
from sandbox.core.models import Message, StatusChange
from sandbox.webhooks.engine import failure
from sandbox.webhooks.lanes import HttpLanes
from sandbox.webhooks.routing import Route, Routing
from sandbox.webhooks.signing import generate_secret, sign
from sandbox.wire.inbound import inbound_payload
from sandbox.wire.status import status_payload

CaseName = Literal[
    "genuine",
    "duplicate",
    "wrong_signature",
    "missing_authorization",
    "payload_hash_mismatch",
    "expired_iat",
    "replayed_jti",
    "alg_none",
]
Kind = Literal["status", "inbound"]
KINDS: tuple[Kind, ...] = ("status", "inbound")
# In the order sent (CaseName's): `replayed_jti` must come after `genuine`, whose request it
# repeats.
CASES: tuple[CaseName, ...] = get_args(CaseName)
GOOD: frozenset[CaseName] = frozenset({"genuine", "duplicate"})
EXPIRED_BY = 24 * 3600.0  # far past any sane iat window, so no verifier can call it recent

# What each bad case is, and what accepting it shows the endpoint does not check.
_BAD: dict[CaseName, tuple[str, str]] = {
    "wrong_signature": (
        "a forged webhook, signed with another secret",
        "it does not check the signature",
    ),
    "missing_authorization": (
        "a webhook with no Authorization header",
        "it does not require a signed token",
    ),
    "payload_hash_mismatch": (
        "a webhook whose body was changed after it was signed",
        "it does not compare the token's payload_hash with the SHA-256 of the raw body",
    ),
    "expired_iat": (
        "a webhook whose token was issued 24 hours ago",
        "it does not check iat (refuse tokens older than a few minutes)",
    ),
    "replayed_jti": (
        "the genuine webhook replayed with its very token",
        "it does not remember the jti of the tokens it has seen (if it deduplicates some "
        "other way on purpose, allow this case)",
    ),
    "alg_none": (
        "an unsigned token (alg: none)",
        "it does not insist on HS256",
    ),
}
_GOOD: dict[CaseName, str] = {
    "genuine": "a genuine webhook",
    "duplicate": "a duplicate, the same body again with a new token",
}


@dataclass(frozen=True, slots=True)
class Probe:
    """One request of the battery, ready to send."""

    case: CaseName
    headers: dict[str, str]
    body: bytes


@dataclass(frozen=True, slots=True)
class Outcome:
    """What the endpoint did with a probe: its status code, or why there was none."""

    status_code: int | None = None
    error: str | None = None


Post = Callable[[str, bytes, dict[str, str]], Awaitable[Outcome]]


# -- the bodies -------------------------------------------------------------------------------
def sample_message(kind: Kind, application_id: str | None, api_key: str, now: float) -> Message:
    """A made-up message for the bodies: an SMS the app sent (status) or received (inbound).
    Its uuid is fresh each run, so a deduplicating app does not remember it from the last."""
    app_number, user = "447700900001", "447700900000"
    outbound = kind == "status"
    return Message(
        uuid=str(uuid.uuid4()),
        direction="outbound" if outbound else "inbound",
        channel="sms",
        to=user if outbound else app_number,
        from_=app_number if outbound else user,
        message_type="text",
        body="Your order has shipped" if outbound else "Where is my order?",
        changes=(StatusChange("submitted", now), StatusChange("delivered", now)),
        application_id=application_id,
        api_key=api_key,
    )


def route_for(routing: Routing, kind: Kind, message: Message) -> Route:
    """Where real webhooks of ``kind`` go for the message's application, and in what version:
    the same rules as the sandbox's own (routing.py), so the test goes where webhooks go."""
    return routing.status(message) if kind == "status" else routing.inbound(message)


def bodies(
    kind: Kind, message: Message, version: str, channels: Registry, self_base: str
) -> tuple[bytes, bytes]:
    """The genuine body and the one a forger changed: a status flipped to `rejected`, or an
    inbound text turned into STOP (both worth forging: refunds, unsubscribes)."""
    channel = channels.get(message.channel) or channels[channels.names()[0]]
    if kind == "status":
        change = message.history[-1]
        good = status_payload(message, change, channel, version)
        bad = status_payload(message, StatusChange("rejected", change.at), channel, version)
    else:
        good = inbound_payload(message, channel, version, self_base)
        forged = dataclasses.replace(message, message_type="text", body="STOP")
        bad = inbound_payload(forged, channel, version, self_base)
    return _encode(good), _encode(bad)


def _encode(payload: dict[str, Any]) -> bytes:
    # As the ledger encodes real webhooks: compact, UTF-8.
    return compact_json(payload).encode()


# -- the probes -------------------------------------------------------------------------------
def probes(
    body: bytes,
    altered: bytes,
    *,
    secret: str,
    api_key: str,
    application_id: str | None,
    wall: float,
) -> list[Probe]:
    """The battery, in the order it is sent. ``wall`` is real time (verifiers check iat
    against their own clock, as for real webhooks: signing.py)."""
    import jwt  # loaded on first use, as signing.py does

    def token(payload: bytes, *, key: str = secret, at: float = wall) -> str:
        return sign(payload, key, now=at, api_key=api_key, application_id=application_id)

    def headers(bearer: str | None) -> dict[str, str]:
        out = {"Content-Type": "application/json"}
        if bearer is not None:
            out["Authorization"] = f"Bearer {bearer}"
        return out

    genuine = headers(token(body))
    # The right claims with no signature at all: taken from a real token, so only `alg` differs.
    claims = jwt.decode(token(body), options={"verify_signature": False})
    unsigned = jwt.encode(claims, "", algorithm="none")  # "": no key, as alg none takes
    return [
        Probe("genuine", genuine, body),
        Probe("duplicate", headers(token(body)), body),  # sign() draws a new jti each time
        Probe("wrong_signature", headers(token(body, key=generate_secret())), body),
        Probe("missing_authorization", headers(None), body),
        Probe("payload_hash_mismatch", headers(token(body)), altered),
        Probe("expired_iat", headers(token(body, at=wall - EXPIRED_BY)), body),
        Probe("replayed_jti", dict(genuine), body),
        Probe("alg_none", headers(unsigned), body),
    ]


# -- judging ----------------------------------------------------------------------------------
def _answered(outcome: Outcome) -> str:
    code = outcome.status_code
    if code is None:
        return f"it failed: {outcome.error}"
    if 300 <= code < 400:
        return f"it answered with a redirect, {code}"
    return f"it answered {code}"


def judge(case: CaseName, outcome: Outcome) -> tuple[bool, bool, str]:
    """(accepted, ok, verdict) for one case."""
    code = outcome.status_code
    accepted = code is not None and 200 <= code < 300
    failed_hard = code is None or code >= 500  # what Vonage retries (429 aside)
    answered = _answered(outcome)
    if case in GOOD:
        what = _GOOD[case]
        if accepted:
            return True, True, f"your endpoint accepted {what} ({answered}), as it should"
        if case == "genuine":
            why = (
                "it must accept webhooks signed with the signature secret (check the secret "
                "it verifies with, and that it hashes the raw body bytes)"
            )
        else:
            why = "Vonage delivers at least once, so answer 2xx to a duplicate (and ignore it)"
        verdict = f"your endpoint refused {what} ({answered}): {why}"
        if failed_hard:
            verdict += "; Vonage would retry it for up to 24 hours"
        elif code is not None and code < 400:
            verdict += "; Vonage does not follow redirects (is the URL right?)"
        return False, False, verdict
    what, why = _BAD[case]
    if accepted:
        return True, False, f"your endpoint accepted {what} ({answered}): {why}"
    verdict = f"your endpoint refused {what} ({answered})"
    if failed_hard:
        verdict += (
            ", but Vonage retries a 5xx, a timeout or a dropped connection for up to 24 hours: "
            "answer 401 instead"
        )
    elif code is not None and code < 400:
        verdict += ": counted as refused (Vonage does not follow redirects), but answer 401"
    else:
        verdict += ", as it should"
    return False, True, verdict


def case_result(
    case: CaseName, outcome: Outcome, allowed: bool, verdict: tuple[bool, bool, str]
) -> dict[str, Any]:
    accepted, ok, text = verdict
    return {
        "case": case,
        "expect": "accept" if case in GOOD else "refuse",
        "status_code": outcome.status_code,
        "error": outcome.error,
        "accepted": accepted,
        "ok": ok,
        "allowed": allowed,
        "verdict": text,
    }


async def run_endpoint(
    url: str, kind: Kind, battery: list[Probe], post: Post, allow: Iterable[str] = ()
) -> dict[str, Any]:
    """Send the battery to ``url`` one probe at a time (in order: a replay must follow what it
    replays) and judge each."""
    allowed = set(allow)
    cases: list[dict[str, Any]] = []
    for probe in battery:
        outcome = await post(url, probe.body, probe.headers)
        if probe.case == "genuine" and outcome.status_code is None:
            return _unreachable(url, kind, battery, outcome, allowed)
        cases.append(
            case_result(probe.case, outcome, probe.case in allowed, judge(probe.case, outcome))
        )
    passed = all(c["ok"] or c["allowed"] for c in cases)
    return {"url": url, "kind": kind, "passed": passed, "cases": cases}


def _unreachable(
    url: str, kind: Kind, battery: list[Probe], outcome: Outcome, allowed: set[str]
) -> dict[str, Any]:
    """No answer to the genuine case: nothing can be judged, and every case says why."""
    hung = (outcome.error or "").startswith("timeout")
    gone = "did not answer" if hung else "could not be reached"
    first = f"your endpoint {gone} ({outcome.error}): nothing was tested"
    cases = [
        case_result(battery[0].case, outcome, battery[0].case in allowed, (False, False, first))
    ]
    for probe in battery[1:]:
        skipped = Outcome(error="not sent: the endpoint did not answer the genuine webhook")
        text = f"not tested: your endpoint {gone} ({outcome.error})"
        cases.append(case_result(probe.case, skipped, probe.case in allowed, (False, False, text)))
    return {"url": url, "kind": kind, "passed": False, "cases": cases}


def report(endpoints: list[dict[str, Any]]) -> dict[str, Any]:
    """The whole answer: passed only if every endpoint passed, and a summary in words."""
    parts = []
    for ep in endpoints:
        failed = [c for c in ep["cases"] if not c["ok"] and not c["allowed"]]
        tolerated = [c["case"] for c in ep["cases"] if not c["ok"] and c["allowed"]]
        where = f"{ep['kind']} webhooks to {ep['url']}"
        if failed:
            names = ", ".join(c["case"] for c in failed)
            parts.append(f"{where}: {len(failed)} of {len(ep['cases'])} cases failed ({names})")
        else:
            parts.append(f"{where}: all {len(ep['cases'])} cases passed")
        if tolerated:
            parts[-1] += f" (allowed to fail: {', '.join(tolerated)})"
    passed = all(ep["passed"] for ep in endpoints)
    return {"passed": passed, "endpoints": endpoints, "summary": "; ".join(parts) + "."}


# -- sending ----------------------------------------------------------------------------------
def poster(http: Callable[[], HttpLanes], limit: float) -> Post:
    """POST through the sandbox's own webhook lanes (an injected transport included, so an
    in-process app object gets the battery too); every failure becomes an :class:`Outcome`."""

    async def post(url: str, body: bytes, headers: dict[str, str]) -> Outcome:
        try:
            response = await http().post(url, body, headers, limit)
        except httpx.HTTPError as exc:
            return Outcome(error=failure(exc))  # in the ledger's words (engine.py)
        except TimeoutError:
            return Outcome(error=f"timeout: no whole answer within {limit:g} s")
        return Outcome(status_code=response.status_code)

    return post


class Reports:
    """The last report per application (None: the sandbox's own URLs), forgotten by a reset of
    its scope like everything else a test leaves behind."""

    def __init__(self, bus: EventBus) -> None:
        self._last: dict[str | None, dict[str, Any]] = {}
        bus.on(Reset, self._on_reset)

    def keep(self, application_id: str | None, result: dict[str, Any]) -> None:
        self._last[application_id] = result

    def last(self, application_id: str | None) -> dict[str, Any] | None:
        return self._last.get(application_id)

    def _on_reset(self, event: Reset) -> None:
        if event.scope is None:
            self._last.clear()
        else:
            self._last.pop(event.scope, None)
