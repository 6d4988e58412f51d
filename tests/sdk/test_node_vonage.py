"""Node @vonage/server-sdk 3 with @vonage/messages, unmodified, against the TLS listener
(``apiHost: "https://127.0.0.1:<port>"``, NODE_EXTRA_CA_CERTS), and @vonage/jwt's
verifySignature on the sandbox's signed webhooks."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.receiver import receiver
from tests.sdk.conftest import API_KEY, API_SECRET, APP_ID, TlsLive
from tests.sdk.kinds import N_FROM, N_TO, check_kinds
from tests.sdk.toolchain import node, node_version

pytestmark = pytest.mark.e2e


def run_app(live: TlsLive, modules: Path, private_key_file: str, **extra: Any) -> Any:
    config = {
        **extra,
        "apiHost": live.tls_url,
        "applicationId": APP_ID,
        "privateKey": private_key_file,
        "apiKey": API_KEY,
        "apiSecret": API_SECRET,
    }
    return node("vonage_app.js", live.env(), config, modules)


def test_versions_under_test(node_modules: Path) -> None:
    assert node_version("@vonage/server-sdk").startswith("3.")
    assert node_version("@vonage/messages").startswith("1.")
    assert node_version("@vonage/jwt").startswith("1.")


def test_every_kind_both_auths_failover_and_errors(
    live: TlsLive, node_modules: Path, private_key_file: str
) -> None:
    inbound = live.control(
        "POST",
        "/inbound",
        {"channel": "whatsapp", "from": N_TO, "to": N_FROM, "text": "Hi",
         "application_id": APP_ID},
    )  # fmt: skip
    out = run_app(live, node_modules, private_key_file, inboundUuid=inbound["message_uuid"])
    assert out["markRead"] is True
    assert live.control("GET", f"/messages/{inbound['message_uuid']}")["status"] == "read"
    check_kinds(live, out["jwt"], application_id=APP_ID, client_ref_prefix="node-jwt")
    check_kinds(live, out["basic"], api_key=API_KEY, client_ref_prefix="node-basic")

    primary = live.control("GET", f"/messages/{out['failover']}")
    assert (primary["channel"], primary["text"]) == ("whatsapp", "primary")
    live.mark(out["failover"], "rejected")
    (sms,) = live.control("GET", "/messages?channel=sms&q=fallback")["messages"]
    assert (sms["to"], sms["from"], sms["text"]) == (N_TO, N_FROM, "fallback sms")

    # VetchError carries our problem body untouched (the SDK reads no field of it).
    invalid = out["invalid"]
    assert invalid["status"] == 422
    assert invalid["message"] == "Request failed with status code 422"
    direct = live.send(
        {
            "channel": "sms",
            "message_type": "text",
            "to": "+" + N_TO,
            "from": N_FROM,
            "text": "Hello SMS",
        }
    )
    assert direct.status_code == 422
    assert _sans_instance(invalid["body"]) == _sans_instance(direct.json())
    assert out["wrongSecret"]["status"] == 401
    assert out["wrongSecret"]["body"]["title"]


def _sans_instance(body: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in body.items() if k != "instance"}


def test_verify_signature_accepts_the_sandboxs_webhooks(
    live: TlsLive, node_modules: Path, private_key_file: str
) -> None:
    with receiver() as rec:
        live.control(
            "PUT", "/config", {"status_url": rec.at("/status"), "inbound_url": rec.at("/inbound")}
        )
        uuid = live.send(
            {
                "channel": "whatsapp",
                "message_type": "text",
                "to": N_TO,
                "from": N_FROM,
                "text": "Hello WhatsApp",
            }
        ).json()["message_uuid"]
        live.mark(uuid, "delivered")
        live.mark(uuid, "read")
        live.control("POST", "/inbound", {"channel": "whatsapp", "from": N_TO, "text": "Hi"})
        live.control("POST", "/settle")
    assert [r.path for r in rec.received] == ["/status"] * 3 + ["/inbound"]
    secret = live.signature_secret
    checks = [{"token": r.token, "secret": secret} for r in rec.received]
    checks += [{"token": r.token, "secret": "x" * 48} for r in rec.received]
    results = node("verify_signature.js", live.env(), checks, node_modules)
    assert results == [True] * len(rec.received) + [False] * len(rec.received)
