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
handler, a webhook answered 5xx or not at all, an exception in a mounted app) fails the test.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
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
        "app (ASGI/WSGI app receiving webhooks), app_base_url, check_errors, check_webhooks.",
    )


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
