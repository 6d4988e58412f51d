"""Node ``nexmo@2.7.0-beta-1``: ``channel.send`` (Messages v0.1) for every kind and
``dispatch.create`` with a failover workflow that fails over when the clock is advanced.
The beta speaks plain http on any port but 443, so the app only sets {host, port}; one send
also goes over the TLS listener the way the SDK allows (its ``http`` option)."""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

from tests.helpers import bearer
from tests.sdk.conftest import API_KEY, API_SECRET, APP_ID, TlsLive
from tests.sdk.kinds import N_FROM, N_TO, check_kinds
from tests.sdk.toolchain import node, node_version

pytestmark = pytest.mark.e2e


def run_app(live: TlsLive, modules: Path, key: str, *, tls: bool = False, **extra: Any) -> Any:
    url = urlsplit(live.tls_url if tls else live.url)
    config = {
        "host": url.hostname,
        "port": url.port,
        "tls": tls,
        "applicationId": APP_ID,
        "privateKey": key,
        "apiKey": API_KEY,
        "apiSecret": API_SECRET,
        **extra,
    }
    return node("nexmo_beta_app.js", live.env(), config, modules)


def test_channel_send_every_kind_and_a_dispatch_that_fails_over(
    live: TlsLive, node_modules: Path, private_key_file: str
) -> None:
    assert node_version("nexmo") == "2.7.0-beta-1"
    out = run_app(live, node_modules, private_key_file)
    # The beta always signs a JWT (without `exp`); strict auth checked it against the key.
    check_kinds(live, out["sent"], api="v0.1", application_id=APP_ID)

    dispatch_uuid = out["dispatch_uuid"]
    state = live.control("GET", f"/dispatches/{dispatch_uuid}")
    assert state["status"] == "active"
    primary = live.control("GET", f"/messages/{state['steps'][0]['message_uuid']}")
    assert (primary["channel"], primary["text"]) == ("whatsapp", "Dispatch primary (WhatsApp)")
    sms_before = live.control("GET", "/messages?channel=sms&q=Dispatch")["messages"]
    assert sms_before == []

    live.mark(primary["message_uuid"], "delivered")  # delivered is not the condition (read)
    live.advance(599)
    assert live.control("GET", "/messages?channel=sms&q=Dispatch")["messages"] == []
    live.advance(1)
    (sms,) = live.control("GET", "/messages?channel=sms&q=Dispatch")["messages"]
    assert (sms["to"], sms["from"], sms["text"]) == (N_TO, N_FROM, "Dispatch fallback (SMS)")
    assert sms["api"] == primary["api"] == "dispatch"
    state = live.control("GET", f"/dispatches/{dispatch_uuid}")
    assert state["steps"][0]["outcome"].startswith("expired")
    assert state["steps"][1]["message_uuid"] == sms["message_uuid"]

    # 4xx: the callback's error carries our JSON problem body, parsed; the same body sent by
    # hand gets the same answer.
    direct = live.http.post(
        "/v0.1/messages?",
        json={
            "to": {"type": "sms", "number": "+" + N_TO},
            "from": {"type": "sms", "number": N_FROM},
            "message": {"content": {"type": "text", "text": "Hello SMS"}},
        },
        headers={"Authorization": bearer(APP_ID, exp=None)},
    )
    assert 400 <= direct.status_code < 500, direct.text
    assert out["invalid"]["statusCode"] == direct.status_code
    body = out["invalid"]["body"]
    assert {"type", "title", "detail"} <= set(body)
    assert {k: v for k, v in body.items() if k != "instance"} == {
        k: v for k, v in direct.json().items() if k != "instance"
    }


def test_channel_send_over_tls(live: TlsLive, node_modules: Path, private_key_file: str) -> None:
    out = run_app(live, node_modules, private_key_file, tls=True, only="whatsapp_text")
    record = live.control("GET", f"/messages/{out['sent']['whatsapp_text']}")
    assert (record["channel"], record["text"], record["api"]) == (
        "whatsapp",
        "Hello WhatsApp",
        "v0.1",
    )
