"""The webhook contract test end to end: a real sandbox sends its battery of good and bad webhooks
to real HTTP receivers — one that checks nothing, one that verifies as Vonage's guide says —
and judges each answer."""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import jwt
import pytest

from tests.harness import Live
from tests.receiver import Received, Receiver, receiver

pytestmark = pytest.mark.e2e

CASES = [
    "genuine",
    "duplicate",
    "wrong_signature",
    "missing_authorization",
    "payload_hash_mismatch",
    "expired_iat",
    "replayed_jti",
    "alg_none",
]
APP_SECRET = "an-application-signature-secret-of-48-characters"


@dataclass
class Verifier:
    """What a careful app does with a signed webhook: HS256 only, with the signature secret;
    payload_hash over the raw body; iat at most 5 minutes old; a jti never seen before."""

    secret: str = ""
    check_jti: bool = True
    refuse: int = 401  # what it answers a webhook it does not trust
    seen: set[str] = field(default_factory=set)

    def __call__(self, r: Received) -> int:
        auth = r.headers.get("authorization", "")
        if not auth.startswith("Bearer "):
            return self.refuse
        try:
            claims = jwt.decode(auth[7:], self.secret, algorithms=["HS256"])
        except jwt.PyJWTError:
            return self.refuse
        if claims.get("payload_hash") != hashlib.sha256(r.body).hexdigest():
            return self.refuse
        if time.time() - float(claims["iat"]) > 300:
            return self.refuse
        if self.check_jti:
            if claims["jti"] in self.seen:
                return self.refuse
            self.seen.add(claims["jti"])
        return 200


@dataclass
class Endpoints:
    """One real receiver: `/open/...` answers 200 to anything, `/strict/...` verifies."""

    rec: Receiver
    strict: Verifier

    def open(self, path: str = "/status") -> str:
        return self.rec.at("/open" + path)

    def checked(self, path: str = "/status") -> str:
        return self.rec.at("/strict" + path)

    def at(self, url: str) -> list[Received]:
        path = url.removeprefix(self.rec.url)
        return [r for r in self.rec.received if r.path == path]


@pytest.fixture(scope="module")
def module_receiver() -> Iterator[Receiver]:
    with receiver() as rec:
        yield rec


@pytest.fixture
def ep(module_receiver: Receiver, sb: Live) -> Endpoints:
    module_receiver.received.clear()
    strict = Verifier(secret=sb.control("GET", "/config")["signature_secret"])
    rec = module_receiver
    rec.answer = lambda r: strict(r) if r.path.startswith("/strict") else 200
    return Endpoints(rec, strict)


def contract(sb: Live, body: dict[str, Any] | None = None, status: int = 200) -> Any:
    r = sb.http.post("/_sandbox/webhooks/contract", json=body or {})
    assert r.status_code == status, r.text
    return r.json()


def by_case(endpoint: dict[str, Any]) -> dict[str, dict[str, Any]]:
    got = {c["case"]: c for c in endpoint["cases"]}
    assert list(got) == CASES
    return got


def claims(r: Received) -> dict[str, Any]:
    out: dict[str, Any] = jwt.decode(r.token, options={"verify_signature": False})
    return out


def test_an_endpoint_that_checks_nothing_fails_and_each_verdict_says_why(
    sb: Live, ep: Endpoints
) -> None:
    report = contract(sb, {"url": ep.open()})
    assert report["passed"] is False
    (endpoint,) = report["endpoints"]
    assert (endpoint["url"], endpoint["kind"], endpoint["passed"]) == (ep.open(), "status", False)
    cases = by_case(endpoint)
    for name, case in cases.items():
        assert (case["status_code"], case["error"], case["accepted"]) == (200, None, True)
        assert case["expect"] == ("accept" if name in ("genuine", "duplicate") else "refuse")
        assert case["ok"] is (name in ("genuine", "duplicate")), name
        assert case["allowed"] is False
    verdicts = {name: case["verdict"] for name, case in cases.items()}
    assert verdicts["genuine"].startswith("your endpoint accepted a genuine webhook")
    assert "forged webhook" in verdicts["wrong_signature"]
    assert "it does not check the signature" in verdicts["wrong_signature"]
    assert "no Authorization header" in verdicts["missing_authorization"]
    assert "payload_hash" in verdicts["payload_hash_mismatch"]
    assert "does not check iat" in verdicts["expired_iat"]
    assert "jti" in verdicts["replayed_jti"]
    assert "alg: none" in verdicts["alg_none"]
    assert report["summary"].startswith(f"status webhooks to {ep.open()}: 6 of 8 cases failed")
    # None of it is a webhook of the sandbox's: the ledger stays empty.
    assert sb.webhooks() == []


