"""The pytest fixture's TLS side, as a user meets it (pytester, a fresh pytest process):
``tls_url``, ``ca_path`` and ``vonage_client()``, turned on by settings or by a flag."""

from __future__ import annotations

from pathlib import Path

import pytest

pytest_plugins = ["pytester"]

USER_TEST = """
from vonage import Auth, HttpClientOptions, Vonage
from vonage_messages import Sms


def sms(text):
    return Sms(to="447700900000", from_="447700900001", text=text)


def test_tls(nexmo_sandbox, monkeypatch):
    assert nexmo_sandbox.tls_url.startswith("https://127.0.0.1:")
    assert open(nexmo_sandbox.ca_path).read().startswith("-----BEGIN CERTIFICATE-----")
    client = nexmo_sandbox.vonage_client()
    assert client.http_client.api_host == nexmo_sandbox.tls_url.split("://")[1]
    uuid = client.messages.send(sms("jwt over tls")).message_uuid
    assert nexmo_sandbox.message(uuid).text == "jwt over tls"
    uuid = nexmo_sandbox.vonage_client(basic=True).messages.send(sms("basic")).message_uuid
    assert nexmo_sandbox.message(uuid).text == "basic"

    # An unmodified client: only api_host, and REQUESTS_CA_BUNDLE as the README says.
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", nexmo_sandbox.ca_path)
    plain = Vonage(Auth(api_key="k", api_secret="s"),
                   HttpClientOptions(api_host=nexmo_sandbox.tls_url.split("://")[1]))
    uuid = plain.messages.send(sms("unmodified")).message_uuid
    assert nexmo_sandbox.message(uuid).text == "unmodified"
"""


def test_tls_from_settings(pytester: pytest.Pytester, tmp_path: Path) -> None:
    state = tmp_path / "state"
    pytester.makeconftest(
        f"""
import pytest
from sandbox.settings import Settings

@pytest.fixture(scope="session")
def nexmo_sandbox_settings():
    return Settings(clock="manual", log_level="warning", tls=True, state_dir={str(state)!r})
"""
    )
    pytester.makepyfile(USER_TEST)
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider")
    result.assert_outcomes(passed=1)
    assert (state / "cert.pem").exists()


def test_tls_from_the_flag_uses_the_state_dir_in_home(
    pytester: pytest.Pytester, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HOME", str(tmp_path))
    pytester.makepyfile(USER_TEST)
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider", "--nexmo-sandbox-tls")
    result.assert_outcomes(passed=1)
    assert (tmp_path / ".nexmo-sandbox" / "cert.pem").exists()


def test_without_tls_vonage_client_speaks_plain_http(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
from vonage_messages import Sms

def test_plain(nexmo_sandbox):
    assert nexmo_sandbox.tls_url is None and nexmo_sandbox.ca_path is None
    sms = Sms(to="447700900000", from_="447700900001", text="plain")
    uuid = nexmo_sandbox.vonage_client().messages.send(sms).message_uuid
    assert nexmo_sandbox.message(uuid).text == "plain"
"""
    )
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider")
    result.assert_outcomes(passed=1)
