"""Handset profiles across restarts (`--db`) and from a file (`--handsets`): what a reset keeps
and what it clears, and a file that cannot be used stops `serve` saying why."""

from __future__ import annotations

import io
import pathlib

import pytest

from sandbox.app import create_app
from sandbox.asgi.handsets_file import UnusableHandsetsFile
from sandbox.server import serve
from sandbox.settings import Settings
from tests.conftest import Api
from tests.harness import NO_WINDOWS
from tests.helpers import sms

ADA, BOB = "447700900123", "447700900222"

TOML = """
[handsets."447700900222"]
label = "Bob: no WhatsApp"
channels = { whatsapp = false, sms = { deliver_after = 3 } }
persona = [ { match = "^hi", reply = "hello back" } ]
"""


def test_profiles_and_pending_moves_survive_a_restart(tmp_path: pathlib.Path) -> None:
    settings = Settings(clock="manual", db=str(tmp_path / "h.db"), **NO_WINDOWS)
    with Api(create_app(settings)) as api:
        r = api.put(f"/_sandbox/handsets/{ADA}", json={"deliver_after": 10, "read_after": 5})
        assert r.status_code == 200, r.text
        uuid = api.send_v1(sms(channel="whatsapp", to=ADA)).json()["message_uuid"]
        api.advance(4)
    with Api(create_app(settings)) as api:
        kept = api.get(f"/_sandbox/handsets/{ADA}").json()
        assert kept["channels"]["*"]["deliver_after"] == 10
        # The plan is made again from the message's own times: delivered at 10 s, read at 15.
        api.advance(6)
        assert api.get(f"/_sandbox/messages/{uuid}").json()["status"] == "delivered"
        api.advance(5)
        assert api.get(f"/_sandbox/messages/{uuid}").json()["status"] == "read"
        api.post("/_sandbox/reset", json={})
    with Api(create_app(settings)) as api:
        assert api.get(f"/_sandbox/handsets/{ADA}").status_code == 404  # a reset clears them


def test_a_handsets_file_is_loaded_and_outlives_a_reset(tmp_path: pathlib.Path) -> None:
    path = tmp_path / "handsets.toml"
    path.write_text(TOML)
    with Api(create_app(Settings(clock="manual", handsets=str(path), **NO_WINDOWS))) as api:
        bob = api.get(f"/_sandbox/handsets/{BOB}").json()
        assert (bob["source"], bob["label"]) == ("file", "Bob: no WhatsApp")
        uuid = api.send_v1(sms(channel="whatsapp", to=BOB)).json()["message_uuid"]
        assert api.get(f"/_sandbox/messages/{uuid}").json()["status"] == "rejected"
        api.put(f"/_sandbox/handsets/{BOB}", json={"label": "changed"})
        api.post("/_sandbox/reset", json={})
        assert api.get(f"/_sandbox/handsets/{BOB}").json()["label"] == "Bob: no WhatsApp"


def test_a_json_file_works_too(tmp_path: pathlib.Path) -> None:
    path = tmp_path / "handsets.json"
    path.write_text('{"handsets": {"447700900222": {"channels": {"rcs": false}}}}')
    with Api(create_app(Settings(clock="manual", handsets=str(path)))) as api:
        got = api.get(f"/_sandbox/handsets/{BOB}").json()
        assert got["channels"]["rcs"]["has"] is False


@pytest.mark.parametrize(
    ("name", "text", "said"),
    [
        ("h.toml", "[handsets", "not valid TOML"),
        ("h.json", "{", "not valid JSON"),
        ("h.toml", "x = 1", "a table `handsets`"),
        ("h.toml", '[handsets."1"]\nchannels = { telegram = false }', "channels.telegram"),
        ("missing.toml", None, "cannot read it"),
    ],
)
def test_a_file_that_cannot_be_used_stops_serve(
    tmp_path: pathlib.Path, name: str, text: str | None, said: str
) -> None:
    path = tmp_path / name
    if text is not None:
        path.write_text(text)
    settings = Settings(clock="manual", handsets=str(path), port=0, state_dir=str(tmp_path))
    with pytest.raises(UnusableHandsetsFile, match="--handsets"):
        create_app(settings)
    out = io.StringIO()
    assert serve(settings, out) == 1
    assert said in out.getvalue()


def test_a_persona_still_answers_a_message_read_before_a_restart(tmp_path: pathlib.Path) -> None:
    settings = Settings(clock="manual", db=str(tmp_path / "p.db"), **NO_WINDOWS)
    profile = {"deliver_after": 0, "read_after": 1, "persona": [{"reply": "later", "after": 10}]}
    with Api(create_app(settings)) as api:
        api.put(f"/_sandbox/handsets/{ADA}", json=profile)
        api.send_v1(sms(channel="whatsapp", to=ADA))
        api.advance(5)  # read at 1 s; the answer is due at 10 s
    with Api(create_app(settings)) as api:
        api.advance(5)
        inbound = api.get("/_sandbox/messages?direction=inbound").json()["messages"]
        assert [m["text"] for m in inbound] == ["later"]
        api.advance(60)
        assert api.get("/_sandbox/messages?direction=inbound").json()["total"] == 1


def test_the_whatsapp_window_knows_who_wrote_before_a_restart(tmp_path: pathlib.Path) -> None:
    settings = Settings(clock="manual", db=str(tmp_path / "w.db"))  # the window on
    wrote = {"channel": "whatsapp", "from": ADA, "to": "447700900001", "text": "hi"}
    freeform = sms(channel="whatsapp", to=ADA)
    with Api(create_app(settings)) as api:
        assert api.post("/_sandbox/inbound", json=wrote).status_code == 201
    with Api(create_app(settings)) as api:
        uuid = api.send_v1(freeform).json()["message_uuid"]
        assert api.get(f"/_sandbox/messages/{uuid}").json()["status"] == "submitted"
        api.advance(24 * 3600 + 1)
        late = api.send_v1(freeform).json()["message_uuid"]
        assert api.get(f"/_sandbox/messages/{late}").json()["error"]["code"] == 1340