def test_the_battery_is_what_it_claims_to_be(sb: Live, ep: Endpoints) -> None:
    contract(sb, {"url": ep.open()})
    got = dict(zip(CASES, ep.at(ep.open()), strict=True))
    secret = ep.strict.secret
    genuine = got["genuine"]
    good = jwt.decode(genuine.token, secret, algorithms=["HS256"])
    assert good["payload_hash"] == hashlib.sha256(genuine.body).hexdigest()
    assert (good["iss"], good["api_key"]) == ("Vonage", "sandbox")
    body = genuine.json  # the sandbox's own v1 status rendering
    assert (body["status"], body["channel"], body["to"]) == ("delivered", "sms", "447700900000")
    assert body["usage"]["currency"] == "EUR" and "message_uuid" in body
    dup = got["duplicate"]
    assert dup.body == genuine.body
    assert claims(dup)["jti"] != good["jti"]
    jwt.decode(dup.token, secret, algorithms=["HS256"])
    with pytest.raises(jwt.InvalidSignatureError):
        jwt.decode(got["wrong_signature"].token, secret, algorithms=["HS256"])
    assert "authorization" not in got["missing_authorization"].headers
    altered = got["payload_hash_mismatch"]
    assert altered.json["status"] == "rejected"
    assert claims(altered)["payload_hash"] == hashlib.sha256(genuine.body).hexdigest()
    assert good["iat"] - claims(got["expired_iat"])["iat"] == 24 * 3600
    assert got["replayed_jti"].headers["authorization"] == genuine.headers["authorization"]
    assert got["replayed_jti"].body == genuine.body
    unsigned = got["alg_none"].token
    assert jwt.get_unverified_header(unsigned)["alg"] == "none" and unsigned.endswith(".")
    assert claims(got["alg_none"])["payload_hash"] == good["payload_hash"]


def test_an_endpoint_that_verifies_passes(sb: Live, ep: Endpoints) -> None:
    report = contract(sb, {"url": ep.checked()})
    assert report["passed"] is True, report["summary"]
    cases = by_case(report["endpoints"][0])
    assert [c["status_code"] for c in cases.values()] == [200, 200, *[401] * 6]
    assert all(c["ok"] for c in cases.values())
    assert cases["alg_none"]["verdict"].endswith("as it should")
    assert report["summary"] == f"status webhooks to {ep.checked()}: all 8 cases passed."


def test_a_verifier_with_the_wrong_secret_refuses_the_genuine_webhook(
    sb: Live, ep: Endpoints
) -> None:
    ep.strict.secret = "not-the-secret-the-sandbox-signs-with-at-all"
    report = contract(sb, {"url": ep.checked()})
    cases = by_case(report["endpoints"][0])
    assert report["passed"] is False
    assert (cases["genuine"]["ok"], cases["duplicate"]["ok"]) == (False, False)
    assert cases["genuine"]["verdict"].startswith("your endpoint refused a genuine webhook")
    assert "signature secret" in cases["genuine"]["verdict"]


def test_refusing_with_a_5xx_counts_but_the_verdict_warns(sb: Live, ep: Endpoints) -> None:
    ep.strict.refuse = 500
    report = contract(sb, {"url": ep.checked()})
    cases = by_case(report["endpoints"][0])
    assert report["passed"] is True
    bad = cases["wrong_signature"]
    assert (bad["status_code"], bad["accepted"], bad["ok"]) == (500, False, True)
    assert "Vonage retries a 5xx" in bad["verdict"] and "answer 401" in bad["verdict"]


def test_allow_reports_a_failure_without_failing_the_run(sb: Live, ep: Endpoints) -> None:
    ep.strict.check_jti = False  # an app that deduplicates by message_uuid instead
    strict = contract(sb, {"url": ep.checked()})
    assert strict["passed"] is False
    assert strict["summary"].endswith("1 of 8 cases failed (replayed_jti).")
    report = contract(sb, {"url": ep.checked(), "allow": ["replayed_jti"]})
    assert report["passed"] is True
    replayed = by_case(report["endpoints"][0])["replayed_jti"]
    assert (replayed["accepted"], replayed["ok"], replayed["allowed"]) == (True, False, True)
    assert "(allowed to fail: replayed_jti)" in report["summary"]


def test_an_unreachable_endpoint_fails_every_case_saying_so(sb: Live) -> None:
    with receiver() as gone:
        url = gone.at("/status")
    report = contract(sb, {"url": url})  # its port closed with it: connection refused
    (endpoint,) = report["endpoints"]
    assert report["passed"] is False and endpoint["passed"] is False
    for case in endpoint["cases"]:
        assert (case["status_code"], case["accepted"], case["ok"]) == (None, False, False)
        assert "could not be reached" in case["verdict"]
    first = endpoint["cases"][0]
    assert first["error"].startswith("ConnectError")
    assert all(c["error"].startswith("not sent") for c in endpoint["cases"][1:])


