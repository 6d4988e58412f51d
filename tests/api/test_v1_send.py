"""`POST /v1/messages` accepts every channel x message type."""

from __future__ import annotations

import uuid

import pytest

from tests.conftest import Api
from tests.helpers import V1_EXAMPLES, bearer, sms


@pytest.mark.parametrize(
    "body", V1_EXAMPLES, ids=[f"{b['channel']}-{b['message_type']}" for b in V1_EXAMPLES]
)
def test_every_channel_and_type_is_accepted(api: Api, body: dict[str, object]) -> None:
    r = api.send_v1(body)
    assert r.status_code == 202, r.text
    assert r.headers["content-type"] == "application/json"
    data = r.json()
    assert set(data) == {"message_uuid"}
    assert uuid.UUID(data["message_uuid"]).version == 4
    stored = api.get(f"/_sandbox/messages/{data['message_uuid']}").json()
    assert stored["status"] == "submitted"
    assert stored["channel"] == body["channel"]
    assert stored[str(body["message_type"])] == body[str(body["message_type"])]


@pytest.mark.parametrize(
    "path", ["/v1/messages", "/v1/messages/", "/v1/messages?", "/v1/messages/?"]
)
def test_path_variants(api: Api, path: str) -> None:
    r = api.send_v1(sms(), path=path)
    assert r.status_code == 202, (path, r.text)


def test_message_lands_in_inbox_of_channel_and_recipient(api: Api) -> None:
    api.send_v1(sms(to="447700900111", text="one"))
    api.send_v1(sms(to="447700900222", text="two"))
    api.send_v1({**sms(to="447700900111"), "channel": "whatsapp", "text": "wa"})
    r = api.get("/_sandbox/messages", params={"channel": "sms", "to": "447700900111"}).json()
    assert [m["text"] for m in r["messages"]] == ["one"]
    assert r["total"] == 1


def test_sender_is_remembered(api: Api) -> None:
    a = api.send_v1(sms()).json()["message_uuid"]
    b = api.send_v1(sms(), auth=bearer("app-123")).json()["message_uuid"]
    ma = api.get(f"/_sandbox/messages/{a}").json()
    mb = api.get(f"/_sandbox/messages/{b}").json()
    assert (ma["api_key"], ma["application_id"]) == ("abcd1234", None)
    assert mb["application_id"] == "app-123"
    assert api.get("/_sandbox/applications/app-123").status_code == 200


def test_newest_first_and_paging(api: Api) -> None:
    for i in range(5):
        api.send_v1(sms(text=f"m{i}"))
    page = api.get("/_sandbox/messages", params={"limit": 2, "offset": 1}).json()
    assert [m["text"] for m in page["messages"]] == ["m3", "m2"]
    assert page["total"] == 5


def test_patch_marks_whatsapp_inbound_read(api: Api) -> None:
    inbound = api.post(
        "/_sandbox/inbound",
        json={"channel": "whatsapp", "from": "447700900000", "to": "447700900001", "text": "hi"},
    ).json()
    r = api.patch(
        f"/v1/messages/{inbound['message_uuid']}",
        json={"status": "read"},
        headers={"Authorization": bearer()},
    )
    assert r.status_code == 202
    assert api.get(f"/_sandbox/messages/{inbound['message_uuid']}").json()["status"] == "read"


def test_patch_refuses_basic_unknown_and_unsupported(api: Api) -> None:
    out = api.send_v1(sms()).json()["message_uuid"]
    r = api.patch(
        f"/v1/messages/{out}",
        json={"status": "read"},
        headers={"Authorization": "Basic YWJjZDpzZWNyZXQ="},
    )
    assert r.status_code == 401
    r = api.patch(
        f"/v1/messages/{uuid.uuid4()}", json={"status": "read"}, headers={"Authorization": bearer()}
    )
    assert r.status_code == 404
    assert r.json()["type"] == "https://developer.vonage.com/api-errors#not-found"
    r = api.patch(
        f"/v1/messages/{out}", json={"status": "read"}, headers={"Authorization": bearer()}
    )
    assert r.status_code == 422
    assert r.json()["title"] == "Operation not supported"
