"""kill -9 under load with `--db`, then a restart: nothing acknowledged is lost and what was
in flight moves on (a Dispatch expiry, a v1 failover, a failing webhook's retries, a handset's
auto-delivery), signed with the same secret. Real processes, a real receiver."""

from __future__ import annotations

import os
import pathlib
import signal
import subprocess
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import httpx
import jwt
import pytest

from tests.e2e.banner import read_banner
from tests.helpers import BASIC, bearer, sms
from tests.receiver import Received, receiver

pytestmark = pytest.mark.e2e

USER, SMS_FROM = "447700900100", "447700900001"
APP = "restart-app"


@contextmanager
def serve(db: pathlib.Path, state: pathlib.Path, status_url: str) -> Iterator[tuple[str, str]]:
    """`nexmo-sandbox serve --db` as a real process: (url, signature secret); killed -9 at
    the end unless it already exited."""
    env = {
        **os.environ,
        "NEXMO_SANDBOX_PORT": "0",
        "NEXMO_SANDBOX_LOG_LEVEL": "warning",
        "NEXMO_SANDBOX_STATE_DIR": str(state),
    }
    args = ["--db", str(db), "--clock", "manual", "--status-url", status_url]
    args += ["--whatsapp-window", "off"]  # freeform WhatsApp to users who never wrote
    proc = subprocess.Popen(
        [sys.executable, "-m", "sandbox", "serve", "--auto-deliver", "30", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env=env,
    )
    watchdog = threading.Timer(60, proc.kill)  # the child never outlives a stuck test long
    watchdog.start()
    try:
        url, _, line = read_banner(proc)
        yield url, line.split("signature secret: ", 1)[1].split()[0]
    finally:
        watchdog.cancel()
        if proc.poll() is None:
            proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=10)


def dispatch_body() -> dict[str, Any]:
    return {
        "template": "failover",
        "workflow": [
            {
                "from": {"type": "whatsapp", "number": SMS_FROM},
                "to": {"type": "whatsapp", "number": USER},
                "message": {"content": {"type": "text", "text": "Dispatch (WhatsApp)"}},
                "failover": {"expiry_time": 600, "condition_status": "read"},
            },
            {
                "from": {"type": "sms", "number": SMS_FROM},
                "to": {"type": "sms", "number": USER},
                "message": {"content": {"type": "text", "text": "Dispatch (SMS)"}},
            },
        ],
    }


def failover_body() -> dict[str, Any]:
    return {
        "channel": "whatsapp",
        "message_type": "text",
        "to": USER,
        "from": SMS_FROM,
        "text": "v1 (WhatsApp)",
        "failover": [sms(to=USER, text="v1 (SMS)")],
    }


