"""`--max-messages`: a long-running sandbox keeps a bounded amount, its ledger with it, the
same with `--db`, and says so in `GET /_sandbox/health`."""

from __future__ import annotations

import pathlib

import pytest

from sandbox.app import create_app
from sandbox.cli import build_parser, settings_from
from sandbox.settings import SERVE_MAX_MESSAGES, Settings
from tests.conftest import Api
from tests.harness import live_sandbox
from tests.helpers import BASIC, bearer, sms
from tests.receiver import receiver

pytestmark = pytest.mark.e2e


def test_the_bound_drops_old_conversations_with_their_webhooks() -> None:
    with receiver() as rec, live_sandbox(max_messages=20, status_url="http://x.invalid") as sb:
        sb.control("PUT", "/config", {"status_url": rec.at("/status")})
        uuids = [sb.text(f"4477009{i:05d}", f"n{i}") for i in range(60)]
        sb.control("POST", "/settle")
        health = sb.control("GET", "/health")
        assert health["retention"]["max_messages"] == 20
        assert health["retention"]["stored"] <= 20
        assert health["retention"]["pruned"] == 60 - health["retention"]["stored"]
        kept = sb.control("GET", "/messages?limit=100")["messages"]
        assert {m["message_uuid"] for m in kept} == set(uuids[-len(kept) :])
        # The ledger holds the kept messages' webhooks only; every webhook still went out.
        ledger = sb.control("GET", "/webhooks?limit=200")
        assert {w["message_uuid"] for w in ledger["webhooks"]} == {m["message_uuid"] for m in kept}
        assert len(rec.bodies("/status")) == 60
        assert sb.http.get(f"/_sandbox/messages/{uuids[0]}").status_code == 404
        # The UI still renders what is left.
        assert sb.http.get("/").status_code == 200
        assert sb.http.get("/webhooks").status_code == 200


def test_with_db_what_was_pruned_stays_gone_after_a_restart(tmp_path: pathlib.Path) -> None:
    settings = Settings(clock="manual", db=str(tmp_path / "s.db"), max_messages=10)
    with Api(create_app(settings)) as api:
        for i in range(25):
            assert api.send_v1(sms(to=f"4477009{i:05d}"), auth=BASIC).status_code == 202
        stored = api.get("/_sandbox/messages").json()["total"]
        assert stored <= 10
    with Api(create_app(settings)) as api:
        assert api.get("/_sandbox/messages").json()["total"] == stored
        assert api.get("/_sandbox/webhooks").json()["total"] == stored  # one `submitted` each


def test_serve_keeps_a_bound_by_default_and_zero_lifts_it() -> None:
    parser = build_parser()
    assert settings_from(parser.parse_args(["serve"]), {}).max_messages == SERVE_MAX_MESSAGES
    lifted = settings_from(parser.parse_args(["serve", "--max-messages", "0"]), {})
    assert lifted.max_messages is None
    env = {"NEXMO_SANDBOX_MAX_MESSAGES": "500"}
    assert settings_from(parser.parse_args(["serve"]), env).max_messages == 500
    assert Settings().max_messages is None  # the library and the fixture keep everything


def test_pruned_workflows_leave_no_rows_and_no_stranded_failover(tmp_path: pathlib.Path) -> None:
    """An ended failover goes with its messages, from memory and from `--db`; a live one whose
    live message is pruned goes too (nothing could move it on any more)."""
    settings = Settings(clock="manual", db=str(tmp_path / "w.db"), max_messages=6)
    wa = {"channel": "whatsapp", "message_type": "text", "from": "447700900001", "text": "wa"}
    with Api(create_app(settings)) as api:
        ended = api.send_v1(
            {**wa, "to": "447700911111", "failover": [sms(to="447700911111")]}, auth=bearer("w")
        ).json()["message_uuid"]
        api.mark(ended, "delivered")
        live = api.send_v1(
            {**wa, "to": "447700922222", "failover": [sms(to="447700922222")]}, auth=bearer("w")
        ).json()["message_uuid"]
        assert api.get("/_sandbox/workflows").json()["total"] == 2
        for i in range(12):
            assert api.send_v1(sms(to=f"4477009{i:05d}"), auth=BASIC).status_code == 202
        assert api.get(f"/_sandbox/messages/{live}").status_code == 404
        assert api.get("/_sandbox/workflows").json()["total"] == 0
    with Api(create_app(settings)) as api:
        assert api.get("/_sandbox/workflows").json()["total"] == 0
