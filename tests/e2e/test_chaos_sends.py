"""Chaos rules at the gateway and on messages' fates (core/chaos.py, core/faults.py), against a
real server: 429 / 5xx / slow answers, rejections with a code, scopes, probability under a seed,
`times`, the rule named in the history and the effects log; per-application rate limits and the
hosted-sandbox preset."""

from __future__ import annotations

from typing import Any

from tests.harness import Live, live_sandbox
from tests.helpers import BASIC, bearer

APP_A = "aaaaaaaa-0000-4000-8000-00000000000a"
APP_B = "bbbbbbbb-0000-4000-8000-00000000000b"


def sms(to: str = "447700900001", frm: str = "447700900000") -> dict[str, Any]:
    return {"channel": "sms", "message_type": "text", "to": to, "from": frm, "text": "hi"}


def rule(sb: Live, **body: Any) -> dict[str, Any]:
    r = sb.http.post("/_sandbox/chaos/rules", json=body)
    assert r.status_code == 201, r.text
    out: dict[str, Any] = r.json()
    return out


def test_rules_are_listed_deleted_and_refused_with_every_mistake_named(sb: Live) -> None:
    made = rule(sb, effect="throttle", scope={"channel": "sms"}, retry_after=3, name="busy")
    assert made["id"].startswith("chaos_") and made["hits"] == 0
    assert made["scope"] == {"channel": "sms"} and made["retry_after"] == 3
    listing = sb.control("GET", "/chaos")
    assert [r["id"] for r in listing["rules"]] == [made["id"]]
    bad = sb.http.post(
        "/_sandbox/chaos/rules",
        json={"effect": "delay", "scope": {"planet": "mars"}, "probability": 2, "colour": 1},
    )
    assert bad.status_code == 422
    names = {p["name"] for p in bad.json()["invalid_parameters"]}
    assert names == {"scope.planet", "probability", "colour", "delay"}
    unknown = sb.http.post("/_sandbox/chaos/rules", json={"effect": "explode"})
    assert unknown.status_code == 422 and "throttle" in unknown.text
    assert sb.control("DELETE", f"/chaos/rules/{made['id']}") == {"deleted": made["id"]}
    assert sb.http.delete(f"/_sandbox/chaos/rules/{made['id']}").status_code == 404
    assert sb.control("GET", "/chaos")["rules"] == []


def test_throttle_answers_vonages_429_with_retry_after_naming_the_rule(sb: Live) -> None:
    made = rule(sb, effect="throttle", retry_after=7, times=1)
    first = sb.send(sms())
    assert first.status_code == 429
    assert first.headers["retry-after"] == "7"
    assert made["id"] in first.headers["x-sandbox-chaos"]
    assert first.json()["title"] == "Rate Limit Hit"
    assert first.headers["content-type"] == "application/problem+json"
    assert sb.send(sms()).status_code == 202  # `times: 1` is spent
    assert sb.rt.store.count() == 1  # the refused send left nothing behind
    effects = sb.control("GET", "/chaos")["effects"]
    assert [e["effect"] for e in effects] == ["throttle"]


def test_server_error_refuses_or_accepts_and_still_answers_5xx(sb: Live) -> None:
    rule(sb, effect="server_error", status=503, times=1)
    r = sb.send(sms())
    assert r.status_code == 503 and r.json()["title"] == "Internal error"
    assert sb.rt.store.count() == 0
    rule(sb, effect="server_error", accepted=True, times=1)
    r = sb.send(sms())
    assert r.status_code == 500
    kept = sb.control("GET", "/messages")["messages"]
    assert len(kept) == 1  # the platform took it: an app that retries sends it twice
    assert kept[0]["extra"]["chaos"][0]["effect"] == "server_error"


def test_slow_answers_late_and_says_so(sb: Live) -> None:
    rule(sb, effect="slow", seconds=0.05)
    r = sb.send(sms())
    assert r.status_code == 202
    assert "answer 0.05 s late" in r.headers["x-sandbox-chaos"]
    assert r.elapsed.total_seconds() >= 0.05


def test_reject_after_a_delay_with_the_rule_in_the_history(sb: Live) -> None:
    made = rule(sb, effect="reject", error_code=1250, after=30, scope={"number": "+44 7700 900001"})
    target = sb.sent(sms("447700900001"))["message_uuid"]
    other = sb.sent(sms("447700900002"))["message_uuid"]
    assert sb.message(target)["status"] == "submitted"
    sb.advance(30)
    message = sb.message(target)
    assert message["status"] == "rejected" and message["error"]["code"] == 1250
    last = message["history"][-1]
    assert last["by"] == "chaos" and made["id"] in last["cause"]
    assert sb.message(other)["status"] == "submitted"  # another number: untouched


def test_undeliverable_too_late_is_recorded_not_hidden(sb: Live) -> None:
    rule(sb, effect="undeliverable", after=60)
    uuid = sb.sent(sms())["message_uuid"]
    sb.mark(uuid, "delivered")
    sb.advance(60)
    message = sb.message(uuid)
    assert message["status"] == "delivered"
    details = [n["detail"] for n in message["extra"]["chaos"]]
    assert any(d.startswith("not undeliverable") for d in details), details


