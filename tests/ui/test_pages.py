"""The inbox pages and the control endpoints it adds, in process (no browser): escaping, URL
rules, pagination caps, summaries."""

from __future__ import annotations

from typing import Any

import pytest

from sandbox.core.conversations import summarise
from sandbox.core.models import Message, Outbound, Sender, StatusChange
from tests.conftest import Api
from ui.views import safe_url

APP, USER = "447700900000", "447700900001"


def text(api: Api, to: str, body: str, channel: str = "sms", frm: str = APP) -> str:
    r = api.send_v1(
        {"channel": channel, "message_type": "text", "to": to, "from": frm, "text": body}
    )
    assert r.status_code == 202, r.text
    return str(r.json()["message_uuid"])


@pytest.mark.parametrize(
    ("url", "ok"),
    [
        ("https://example.com/a.png", True),
        ("http://127.0.0.1:8000/x.jpg?a=1&b=2", True),
        ("javascript:alert(1)", False),
        ("JaVaScRiPt:alert(1)", False),
        (" https://example.com/a.png", False),
        ("java\tscript:alert(1)", False),
        ("data:image/png;base64,AAAA", False),
        ("//evil.example/x.png", False),
        ("/static/favicon.svg", False),
        ("https:", False),
        ("", False),
        (None, False),
        (42, False),
    ],
)
def test_safe_url_allows_only_absolute_http_urls(url: Any, ok: bool) -> None:
    assert safe_url(url) == (url if ok else None)


def _m(uuid: str, channel: str, peer: str, direction: str = "outbound", text: str = "t") -> Message:
    to, frm = (peer, APP) if direction == "outbound" else (APP, peer)
    status = "submitted" if direction == "outbound" else "received"
    return Message(uuid, direction, channel, to, frm, "text", text,  # type: ignore[arg-type]
                   (StatusChange(status, 100.0),))  # fmt: skip


def test_summarise_orders_by_arrival_even_when_virtual_time_stands_still() -> None:
    arrival = [
        _m("1", "sms", "A"),
        _m("2", "whatsapp", "B"),
        _m("3", "sms", "A", "inbound", "Hello There"),
        _m("4", "sms", "C"),
        _m("5", "sms", "A", "inbound"),
    ]
    arrival[2].seen = True
    rows = summarise(reversed(arrival))
    assert [(r.channel, r.peer) for r in rows] == [("sms", "A"), ("sms", "C"), ("whatsapp", "B")]
    a = rows[0]
    assert (a.count, a.unread, a.last.uuid, a.app_address, a.status) == (
        3, 1, "5", APP, "received"
    )  # fmt: skip
    assert [r.peer for r in summarise(reversed(arrival), channel="whatsapp")] == ["B"]
    assert [r.peer for r in summarise(reversed(arrival), q="hello there")] == ["A"]
    assert [r.peer for r in summarise(reversed(arrival), q="c")] == ["C"]
    assert summarise(reversed(arrival), q="nothing like it") == []


def test_the_buttons_offer_what_the_engine_accepts(api: Api) -> None:
    wa = api.rt.store.get(text(api, USER, "x", "whatsapp"))
    sms = api.rt.store.get(text(api, USER, "x", "sms"))
    assert wa is not None and sms is not None
    actions = api.rt.engine.allowed_marks
    assert actions(wa) == ["delivered", "read", "rejected", "undeliverable"]
    assert actions(sms) == ["delivered", "rejected", "undeliverable"]
    api.mark(wa.uuid, "delivered")
    assert actions(wa) == ["read"]
    api.mark(sms.uuid, "rejected")
    assert actions(sms) == []


