"""The DNS-rebinding guard: a page that makes its own name resolve to 127.0.0.1 still sends
that name as `Host`, and the sandbox answers it 421 instead of its messages."""

from __future__ import annotations

import pytest

from sandbox.app import create_app
from sandbox.cli import build_parser, settings_from
from sandbox.settings import Settings
from tests.conftest import Api
from tests.helpers import BASIC, sms


@pytest.mark.parametrize("host", ["evil.example", "evil.example:8000", "127.0.0.1.evil.example"])
def test_a_foreign_host_name_is_refused_everywhere(api: Api, host: str) -> None:
    for path in ("/_sandbox/messages", "/", "/_sandbox/config"):
        r = api.get(path, headers={"Host": host})
        assert r.status_code == 421, (path, r.text)
        assert r.headers["content-type"] == "application/problem+json"
        assert "--allowed-hosts" in r.json()["detail"]
    r = api.post("/v1/messages", json=sms(), headers={"Host": host, "Authorization": BASIC})
    assert r.status_code == 421 and api.rt.store.count() == 0
    r = api.post("/_sandbox/reset", json={}, headers={"Host": host})
    assert r.status_code == 421


@pytest.mark.parametrize(
    "host", ["127.0.0.1", "127.0.0.1:8000", "localhost:8000", "[::1]:8000", "LOCALHOST"]
)
def test_loopback_names_are_answered(api: Api, host: str) -> None:
    assert api.get("/_sandbox/health", headers={"Host": host}).status_code == 200


def test_more_names_can_be_allowed_and_everywhere_allows_any() -> None:
    with Api(create_app(Settings(allowed_hosts=("sandbox", "Mock.Test")))) as api:
        assert api.get("/_sandbox/health", headers={"Host": "sandbox:8000"}).status_code == 200
        assert api.get("/_sandbox/health", headers={"Host": "mock.test"}).status_code == 200
        assert api.get("/_sandbox/health", headers={"Host": "other"}).status_code == 421
    with Api(create_app(Settings(host="0.0.0.0"))) as api:
        assert api.get("/_sandbox/health", headers={"Host": "anything:1"}).status_code == 200
    args = build_parser().parse_args(["serve", "--allowed-hosts", "sandbox, api.test"])
    assert settings_from(args, {}).allowed_hosts == ("sandbox", "api.test")
    env = {"NEXMO_SANDBOX_ALLOWED_HOSTS": "a,b"}
    assert settings_from(build_parser().parse_args(["serve"]), env).allowed_hosts == ("a", "b")
