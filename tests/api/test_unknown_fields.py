"""Nothing ignored without a word: a key a control call does not take, or a query parameter a
listing does not know, is a 422 naming it (`eror_code`, `chanel=sms`)."""

from __future__ import annotations

from typing import Any

import pytest

from tests.harness import Live, live_sandbox
from tests.helpers import sms

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def sb() -> Any:
    with live_sandbox() as live:
        yield live


CASES = [
    (
        "POST",
        "/_sandbox/messages/{uuid}/status",
        {"status": "rejected", "eror_code": 1020},
        "eror_code",
    ),
    ("POST", "/_sandbox/reset", {"aplication_id": "x"}, "aplication_id"),
    ("POST", "/_sandbox/settle", {"wait": True}, "wait"),
    ("PUT", "/_sandbox/applications/a", {"statusurl": "http://127.0.0.1:1/s"}, "statusurl"),
    ("PUT", "/_sandbox/accounts/k", {"secret": "x"}, "secret"),
    ("POST", "/_sandbox/conversations/seen", {"channel": "sms", "peer": "1", "all": 1}, "all"),
    ("POST", "/_sandbox/webhooks/{delivery}/resend", {"uri": "http://127.0.0.1:1/"}, "uri"),
    ("GET", "/_sandbox/messages?chanel=sms", None, "chanel"),
    ("GET", "/_sandbox/webhooks?stat=failed", None, "stat"),
    ("GET", "/_sandbox/conversations?chanel=sms", None, "chanel"),
    ("GET", "/_sandbox/workflows?state=active", None, "state"),
    ("GET", "/_sandbox/wait?chanel=sms&timeout=0.1", None, "chanel"),
    ("GET", "/_sandbox/errors?limit=5", None, "limit"),
]


@pytest.mark.parametrize(("method", "path", "body", "name"), CASES, ids=[c[3] for c in CASES])
def test_an_unknown_key_or_filter_is_a_422_naming_it(
    sb: Live, method: str, path: str, body: Any, name: str
) -> None:
    uuid = sb.sent(sms())["message_uuid"]
    sb.control("POST", "/settle")
    delivery = sb.webhooks(message_uuid=uuid)[0]["id"]
    r = sb.http.request(method, path.format(uuid=uuid, delivery=delivery), json=body)
    assert r.status_code == 422, r.text
    assert r.headers["content-type"] == "application/problem+json"
    (invalid,) = r.json()["invalid_parameters"]
    assert invalid["name"] == name
    assert "is not a" in invalid["reason"]
    # Nothing was done: the message is still as it was.
    assert sb.message(uuid)["status"] == "submitted"


def test_the_known_spelling_still_works(sb: Live) -> None:
    uuid = sb.sent(sms())["message_uuid"]
    r = sb.http.post(
        f"/_sandbox/messages/{uuid}/status", json={"status": "rejected", "error_code": 1020}
    )
    assert r.status_code == 200, r.text
    assert sb.http.get("/_sandbox/messages?channel=sms&limit=1").json()["messages"][0]["status"]
