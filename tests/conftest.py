from __future__ import annotations

import os
from collections import Counter
from collections.abc import Iterator
from typing import Any

import pytest
from starlette.testclient import TestClient

from sandbox.app import create_app
from sandbox.asgi.runtime import Runtime
from sandbox.settings import Settings
from tests.harness import NO_WINDOWS, Live, live_sandbox
from tests.helpers import BASIC

REQUIRE_ALL = os.environ.get("NEXMO_SANDBOX_REQUIRE_ALL") == "1"


def need(condition: bool, reason: str) -> None:
    """Skip when a tool is missing on a user's machine; fail in CI (NEXMO_SANDBOX_REQUIRE_ALL)."""
    if condition:
        return
    if REQUIRE_ALL:
        pytest.fail(f"required in CI: {reason}")
    pytest.skip(reason)


def skip_reasons(reports: list[Any]) -> Counter[str]:
    """How many skipped reports each reason has (a skip's longrepr is (path, line, reason))."""
    reasons: Counter[str] = Counter()
    for report in reports:
        longrepr = getattr(report, "longrepr", None)
        if isinstance(longrepr, tuple | list) and len(longrepr) == 3:
            reason = str(longrepr[2])
        else:
            reason = str(longrepr or "no reason given")
        reasons[reason.removeprefix("Skipped: ")] += 1
    return reasons


def pytest_terminal_summary(terminalreporter: Any) -> None:
    """Skips said out loud at the end, with their reasons, even under -q: a missing tool
    (Chromium, node) skips whole groups of tests on a user's machine. CI makes the same
    conditions failures instead (NEXMO_SANDBOX_REQUIRE_ALL, see `need`)."""
    reasons = skip_reasons(terminalreporter.stats.get("skipped", []))
    if not reasons:
        return
    total = sum(reasons.values())
    terminalreporter.write_sep(
        "!", f"{total} test{'s' if total != 1 else ''} skipped", yellow=True, bold=True
    )
    for reason, count in reasons.most_common():
        terminalreporter.write_line(f"  {reason} (x{count})", yellow=True)


class Api(TestClient):
    """A TestClient that sends Basic credentials to the Vonage endpoints unless told not to."""

    def __init__(self, app: Any, **kwargs: Any) -> None:
        # A loopback name: the sandbox answers only the names it serves (DNS-rebinding guard).
        super().__init__(app, base_url=kwargs.pop("base_url", "http://127.0.0.1"), **kwargs)

    @property
    def rt(self) -> Runtime:
        rt: Runtime = self.app.state.runtime  # type: ignore[attr-defined]
        return rt

    def send_v1(self, body: object, auth: str | None = BASIC, path: str = "/v1/messages"):  # type: ignore[no-untyped-def]
        headers = {"Authorization": auth} if auth else {}
        return self.post(path, json=body, headers=headers)

    def mark(self, uuid: str, status: str, **extra: object):  # type: ignore[no-untyped-def]
        return self.post(f"/_sandbox/messages/{uuid}/status", json={"status": status, **extra})

    def advance(self, seconds: float):  # type: ignore[no-untyped-def]
        return self.post("/_sandbox/clock/advance", json={"seconds": seconds})


@pytest.fixture
def settings() -> Settings:
    return Settings(clock="manual", **NO_WINDOWS)


@pytest.fixture
def api(settings: Settings) -> Iterator[Api]:
    with Api(create_app(settings)) as client:
        yield client


@pytest.fixture(scope="module")
def module_live() -> Iterator[Live]:
    """One real sandbox shared by a test module's tests (through `sb`)."""
    with live_sandbox() as live:
        yield live


@pytest.fixture
def sb(module_live: Live) -> Live:
    """The module's live sandbox, reset for this test. A module may define its own `sb`."""
    module_live.control("POST", "/reset")
    return module_live
