"""The pytest plugin (registered through the `pytest11` entry point). Fixtures only; every
import of the sandbox happens lazily inside them, so installing the package costs a test
session nothing until a test asks for the sandbox.

Fixtures:
    nexmo_sandbox           a :class:`sandbox.testing.fixture.SandboxHandle`, reset before the test
    nexmo_sandbox_server    (session) the running sandbox: in-process, or remote by URL
    nexmo_sandbox_settings  (session) Settings the in-process server starts with; override it
    nexmo_sandbox_config    per-test options (dict); override it in a conftest.py

Marker:
    @pytest.mark.nexmo_sandbox(auto_deliver=0, status_url="/webhooks/status", app=my_app, ...)

Options:
    --nexmo-sandbox-url URL (or NEXMO_SANDBOX_URL): use a sandbox that is already running.

After each test that used the sandbox, anything that went wrong inside it (an exception in a
handler or in a mounted app, a mounted app that wedged, a webhook the app refused or never got)
fails the test, saying why.

freezegun and time-machine: the sandbox signs webhooks and judges JWT expiry by the test's own
clock, so freezing never breaks it; ``follow_time=True`` makes its virtual clock follow too.
"""

from __future__ import annotations

import contextlib
import importlib
import os
import sys
from collections.abc import Generator, Iterator
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from sandbox.settings import Settings
    from sandbox.testing.fixture import SandboxHandle, SandboxServer

URL_ENV = "NEXMO_SANDBOX_URL"
MARKER = "nexmo_sandbox"


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("nexmo-sandbox")
    group.addoption(
        "--nexmo-sandbox-url",
        dest="nexmo_sandbox_url",
        default=None,
        help=f"Use the nexmo-sandbox already running at this URL (also ${URL_ENV}) instead "
        "of starting one per session; each test is isolated by its own application id.",
    )
    group.addoption(
        "--nexmo-sandbox-record",
        dest="nexmo_sandbox_record",
        default=None,
        metavar="DIR",
        help="Write the flight recording of each failing test that used the sandbox to "
        "DIR/<test id>.json (open it in the inbox at /replay).",
    )
    group.addoption(
        "--nexmo-sandbox-tls",
        dest="nexmo_sandbox_tls",
        action="store_true",
        default=False,
        help="Give the in-process sandbox its HTTPS listener too (nexmo_sandbox.tls_url, "
        ".ca_path; vonage_client() then uses it), as `nexmo-sandbox serve --tls`.",
    )


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        f"{MARKER}(**options): per-test nexmo-sandbox options: auto_deliver, auto_read, "
        "strict_auth, failover_on_undeliverable, status_url, inbound_url, webhook_version, "
        "app (ASGI/WSGI app receiving webhooks), app_base_url, check_errors, check_webhooks, "
        "follow_time (the virtual clock follows freezegun / time-machine), rate_limit, "
        "ttl_expiry, whatsapp_window, messenger_window, handsets ({address: profile}), "
        "chaos ([rule, ...]: faults on purpose), chaos_seed.",
    )


def pytest_collection_finish(session: pytest.Session) -> None:
    """Import the vonage SDK now if a time-faking library is loaded and a test uses the sandbox:
    imported first inside a freeze, its pydantic models fail on freezegun's datetime class."""
    if "freezegun" not in sys.modules:
        return
    if not any(MARKER in getattr(item, "fixturenames", ()) for item in session.items):
        return
    for name in ("vonage", "vonage_messages"):
        with contextlib.suppress(ImportError):
            importlib.import_module(name)


@pytest.fixture(scope="session")
def nexmo_sandbox_settings() -> Settings:
    """Settings of the in-process server. Override to change start-up defaults."""
    from sandbox.settings import Settings

    return Settings(clock="manual", log_level="warning")


@pytest.fixture(scope="session")
def nexmo_sandbox_server(
    request: pytest.FixtureRequest, nexmo_sandbox_settings: Settings
) -> Iterator[SandboxServer]:
    from sandbox.testing.fixture import SandboxServer

    url = request.config.getoption("nexmo_sandbox_url") or os.environ.get(URL_ENV)
    settings = nexmo_sandbox_settings
    if request.config.getoption("nexmo_sandbox_tls", False):
        settings = settings.replace(tls=True)
    server = SandboxServer.connect(url) if url else SandboxServer.start(settings)
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def nexmo_sandbox_config() -> dict[str, Any]:
    """Per-test options for every test in scope; the marker's keywords override them."""
    return {}


@pytest.fixture
def nexmo_sandbox(
    request: pytest.FixtureRequest,
    nexmo_sandbox_server: SandboxServer,
    nexmo_sandbox_config: dict[str, Any],
) -> Iterator[SandboxHandle]:
    from sandbox.testing.fixture import Options, SandboxHandle

    layers: list[dict[str, Any]] = [nexmo_sandbox_config]
    # Closest marker last: a function's marker beats its class's and module's.
    for mark in reversed(list(request.node.iter_markers(MARKER))):
        if mark.args:
            raise pytest.UsageError(f"@pytest.mark.{MARKER} takes keyword arguments only")
        layers.append(dict(mark.kwargs))
    try:
        options = Options.build(*layers)
    except TypeError as exc:
        raise pytest.UsageError(str(exc)) from None
    handle = SandboxHandle(nexmo_sandbox_server, options)
    handle.begin()
    yield handle
    handle.finish()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    """The flight recorder: a failing test's report gets the sandbox's timeline for that test,
    and ``--nexmo-sandbox-record DIR`` a JSON file of it."""
    report = yield
    if report.when != "call" or not report.failed:
        return report
    handle = getattr(item, "funcargs", {}).get("nexmo_sandbox")
    if handle is None:
        return report
    from sandbox.testing import recorder

    try:
        doc = recorder.recording(
            handle, test=item.nodeid, outcome="failed", failure=str(report.longrepr or "")
        )
        text = recorder.render(doc)
        folder = item.config.getoption("nexmo_sandbox_record", None)
        if folder:
            try:
                path = recorder.write(doc, folder)
            except OSError as exc:
                text += f"\nrecording not written: {exc}"
            else:
                text += f"\nrecording: {path} (open it in the inbox at {handle.url}/replay)"
    except Exception as exc:  # the sandbox may be what broke: never hide the real failure
        text = f"(no timeline: {exc!r})"
    report.sections.append(("nexmo-sandbox timeline", text))
    return report


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item: pytest.Item) -> Iterator[None]:
    """Fail a test that passed when something went wrong inside the sandbox meanwhile."""
    result = yield
    funcargs = getattr(item, "funcargs", {})
    handle = funcargs.get("nexmo_sandbox")
    if handle is not None:
        problems = handle.problems()
        if problems:
            # Only the message: a traceback through this hook would tell the user nothing.
            pytest.fail(
                "nexmo-sandbox: something went wrong during the test:\n\n" + "\n\n".join(problems),
                pytrace=False,
            )
    return result