def test_scopes_by_application_api_key_and_channel(sb: Live) -> None:
    rule(sb, effect="throttle", scope={"application_id": APP_A})
    rule(sb, effect="server_error", scope={"channel": "whatsapp"})
    assert sb.send(sms(), auth=bearer(APP_A)).status_code == 429
    assert sb.send(sms(), auth=bearer(APP_B)).status_code == 202
    assert sb.send(sms(), auth=BASIC).status_code == 202
    wa = {**sms(), "channel": "whatsapp"}
    assert sb.send(wa, auth=BASIC).status_code == 500
    sb.control("DELETE", "/chaos")
    rule(sb, effect="throttle", scope={"api_key": "abcd1234"})
    assert sb.send(sms(), auth=BASIC).status_code == 429
    assert sb.send(sms(), auth=bearer(APP_B)).status_code == 202


def test_v01_and_dispatch_sends_meet_the_same_rules(sb: Live) -> None:
    rule(sb, effect="throttle", scope={"number": "447700900009"})
    body = {
        "from": {"type": "sms", "number": "447700900000"},
        "to": {"type": "sms", "number": "447700900009"},
        "message": {"content": {"type": "text", "text": "hi"}},
    }
    assert sb.send(body, path="/v0.1/messages").status_code == 429
    dispatch = {
        "template": "failover",
        "workflow": [
            {**body, "failover": {"expiry_time": 60, "condition_status": "delivered"}},
            body,
        ],
    }
    assert sb.send(dispatch, path="/v0.1/dispatch").status_code == 429


def outcomes(seed: int) -> list[int]:
    with live_sandbox(chaos_seed=seed) as sb:
        rule(sb, effect="throttle", probability=0.5)
        return [sb.send(sms()).status_code for _ in range(40)]


def test_probability_draws_repeat_under_one_seed_and_differ_under_another() -> None:
    first, again, other = outcomes(11), outcomes(11), outcomes(12)
    assert first == again
    assert first != other
    assert 5 < first.count(429) < 35  # about half


def test_a_reset_of_one_application_drops_its_rules_only(sb: Live) -> None:
    rule(sb, effect="throttle", scope={"application_id": APP_A})
    kept = rule(sb, effect="throttle", scope={"application_id": APP_B})
    sb.control("POST", "/reset", {"application_id": APP_A})
    assert [r["id"] for r in sb.control("GET", "/chaos")["rules"]] == [kept["id"]]
    assert [r["id"] for r in sb.control("GET", f"/chaos?application_id={APP_B}")["rules"]] == [
        kept["id"]
    ]
    sb.control("POST", "/reset")
    assert sb.control("GET", "/chaos")["rules"] == []


def test_a_chaos_file_is_in_force_from_the_start_and_after_a_reset(tmp_path: Any) -> None:
    path = tmp_path / "chaos.toml"
    path.write_text('seed = 5\n[[rules]]\neffect = "throttle"\nscope = { channel = "sms" }\n')
    with live_sandbox(chaos=str(path)) as sb:
        assert sb.control("GET", "/chaos")["seed"] == 5
        assert sb.send(sms()).status_code == 429
        sb.control("DELETE", "/chaos")
        assert sb.send(sms()).status_code == 202
        sb.control("POST", "/reset")
        assert sb.send(sms()).status_code == 429


def test_per_application_and_per_account_rate_limits(sb: Live) -> None:
    sb.control("PUT", f"/applications/{APP_A}", {"rate_limit": 1})
    assert sb.send(sms(), auth=bearer(APP_A)).status_code == 202
    refused = sb.send(sms(), auth=bearer(APP_A))
    assert refused.status_code == 429 and refused.headers["retry-after"] == "1"
    assert sb.send(sms(), auth=bearer(APP_B)).status_code == 202  # its own, unlimited
    sb.control("PUT", "/accounts/abcd1234", {"rate_limit": 2})
    codes = [sb.send(sms(), auth=BASIC).status_code for _ in range(3)]
    assert codes == [202, 202, 429]
    sb.advance(1)
    assert sb.send(sms(), auth=bearer(APP_A)).status_code == 202
    bad = sb.http.put(f"/_sandbox/applications/{APP_A}", json={"rate_limit": -1})
    assert bad.status_code == 422


def test_hosted_sandbox_preset_limits_sends_and_retries_any_refusal() -> None:
    with live_sandbox(preset="hosted-sandbox") as sb:
        config = sb.control("GET", "/config")
        assert config["rate_limit"] == 1 and config["retry_policy"] == "hosted-sandbox"
        assert [sb.send(sms()).status_code for _ in range(2)] == [202, 429]
        sb.control("PUT", "/config", {"preset": "production"})
        assert sb.control("GET", "/config")["rate_limit"] is None
        sb.control("PUT", "/config", {"preset": "hosted-sandbox", "rate_limit": 5})
        config = sb.control("GET", "/config")
        assert config["rate_limit"] == 5 and config["retry_policy"] == "hosted-sandbox"