def test_with_no_url_anywhere_it_says_what_to_configure(sb: Live) -> None:
    r = sb.http.post("/_sandbox/webhooks/contract", json={})
    assert r.status_code == 422
    assert r.headers["content-type"] == "application/problem+json"
    assert "status_url" in r.json()["detail"] and "inbound_url" in r.json()["detail"]
    sb.control("PUT", "/applications/app-without-urls", {"name": "no urls"})
    r = sb.http.post(
        "/_sandbox/webhooks/contract",
        json={"application_id": "app-without-urls", "kind": "inbound"},
    )
    assert r.status_code == 422
    assert "PUT /_sandbox/applications/app-without-urls" in r.json()["detail"]


@pytest.mark.parametrize(
    ("body", "name"),
    [
        ({"url": "not a url"}, "url"),
        ({"url": "http://127.0.0.1:1/x", "kind": "report"}, "kind"),
        ({"url": "http://127.0.0.1:1/x", "allow": ["replayed"]}, "allow"),
        ({"url": "http://127.0.0.1:1/x", "allow": "replayed_jti"}, "allow"),
        ({"url": "http://127.0.0.1:1/x", "alow": ["replayed_jti"]}, "alow"),
    ],
)
def test_bad_requests_are_422_naming_the_field(sb: Live, body: dict[str, Any], name: str) -> None:
    problem = contract(sb, body, status=422)
    assert [p["name"] for p in problem["invalid_parameters"]] == [name]


def test_the_default_urls_each_kind_and_a_v01_application_with_its_own_secret(
    sb: Live, ep: Endpoints
) -> None:
    app = "contract-v01-app"
    sb.control(
        "PUT",
        f"/applications/{app}",
        {
            "status_url": ep.checked("/status"),
            "inbound_url": ep.checked("/inbound"),
            "webhook_version": "v0.1",
            "signature_secret": APP_SECRET,
        },
    )
    ep.strict.secret = APP_SECRET
    report = contract(sb, {"application_id": app})
    assert report["passed"] is True, report["summary"]
    urls = [(e["kind"], e["url"]) for e in report["endpoints"]]
    assert urls == [("status", ep.checked("/status")), ("inbound", ep.checked("/inbound"))]
    status = ep.at(ep.checked("/status"))[0]
    assert status.json["to"] == {"type": "sms", "number": "447700900000"}  # v0.1's shape
    assert claims(status)["application_id"] == app
    inbound = ep.at(ep.checked("/inbound"))
    assert inbound[0].json["message"]["content"] == {"type": "text", "text": "Where is my order?"}
    assert inbound[4].json["message"]["content"]["text"] == "STOP"  # the body changed in transit
    # The sandbox's own secret is not this application's: a verifier using it refuses.
    ep.strict.secret = sb.control("GET", "/config")["signature_secret"]
    wrong = contract(sb, {"application_id": app, "kind": "status"})
    assert [e["kind"] for e in wrong["endpoints"]] == ["status"]
    assert by_case(wrong["endpoints"][0])["genuine"]["ok"] is False


def test_the_inbound_kind_goes_to_the_sandbox_default_inbound_url(sb: Live, ep: Endpoints) -> None:
    sb.control("PUT", "/config", {"inbound_url": ep.open("/inbound")})
    report = contract(sb, {"kind": "inbound"})
    (endpoint,) = report["endpoints"]
    assert (endpoint["kind"], endpoint["url"]) == ("inbound", ep.open("/inbound"))
    body = ep.at(ep.open("/inbound"))[0].json  # v1 inbound
    assert (body["message_type"], body["text"], body["channel"]) == (
        "text",
        "Where is my order?",
        "sms",
    )


def test_the_last_report_is_kept_per_application_until_a_reset(sb: Live, ep: Endpoints) -> None:
    get: Callable[..., Any] = sb.http.get
    before = get("/_sandbox/webhooks/contract")
    assert before.status_code == 404 and "has run yet" in before.json()["detail"]
    mine = contract(sb, {"url": ep.checked()})
    theirs = contract(sb, {"url": ep.open(), "application_id": "other-app"})
    assert get("/_sandbox/webhooks/contract").json() == mine
    r = get("/_sandbox/webhooks/contract", params={"application_id": "other-app"})
    assert r.json() == theirs
    sb.control("POST", "/reset", {"application_id": "other-app"})
    r = get("/_sandbox/webhooks/contract", params={"application_id": "other-app"})
    assert r.status_code == 404 and r.headers["content-type"] == "application/problem+json"
    assert get("/_sandbox/webhooks/contract").json() == mine
    assert json.dumps(mine)  # plain JSON all through
