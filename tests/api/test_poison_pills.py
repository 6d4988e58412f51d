"""Bodies that parse as JSON in Python but are not standard JSON or not text: refused at the
edge with Vonage's invalid-json answer, so nothing stored can break a reader afterwards."""

from __future__ import annotations

import pytest

from tests.conftest import Api
from tests.helpers import BASIC

SMS = '{"channel":"sms","message_type":"text","to":"447700900000","from":"447700900001",'
READERS = ("/_sandbox/messages", "/_sandbox/webhooks", "/_sandbox/conversations", "/", "/webhooks")


@pytest.mark.parametrize(
    "tail",
    [
        '"text":"\\ud800"}',  # a lone surrogate: valid JSON text, no UTF-8 string
        '"text":"ok","client_ref":"\\udfff"}',
        '"text":"ok","sms":{"\\ud800":1}}',  # in a key
        '"text":"ok","ttl":NaN}',
        '"text":"ok","ttl":Infinity}',
        '"text":"ok","ttl":-Infinity}',
        '"text":"ok","ttl":1e400}',
        '"text":"ok","ttl":' + "9" * 4301 + "}",
    ],
    ids=[
        "surrogate-text",
        "surrogate-ref",
        "surrogate-key",
        "nan",
        "inf",
        "-inf",
        "1e400",
        "4301-digits",
    ],
)
def test_not_json_or_not_text_is_invalid_json_and_readers_stay_up(api: Api, tail: str) -> None:
    r = api.post(
        "/v1/messages",
        content=(SMS + tail).encode(),
        headers={"Authorization": BASIC, "Content-Type": "application/json"},
    )
    assert r.status_code == 422, r.text
    assert r.json()["type"] == "https://developer.vonage.com/api-errors#invalid-json"
    assert api.rt.store.count() == 0
    for path in READERS:
        assert api.get(path).status_code == 200, path


def test_a_paired_surrogate_escape_is_text(api: Api) -> None:
    r = api.post(
        "/v1/messages",
        content=(SMS + '"text":"smile \\ud83d\\ude00"}').encode(),
        headers={"Authorization": BASIC, "Content-Type": "application/json"},
    )
    assert r.status_code == 202, r.text
    (m,) = api.get("/_sandbox/messages").json()["messages"]
    assert m["text"] == "smile \U0001f600"


def test_the_control_api_refuses_the_same_inbound(api: Api) -> None:
    r = api.post(
        "/_sandbox/inbound",
        content=b'{"channel":"sms","from":"447700900001","to":"447700900000","text":"\\ud800"}',
        headers={"Content-Type": "application/json"},
    )
    assert r.status_code == 422
    assert api.get("/_sandbox/conversations").status_code == 200


@pytest.mark.parametrize("value", [1e308, 400 * 24 * 3600 + 1, -1, 10**30])
def test_run_time_delays_are_bounded(api: Api, value: float) -> None:
    r = api.put("/_sandbox/config", json={"auto_deliver": value})
    assert r.status_code == 422
    assert [p["name"] for p in r.json()["invalid_parameters"]] == ["auto_deliver"]
    assert api.get("/_sandbox/config").json()["auto_deliver"] is None
    assert api.get("/_sandbox/clock").status_code == 200


@pytest.mark.parametrize("body", [b'{"seconds": NaN}', b'{"seconds": 1e400}'])
def test_the_clock_refuses_numbers_json_has_not(api: Api, body: bytes) -> None:
    r = api.post(
        "/_sandbox/clock/advance", content=body, headers={"Content-Type": "application/json"}
    )
    assert r.status_code == 422
    assert api.post("/_sandbox/clock/advance", json={"seconds": 10**19}).status_code == 422
    assert api.get("/_sandbox/clock").status_code == 200
