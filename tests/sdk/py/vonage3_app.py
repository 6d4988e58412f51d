"""An app written with Python `vonage` 3.x, run inside the vonage 3 venv (.cache/vonage3).

Reads {"api_host", "application_id", "private_key", "api_key", "api_secret"} as JSON on stdin,
prints what it got back as JSON. The SDK is used as documented; only `api_host` changes, and
the certificate is trusted through REQUESTS_CA_BUNDLE (set by the test).
"""

import json
import sys

import vonage

N_TO, N_FROM = "447700900000", "447700900001"
IMAGE = {"url": "https://example.com/image.jpg", "caption": "a picture"}
KINDS = {
    "sms": {
        "channel": "sms",
        "message_type": "text",
        "to": N_TO,
        "from": N_FROM,
        "text": "Hello SMS",
    },
    "mms_image": {
        "channel": "mms",
        "message_type": "image",
        "to": N_TO,
        "from": N_FROM,
        "image": IMAGE,
    },
    "whatsapp_text": {
        "channel": "whatsapp",
        "message_type": "text",
        "to": N_TO,
        "from": N_FROM,
        "text": "Hello WhatsApp",
    },
    "whatsapp_image": {
        "channel": "whatsapp",
        "message_type": "image",
        "to": N_TO,
        "from": N_FROM,
        "image": IMAGE,
    },
    "whatsapp_template": {
        "channel": "whatsapp",
        "message_type": "template",
        "to": N_TO,
        "from": N_FROM,
        "template": {"name": "verify_code", "parameters": ["1234"]},
        "whatsapp": {"policy": "deterministic", "locale": "en_GB"},
    },
    "messenger_text": {
        "channel": "messenger",
        "message_type": "text",
        "to": "1234567890",
        "from": "0987654321",
        "text": "Hello Messenger",
    },
    "viber_text": {
        "channel": "viber_service",
        "message_type": "text",
        "to": N_TO,
        "from": "16273",
        "text": "Hello Viber",
        "viber_service": {"category": "transaction", "ttl": 600},
    },
}


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
