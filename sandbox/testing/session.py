"""The session's sandbox behind the fixture (:class:`SandboxServer`: started in-process or
connected to by URL), the per-test :class:`Options`, and the key the fixture's SDK clients sign
their JWTs with."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, fields
from functools import lru_cache
from typing import Any

from sandbox.testing.app_transport import RoutingTransport
from sandbox.testing.client import SandboxClient

# Run-time settings of the whole server (`PUT /_sandbox/config`).
SERVER_OPTIONS = (
    "auto_deliver",
    "auto_read",
    "strict_auth",
    "failover_on_undeliverable",
    "rate_limit",
    "ttl_expiry",
    "whatsapp_window",
    "messenger_window",
)
# Settings an application can carry itself (`PUT /_sandbox/applications/{id}`).
WEBHOOK_OPTIONS = ("status_url", "inbound_url", "webhook_version")
# What a test on a shared server sets on its own application instead of the whole server.
APPLICATION_OPTIONS = (*WEBHOOK_OPTIONS, "rate_limit")
DEFAULT_APP_BASE = "http://app.test"


@dataclass(frozen=True)
class Options:
    """Per-test options: the ``nexmo_sandbox_config`` fixture, then the marker, on top."""

    auto_deliver: float | None = None
    auto_read: float | None = None
    strict_auth: bool | None = None
    failover_on_undeliverable: bool | None = None
    rate_limit: float | None = None
    ttl_expiry: bool | None = None
    whatsapp_window: bool | None = None
    messenger_window: bool | None = None
    status_url: str | None = None  # absolute, or a path on the mounted ``app``
    inbound_url: str | None = None
    webhook_version: str | None = None
    app: Any = None  # ASGI or WSGI app that receives the webhooks in-process
    app_base_url: str = DEFAULT_APP_BASE
    check_errors: bool = True  # fail the test on exceptions inside the sandbox or the app
    check_webhooks: bool = True  # ... and on webhooks refused (non-2xx), unanswered or lost
    follow_time: bool = False  # the virtual clock follows the test's freezegun / time-machine
    handsets: Mapping[str, Mapping[str, Any]] | None = None  # address -> handset profile
    chaos: Sequence[Mapping[str, Any]] | None = None  # chaos rules for the test (fixture_faults)
    chaos_seed: int | None = None  # the seed of those rules (and, in-process, of the server)

    @classmethod
    def build(cls, *layers: Mapping[str, Any]) -> Options:
        known = {f.name for f in fields(cls)}
        merged: dict[str, Any] = {}
        for layer in layers:
            unknown = set(layer) - known
            if unknown:
                raise TypeError(
                    f"unknown nexmo_sandbox option(s): {', '.join(sorted(unknown))}; "
                    f"known: {', '.join(sorted(known))}"
                )
            merged.update(layer)
        return cls(**merged)


class SandboxServer:
    """The session's sandbox: started here (``start``) or already running (``connect``)."""

    def __init__(self, url: str, *, background: Any = None, routing: Any = None) -> None:
        self.url = url.rstrip("/")
        self.background = background  # sandbox.server.BackgroundServer when in-process
        self.routing: RoutingTransport | None = routing
        transport = None
        if background is not None and background.loop is not None:
            from sandbox.testing.loop_transport import ServerLoopTransport

            # In-process: the control calls go straight onto the server's loop, no socket.
            transport = ServerLoopTransport(background.app, background.loop)
        self.client = SandboxClient(self.url, transport=transport, trust_env=background is None)
        # The HTTPS listener (in-process server started with Settings(tls=True)), else None.
        self.tls_url: str | None = getattr(background, "tls_url", None)
        # The channels of a remote server (its health answer), for naming a misspelt one.
        self.channels: list[str] | None = None
        self.ca_path: str | None = getattr(background, "ca_path", None)

    @property
    def shared(self) -> bool:
        """Remote: other tests (other workers, other machines) use it at the same time."""
        return self.background is None

    @property
    def runtime(self) -> Any:
        """The in-process server's :class:`sandbox.asgi.runtime.Runtime` (None when remote)."""
        return None if self.background is None else self.background.app.state.runtime

    @classmethod
    def start(cls, settings: Any = None) -> SandboxServer:
        from sandbox.app import create_app
        from sandbox.server import BackgroundServer
        from sandbox.settings import Settings

        settings = settings or Settings(clock="manual", log_level="warning")
        routing = RoutingTransport()
        app = create_app(settings, transport=routing)
        tls = None
        if settings.tls:
            from sandbox.tls import ensure_certificate

            tls = ensure_certificate(settings.state_dir)
        background = BackgroundServer(app, host=settings.host, tls=tls)
        # No websocket routes: not loading uvicorn's websocket protocol saves ~20 ms.
        background.server.config.ws = "none"
        background.start()
        return cls(background.url, background=background, routing=routing)

    @classmethod
    def connect(cls, url: str) -> SandboxServer:
        server = cls(url)
        health = server.client.health()  # fail at session start, not in the first test
        channels = health.get("channels")
        if isinstance(channels, list):  # a server older than the list says nothing
            server.channels = [str(c) for c in channels]
        return server

    def stop(self) -> None:
        self.client.close()
        if self.background is not None:
            self.background.stop()


# One application id for JWTs in the in-process server (each test's server state is reset).
SESSION_APPLICATION_ID = "5a4d1b6e-0b5c-4c3a-9f3e-5a9d6f1c2b7e"


@lru_cache(maxsize=1)
def private_key_pem() -> str:
    """An RSA key for SDK JWTs. The sandbox checks signatures only of applications that
    registered a public key, so any key works; made once per process (about 50 ms)."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()
