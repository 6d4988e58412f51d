"""Python ``vonage`` 3.x (``Client().messages.send_message``), unmodified, in its own venv
(it shares the distribution name with the 4.x in .venv), against the TLS listener."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.sdk.conftest import API_KEY, API_SECRET, APP_ID, TlsLive
from tests.sdk.kinds import N_FROM, N_TO, check_kinds
from tests.sdk.toolchain import SCRIPTS, run_json

pytestmark = pytest.mark.e2e


def run_app(live: TlsLive, python: Path, private_key_file: str) -> Any:
    config = {
        "api_host": live.tls_host,
        "application_id": APP_ID,
        "private_key": private_key_file,
        "api_key": API_KEY,
        "api_secret": API_SECRET,
    }
    return run_json([str(python), str(SCRIPTS / "py" / "vonage3_app.py")], live.env(), config)


def test_vonage3_sends_every_kind_and_reads_our_errors(
    live: TlsLive, vonage3_python: Path, private_key_file: str
) -> None:
    out = run_app(live, vonage3_python, private_key_file)
    assert out["version"].startswith("3."), out["version"]
    check_kinds(live, out["jwt"], application_id=APP_ID, client_ref_prefix="py3-jwt")
    check_kinds(live, out["basic"], api_key=API_KEY, client_ref_prefix="py3-basic")

    # ClientError("<title>: <detail> (<type>)") built from our problem body: send the same
    # body by hand and compare with what the SDK made of it.
    problem = live.send({"channel": "sms", "message_type": "text", "to": N_TO, "from": N_FROM})
    assert problem.status_code == 422, problem.text
    body = problem.json()
    assert out["invalid"] == {
        "class": "ClientError",
        "message": f"{body['title']}: {body['detail']} ({body['type']})",
    }
    assert out["wrong_secret"] == {
        "class": "AuthenticationError",
        "message": "Authentication failed.",
    }