def test_pages_escape_and_refuse_unsafe_urls(api: Api) -> None:
    text(api, USER, "<script>alert(1)</script>", "whatsapp")
    image = {"url": "javascript:alert(1)", "caption": '"><img src=x onerror=alert(2)>'}
    r = api.send_v1(
        {"channel": "whatsapp", "message_type": "image", "to": USER, "from": APP, "image": image}
    )
    assert r.status_code == 422  # not a URL: refused; one kept anyway (an older --db) is inert
    draft = Outbound("whatsapp", USER, APP, "image", {"image": image})
    api.app.state.runtime.engine.send(draft, Sender(api_key="abcd1234"))
    for path in ("/", f"/conversation?channel=whatsapp&peer={USER}"):
        page = api.get(path)
        assert page.status_code == 200
        assert page.headers["content-type"].startswith("text/html")
        assert "script-src 'self'" in page.headers["content-security-policy"]
        html = page.text
        assert "<script>alert(1)" not in html
        assert "javascript:alert" not in html.split("<main", 1)[1].split('class="inert"')[0]
        assert "<img src=x" not in html
    html = api.get(f"/conversation?channel=whatsapp&peer={USER}").text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert 'src="javascript' not in html and 'href="javascript' not in html


def test_unknown_conversation_and_message_are_404_pages(api: Api) -> None:
    assert api.get("/conversation?channel=sms&peer=1").status_code == 404
    assert api.get("/conversation?channel=nope&peer=1").status_code == 404
    assert api.get("/conversation").status_code == 404
    assert api.get("/messages/not-a-uuid").status_code == 404
    assert api.get("/?offset=abc&channel=").status_code == 200  # bad paging falls back


def test_pages_never_render_more_than_a_page(api: Api) -> None:
    for i in range(120):
        text(api, f"4477009{i:05d}", f"hello {i}")
    for i in range(230):
        text(api, USER, f"thread {i}", "whatsapp")
    html = api.get("/").text
    assert html.count('class="conv ') == 50
    assert "1\u201350 of 121" in html
    html2 = api.get("/?offset=100").text
    assert html2.count('class="conv ') == 21
    thread = api.get(f"/conversation?channel=whatsapp&peer={USER}").text
    assert thread.count('<li class="msg ') == 100
    assert "thread 229" in thread and "thread 129" not in thread
    oldest = api.get(f"/conversation?channel=whatsapp&peer={USER}&offset=200").text
    assert oldest.count('<li class="msg ') == 30
    assert "thread 0<" in oldest


def test_conversations_api_and_seen(api: Api) -> None:
    text(api, USER, "hi", "sms")
    assert (
        api.post(
            "/_sandbox/inbound", json={"channel": "sms", "from": USER, "text": "yo"}
        ).status_code
        == 201
    )
    data = api.get("/_sandbox/conversations?channel=sms").json()
    assert data["total"] == 1 and data["limit"] == 50 and data["offset"] == 0
    row = data["conversations"][0]
    assert (row["peer"], row["app_address"], row["count"], row["unread"]) == (USER, APP, 2, 1)
    assert row["last"]["text"] == "yo" and row["last"]["direction"] == "inbound"
    assert api.get("/_sandbox/conversations?limit=x").status_code == 422

    seen = api.post(
        "/_sandbox/conversations/seen", content=b'{"channel":"sms","peer":"%s"}' % USER.encode()
    )
    assert seen.status_code == 415  # JSON only, like every state-changing control call
    seen = api.post("/_sandbox/conversations/seen", json={"channel": "sms", "peer": USER})
    assert seen.json() == {"seen": 1}
    assert api.get("/_sandbox/conversations").json()["conversations"][0]["unread"] == 0
    assert (
        api.post("/_sandbox/conversations/seen", json={"channel": "sms", "peer": "0"}).status_code
        == 404
    )
    assert api.post("/_sandbox/conversations/seen", json={"channel": 1}).status_code == 422


def test_static_files_and_pages_are_served(api: Api) -> None:
    for path in ("/static/app.js", "/static/app.css", "/static/favicon.svg"):
        assert api.get(path).status_code == 200
    for path in ("/time", "/webhooks", "/failover"):
        r = api.get(path)
        assert r.status_code == 200, path
        assert 'id="clock-now"' in r.text


def test_one_webhook_page_and_an_unknown_one(api: Api) -> None:
    assert api.get("/webhooks/wh_999999").status_code == 404
    assert "No webhook wh_999999." in api.get("/webhooks/wh_999999").text