def test_kill_9_under_load_then_restart_resumes(tmp_path: pathlib.Path) -> None:
    db, state = tmp_path / "sandbox.db", tmp_path / "state"
    app_auth = {"Authorization": bearer(APP, exp=None)}
    with receiver() as rec:
        # The /failing receiver refuses with a 500 (retried, as Vonage retries 5xx).
        rec.answer = lambda r: 500 if r.path == "/failing" else 200
        with serve(db, state, rec.at("/status")) as (url, secret_before):
            http = httpx.Client(base_url=url, timeout=10)
            d = http.post("/v0.1/dispatch", json=dispatch_body(), headers=app_auth)
            assert d.status_code == 202, d.text
            dispatch_uuid = d.json()["dispatch_uuid"]
            f = http.post("/v1/messages", json=failover_body(), headers=app_auth)
            assert f.status_code == 202, f.text
            primary = f.json()["message_uuid"]
            failing = http.post(
                "/v1/messages",
                json=sms(to=USER, text="to a failing receiver", webhook_url=rec.at("/failing")),
                headers={"Authorization": BASIC},
            ).json()["message_uuid"]
            http.post("/_sandbox/settle")
            failing_attempts = len(rec.bodies("/failing"))
            assert failing_attempts >= 1
            http.post("/_sandbox/clock/advance", json={"seconds": 10})  # one retry at +5 s
            assert len(rec.bodies("/failing")) > failing_attempts
            failing_attempts = len(rec.bodies("/failing"))

            # Load from four threads; the process is killed -9 while they are sending.
            acked: list[str] = []
            lock = threading.Lock()
            enough = threading.Event()

            def load(n: int) -> None:
                with httpx.Client(base_url=url, timeout=5) as c:
                    for i in range(10_000):
                        try:
                            r = c.post(
                                "/v1/messages",
                                json=sms(to=f"4477009{n}{i:05d}", text=f"load {n} {i}"),
                                headers={"Authorization": BASIC},
                            )
                        except httpx.HTTPError:
                            return  # the process is gone
                        if r.status_code == 202:
                            with lock:
                                acked.append(r.json()["message_uuid"])
                                if len(acked) >= 400:
                                    enough.set()

            threads = [threading.Thread(target=load, args=(n,)) for n in range(4)]
            for t in threads:
                t.start()
            assert enough.wait(60), f"only {len(acked)} sends acknowledged"
        # (the `with` killed it with SIGKILL, mid-load)
        for t in threads:
            t.join(timeout=30)
        http.close()
        assert len(acked) >= 400

        with serve(db, state, rec.at("/status")) as (url, secret_after):
            assert secret_after == secret_before
            http = httpx.Client(base_url=url, timeout=10)
            kept = http.get("/_sandbox/messages", params={"limit": 1}).json()["total"]
            missing = [u for u in acked if http.get(f"/_sandbox/messages/{u}").status_code != 200]
            assert missing == [], f"{len(missing)} of {len(acked)} acknowledged sends lost"
            assert kept >= len(acked) + 3  # and the Dispatch, v1 and failing sends

            # The Dispatch workflow is still there, waiting on its primary.
            wf = http.get(f"/_sandbox/dispatches/{dispatch_uuid}").json()
            assert wf["status"] == "active", wf
            # The v1 failover moves on when its primary is rejected after the restart.
            v1 = http.get(f"/_sandbox/messages/{primary}").json()["workflow"]
            r = http.post(
                f"/_sandbox/messages/{primary}/status",
                json={"status": "rejected", "error_code": 1020},
            )
            assert r.status_code == 200, r.text
            flow = http.get(f"/_sandbox/workflows/{v1['id']}").json()
            assert flow["steps"][1]["message_uuid"] is not None, flow
            assert flow["steps"][0]["outcome"].startswith("rejected")

            # Virtual time moves on: handsets deliver (auto-deliver 30 s, kept), the Dispatch
            # expiry fires and sends its SMS, and the failing webhook keeps retrying.
            sample = acked[0]
            assert http.get(f"/_sandbox/messages/{sample}").json()["status"] == "submitted"
            advanced = http.post("/_sandbox/clock/advance", json={"seconds": 700})
            assert advanced.status_code == 200, advanced.text
            assert http.get(f"/_sandbox/messages/{sample}").json()["status"] == "delivered"
            wf = http.get(f"/_sandbox/dispatches/{dispatch_uuid}").json()
            assert wf["steps"][0]["outcome"].startswith("expired"), wf
            fallback = wf["steps"][1]["message_uuid"]
            assert http.get(f"/_sandbox/messages/{fallback}").json()["text"] == "Dispatch (SMS)"
            assert len(rec.bodies("/failing")) > failing_attempts
            ledger = http.get("/_sandbox/webhooks", params={"message_uuid": failing}).json()
            (first,) = [w for w in ledger["webhooks"] if w["event"] == "submitted"]
            assert first["state"] == "retrying"
            submitted = [b for b in rec.bodies("/failing") if b["status"] == "submitted"]
            assert len(first["attempts"]) == len(submitted) > failing_attempts
            # Signed with the same secret before and after: an app's verifier keeps working.
            late: Received = [r for r in rec.received if r.path == "/failing"][-1]
            claims = jwt.decode(late.token, secret_after, algorithms=["HS256"])
            assert claims["api_key"] == "abcd1234"
            http.close()
