"""Why a test's webhooks did not reach the app, in words: each webhook the app refused (any
non-2xx), did not answer, or never got, with its ledger entry and, for a refusal, the signature's
claims checked the way the app's verifier checks them.

The fixture fails a test with these lines (see :meth:`SandboxHandle.problems`); a test that
checks a refusal on purpose opts out with ``@pytest.mark.nexmo_sandbox(check_webhooks=False)``.
"""

from __future__ import annotations

import base64
import binascii
import functools
import hashlib
import json
import time
from collections.abc import Callable, Iterable, Mapping
from datetime import UTC, datetime
from typing import Any

from sandbox.testing.client_types import Attempt, Delivery
from sandbox.testing.faked_time import faked_time

OPT_OUT = (
    "A test that checks a refusal on purpose: @pytest.mark.nexmo_sandbox(check_webhooks=False)."
)
BODY_SHOWN = 300


def webhook_problems(
    deliveries: Iterable[Delivery],
    *,
    secret: Callable[[], str | None],
    app_clock: Mapping[str, float],
    mounted: bool,
    remote: bool = False,
) -> list[str]:
    """One paragraph per webhook that did not reach the app cleanly. ``app_clock`` maps an
    ``Authorization`` value to the app's clock when it was handed that token (in-process apps);
    ``mounted``: an app object receives the webhooks, so a webhook with no URL went nowhere;
    ``secret`` is asked (once) only if a refusal is to be explained by the signature."""
    asked_once = functools.cache(secret)
    out: list[str] = []
    for d in deliveries:
        bad = [a for a in d.attempts if not _ok(a)]
        if bad:
            out.append(_explain(d, bad[-1], asked_once, app_clock, remote))
        elif d.state == "no_url" and mounted:
            setting = "inbound_url" if d.kind == "inbound" else "status_url"
            out.append(
                f"webhook {d.kind}/{d.event} (message {d.message_uuid}) went nowhere: an app is "
                f"mounted but no {setting} is set for the application, so it never got it. Set "
                f"{setting}='/webhooks/...' in the marker, or mount(..., {setting}=...)."
            )
        elif d.state in ("pending", "retrying") and not any(_ok(a) for a in d.attempts):
            out.append(
                f"webhook {d.kind}/{d.event} to {d.url} was never received: still {d.state} when "
                f"the test ended ({len(d.attempts)} attempt(s)). Advance the clock past its next "
                f"attempt, or settle before the test ends.\n  ledger: {d.describe()}"
            )
    if out:
        out.append(OPT_OUT)
    return out


def _ok(a: Attempt) -> bool:
    return a.error is None and a.status_code is not None and 200 <= a.status_code < 300


def _explain(
    d: Delivery,
    a: Attempt,
    secret: Callable[[], str | None],
    app_clock: Mapping[str, float],
    remote: bool,
) -> str:
    what = f"answered HTTP {a.status_code}" if a.error is None else f"failed ({a.error})"
    lines = [f"webhook {d.kind}/{d.event} to {a.url}: the app {what} on attempt {a.n}."]
    if a.response_body:
        lines.append(f"  response body: {a.response_body[:BODY_SHOWN]!r}")
    lines.append(f"  ledger: {d.describe()}")
    lines.append(f"  request body: {d.body[:BODY_SHOWN]}")
    if a.error is not None and a.error.startswith("timeout"):
        lines.append(
            "  no whole answer in time: a handler that blocks (a blocking call in an async "
            "handler holds its event loop) or a server that accepts but does not serve."
        )
    elif a.error is not None:
        lines.append("  no answer: is the app listening at that address?")
    if a.status_code == 404:
        lines.append(
            "  404: no route at that path. Check status_url / inbound_url against the app's routes."
        )
    if a.status_code in (401, 403) or (a.status_code is not None and 400 <= a.status_code < 500):
        lines.extend("  " + s for s in signature_findings(d, secret(), app_clock, remote))
    return "\n".join(lines)


def signature_findings(
    d: Delivery, secret: str | None, app_clock: Mapping[str, float], remote: bool = False
) -> list[str]:
    """The webhook's JWT claims, and each reason a verifier would refuse them."""
    auth = d.headers.get("Authorization") or d.headers.get("authorization") or ""
    token = auth.removeprefix("Bearer ").strip()
    claims = _claims(token)
    if claims is None:
        return ["signature: no readable JWT in the Authorization header."]
    shown = {
        k: claims[k] for k in ("iat", "jti", "iss", "api_key", "application_id") if k in claims
    }
    out = [f"signature claims: {json.dumps(shown)} (HS256)"]
    body_hash = hashlib.sha256(d.body.encode()).hexdigest()
    if claims.get("payload_hash") != body_hash:
        out.append("payload_hash does not match the body (a verifier that checks it refuses it).")
    iat = claims.get("iat")
    seen = app_clock.get(auth)
    now = time.time() if seen is None else seen
    whose = "this test's clock" if seen is None else "the app's clock when it got the webhook"
    if isinstance(iat, int | float) and iat > now + 1:
        faker = faked_time()
        hint = ""
        if faker and remote:
            hint = (
                f" {faker} fakes this test's clock, and the sandbox that signed it runs "
                "elsewhere (--nexmo-sandbox-url) on real time: run this test against the "
                "in-process sandbox, which signs with the test's clock."
            )
        elif faker:
            hint = (
                f" {faker} fakes this test's clock: "
                "@pytest.mark.nexmo_sandbox(follow_time=True) makes the sandbox's clock follow it."
            )
        out.append(
            f"iat {_iso(iat)} is {iat - now:,.0f} s in the future of {whose} ({_iso(now)}): "
            "PyJWT (behind the vonage SDK's verify_signature) refuses a token issued in the "
            "future." + hint
        )
    if secret:
        out.append(
            f"signed with the signature secret {secret[:4]}… (nexmo_sandbox.signature_secret): "
            "an app that verifies with another secret refuses every webhook."
        )
    return out


def _claims(token: str) -> dict[str, Any] | None:
    parts = token.split(".")
    if len(parts) != 3:
        return None
    try:
        raw = base64.urlsafe_b64decode(parts[1] + "=" * (-len(parts[1]) % 4))
        claims = json.loads(raw)
    except (binascii.Error, ValueError):
        return None
    return claims if isinstance(claims, dict) else None


def _iso(ts: float) -> str:
    return datetime.fromtimestamp(ts, tz=UTC).strftime("%Y-%m-%d %H:%M:%S UTC")
