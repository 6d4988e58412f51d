"""A real sandbox with its TLS listener, as the official SDKs meet it, plus the trust settings
(REQUESTS_CA_BUNDLE / NODE_EXTRA_CA_CERTS) for in-process and child-process clients."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from sandbox.app import create_app
from sandbox.sdk_clients import api_host, sdk_env
from sandbox.server import BackgroundServer
from sandbox.settings import Settings
from sandbox.tls import TlsFiles, ensure_certificate
from tests.conftest import need
from tests.harness import NO_WINDOWS, Live
from tests.helpers import rsa_pair
from tests.sdk import toolchain

APP_ID = "0f5c2d8e-6a1b-4c3d-9e7f-5a6b7c8d9e0f"
API_KEY, API_SECRET = "abcd1234", "s3cr3tS3cr3t"


@dataclass
class TlsLive(Live):
    """``Live`` plus the HTTPS listener of the same server."""

    tls_url: str = ""
    ca_path: str = ""

    @property
    def tls_host(self) -> str:
        """``127.0.0.1:port``: the only thing a Python SDK user changes."""
        return api_host(self.tls_url)

    def env(self) -> dict[str, str]:
        """Environment for an SDK child process: trusts this sandbox's certificate."""
        return sdk_env(self.ca_path)

    @property
    def signature_secret(self) -> str:
        return str(self.control("GET", "/config")["signature_secret"])


@contextmanager
def tls_sandbox(tls: TlsFiles, **settings: Any) -> Iterator[TlsLive]:
    """A BackgroundServer with both listeners; strict auth with the test application's public
    key and the test account registered, so every SDK's credentials are really checked."""
    base: dict[str, Any] = {
        "clock": "manual",
        "strict_auth": True,
        "accounts": (f"{API_KEY}:{API_SECRET}",),
        **NO_WINDOWS,
    }
    app = create_app(Settings(**{**base, **settings}))
    server = BackgroundServer(app, tls=tls).start()
    try:
        with httpx.Client(base_url=server.url, timeout=30) as http:
            live = TlsLive(
                server.url,
                app.state.runtime,
                http,
                tls_url=server.tls_url or "",
                ca_path=server.ca_path or "",
            )
            live.control("PUT", f"/applications/{APP_ID}", {"public_key": rsa_pair("app")[1]})
            yield live
    finally:
        server.stop()


@pytest.fixture(scope="session")
def tls_files(tmp_path_factory: pytest.TempPathFactory) -> TlsFiles:
    return ensure_certificate(tmp_path_factory.mktemp("sandbox-state"))


@pytest.fixture
def live(tls_files: TlsFiles) -> Iterator[TlsLive]:
    with tls_sandbox(tls_files) as sandbox:
        yield sandbox


@pytest.fixture
def private_key_file(tmp_path: Path) -> str:
    path = tmp_path / "private.key"
    path.write_text(rsa_pair("app")[0])
    return str(path)


@pytest.fixture(scope="session")
def node_modules() -> Path:
    try:
        return toolchain.node_modules()
    except toolchain.Unavailable as exc:
        need(False, str(exc))
        raise  # unreachable: need() skips or fails


@pytest.fixture(scope="session")
def vonage3_python() -> Path:
    try:
        return toolchain.vonage3_python()
    except toolchain.Unavailable as exc:
        need(False, str(exc))
        raise
