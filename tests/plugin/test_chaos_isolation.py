"""Tests side by side with different chaos rules each see only their own faults: under
`pytest -n 2` with a server per worker, and with one shared server (`--nexmo-sandbox-url`),
where the rules are scoped to each test's application."""

from __future__ import annotations

import pytest

from sandbox.server import running

pytest_plugins = ["pytester"]

SUITE = """
import pathlib

import pytest
from vonage_http_client import HttpRequestError
from vonage_messages import Sms


def send(sb, n):
    return sb.vonage_client().messages.send(
        Sms(to=f"44770090{n:04d}", from_="447700900001", text=f"n={n}")
    )


@pytest.mark.parametrize("n", range(6))
@pytest.mark.nexmo_sandbox(chaos=[{"effect": "reject", "error_code": 1300}], chaos_seed=1)
def test_rejected(nexmo_sandbox, n):
    uuid = send(nexmo_sandbox, n).message_uuid
    nexmo_sandbox.settle()
    message = nexmo_sandbox.message(uuid)
    assert message.status == "rejected", message
    assert message.raw["error"]["code"] == 1300
    effects = {e["effect"] for e in nexmo_sandbox.chaos_rules()["effects"]}
    assert effects == {"reject"}, effects


@pytest.mark.parametrize("n", range(6))
@pytest.mark.nexmo_sandbox(chaos=[{"effect": "throttle", "retry_after": 9}])
def test_throttled(nexmo_sandbox, n):
    with pytest.raises(HttpRequestError) as err:
        send(nexmo_sandbox, n)
    assert err.value.response.status_code == 429
    assert err.value.response.headers["retry-after"] == "9"
    assert nexmo_sandbox.messages() == []
    effects = {e["effect"] for e in nexmo_sandbox.chaos_rules()["effects"]}
    assert effects == {"throttle"}, effects


@pytest.mark.parametrize("n", range(6))
def test_untouched(nexmo_sandbox, n):
    uuid = send(nexmo_sandbox, n).message_uuid
    nexmo_sandbox.advance(60)
    assert nexmo_sandbox.message(uuid).status == "submitted"
    assert nexmo_sandbox.chaos_rules()["rules"] == []


@pytest.mark.parametrize("n", range(3))
@pytest.mark.nexmo_sandbox(
    chaos=[{"effect": "reject", "error_code": 1300, "probability": 0.5}], chaos_seed=3
)
def test_seeded(nexmo_sandbox, n):
    uuids = [send(nexmo_sandbox, i).message_uuid for i in range(16)]
    nexmo_sandbox.settle()
    fates = "".join("R" if nexmo_sandbox.message(u).status == "rejected" else "-" for u in uuids)
    pathlib.Path(__file__).with_name(f"fates-{n}.txt").write_text(fates)


@pytest.mark.parametrize("n", range(3))
@pytest.mark.nexmo_sandbox(rate_limit=1)
def test_own_rate_limit(nexmo_sandbox, n):
    send(nexmo_sandbox, n)
    with pytest.raises(HttpRequestError) as err:
        send(nexmo_sandbox, n)
    assert err.value.response.status_code == 429
"""


def test_parallel_workers_each_see_their_own_faults(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(SUITE)
    result = pytester.runpytest_subprocess("-n", "2", "-p", "no:randomly")
    result.assert_outcomes(passed=24)
    assert_same_draws(pytester)


def assert_same_draws(pytester: pytest.Pytester) -> None:
    """The same marker seed draws the same fates in every test, on whichever application."""
    fates = {(pytester.path / f"fates-{n}.txt").read_text() for n in range(3)}
    assert len(fates) == 1, fates
    (pattern,) = fates
    assert "R" in pattern and "-" in pattern, pattern


def test_one_shared_server_keeps_each_tests_faults_to_itself(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(SUITE)
    with running() as server:
        result = pytester.runpytest_subprocess(
            "-n", "2", "-p", "no:randomly", f"--nexmo-sandbox-url={server.url}"
        )
        result.assert_outcomes(passed=24)
        assert_same_draws(pytester)
        runtime = server.app.state.runtime
        assert list(runtime.chaos) == []  # each test's rules went with its application
        assert runtime.chaos.effects, "the faults did happen on the shared server"
        assert runtime.store.count() == 0
