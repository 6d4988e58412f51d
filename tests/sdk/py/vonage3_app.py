"""An app written with Python `vonage` 3.x, run inside the vonage 3 venv (.cache/vonage3).

Reads {"api_host", "application_id", "private_key", "api_key", "api_secret"} as JSON on stdin,
prints what it got back as JSON. The SDK is used as documented; only `api_host` changes, and
the certificate is trusted through REQUESTS_CA_BUNDLE (set by the test).
"""

import json
import sys
from pathlib import Path

import vonage

# The kinds every SDK test sends live in tests/sdk/kinds.py (plain Python, importable here).
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from kinds import KINDS as RECORDS
from kinds import N_FROM, N_TO

# What the app sends: each record's fields, plus the option blocks v3 requires (the sandbox
# keeps those under the record's "options", which kinds.py does not compare).
KINDS = {kind: dict(fields) for kind, fields in RECORDS.items()}
KINDS["whatsapp_template"]["whatsapp"] = {"policy": "deterministic", "locale": "en_GB"}
KINDS["viber_text"]["viber_service"] = {"category": "transaction", "ttl": 600}


def error(exc):
    return {"class": type(exc).__name__, "message": str(exc)}


def main():
    cfg = json.load(sys.stdin)
    out = {"version": vonage.__version__}

    jwt_client = vonage.Client(application_id=cfg["application_id"], private_key=cfg["private_key"])
    jwt_client.api_host(cfg["api_host"])
    basic_client = vonage.Client(key=cfg["api_key"], secret=cfg["api_secret"])
    basic_client.api_host(cfg["api_host"])

    for name, client in (("jwt", jwt_client), ("basic", basic_client)):
        sent = {}
        for kind, body in KINDS.items():
            answer = client.messages.send_message({**body, "client_ref": f"py3-{name}-{kind}"})
            sent[kind] = answer["message_uuid"]  # a dict: the JSON body was parsed
        out[name] = sent

    # Passes the SDK's own checks (channel, type, E.164 `to`, `from`) but has no `text`.
    try:
        basic_client.messages.send_message(
            {"channel": "sms", "message_type": "text", "to": N_TO, "from": N_FROM}
        )
    except vonage.errors.ClientError as exc:
        out["invalid"] = error(exc)

    wrong = vonage.Client(key=cfg["api_key"], secret="not-the-secret")
    wrong.api_host(cfg["api_host"])
    try:
        wrong.messages.send_message(KINDS["sms"])
    except vonage.errors.ClientError as exc:
        out["wrong_secret"] = error(exc)

    print(json.dumps(out))


if __name__ == "__main__":
    main()
