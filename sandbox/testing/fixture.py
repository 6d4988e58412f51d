"""What the pytest fixture ``nexmo_sandbox`` hands a test: :class:`SandboxHandle`.

Two ways to have a sandbox behind it (:class:`SandboxServer`):

* **in-process** (default): one real uvicorn server per test session (per xdist worker), on a
  free loopback port in a background thread, clock in manual mode, reset before every test.
  Webhooks can go straight into an ASGI/WSGI app object (:meth:`SandboxHandle.mount`).
* **remote** (``--nexmo-sandbox-url`` / ``NEXMO_SANDBOX_URL``): a sandbox someone else runs,
  shared by many tests and workers, like moto's server mode. Each test then gets its own
  application id and sees, resets and configures only that application's messages; the clock
  and the server-wide defaults are shared, so options that change them are refused.

Nothing here sleeps: waiting for a message is a server-side long poll on the event bus, and
"nothing arrives within N virtual seconds" advances the virtual clock N seconds and looks.
"""

from __future__ import annotations

import uuid as uuidlib
from collections.abc import Mapping
from dataclasses import dataclass, fields
from functools import lru_cache
from typing import Any

from sandbox.testing.app_transport import RoutingTransport
from sandbox.testing.client import SandboxClient
from sandbox.testing.client_types import ClockState, Message
from sandbox.testing.fixture_views import Inbox, WebhookLedger, fmt_filters

# Run-time settings of the whole server (`PUT /_sandbox/config`).
SERVER_OPTIONS = ("auto_deliver", "auto_read", "strict_auth", "failover_on_undeliverable")
# Settings an application can carry itself (`PUT /_sandbox/applications/{id}`).
WEBHOOK_OPTIONS = ("status_url", "inbound_url", "webhook_version")
DEFAULT_APP_BASE = "http://app.test"


@dataclass(frozen=True)
class Options:
    """Per-test options: the ``nexmo_sandbox_config`` fixture, then the marker, on top."""

    auto_deliver: float | None = None
    auto_read: float | None = None
    strict_auth: bool | None = None
    failover_on_undeliverable: bool | None = None
    status_url: str | None = None  # absolute, or a path on the mounted ``app``
    inbound_url: str | None = None
    webhook_version: str | None = None
    app: Any = None  # ASGI or WSGI app that receives the webhooks in-process
    app_base_url: str = DEFAULT_APP_BASE
    check_errors: bool = True  # fail the test on exceptions inside the sandbox or the app
    check_webhooks: bool = True  # ... and on webhooks answered 5xx or not answered at all

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
        self.client = SandboxClient(self.url)
        # The HTTPS listener (in-process server started with Settings(tls=True)), else None.
        self.tls_url: str | None = getattr(background, "tls_url", None)
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
        server.client.health()  # fail at session start, not in the first test
        return server

    def stop(self) -> None:
        self.client.close()
        if self.background is not None:
            self.background.stop()


class SandboxHandle:
    """One test's view of the sandbox. See docs/pytest.md for a tour."""

    def __init__(self, server: SandboxServer, options: Options | None = None) -> None:
        self.server = server
        self.client = server.client
        self.url = server.url
        # Remote servers are shared: this test owns one application id and looks only at it.
        self.application_id: str | None = str(uuidlib.uuid4()) if server.shared else None
        self.options = options or Options()
        self._errors_offset = 0

    # -- connection details for the app under test ----------------------------------------------
    @property
    def api_host(self) -> str:
        """``host:port``: what an SDK takes as its API host (vonage 4.x ``api_host``)."""
        return self.url.split("://", 1)[1]

    @property
    def signature_secret(self) -> str:
        """The secret the sandbox signs webhooks with (HS256), for the app to verify them."""
        return str(self.client.config()["signature_secret"])

    def vonage(self, *, basic: bool = False) -> Any:
        """The same as :meth:`vonage_client` (kept for the shorter name)."""
        return self.vonage_client(basic=basic)

    @property
    def tls_url(self) -> str | None:
        """``https://127.0.0.1:port`` when the sandbox has its TLS listener (``tls=True`` in
        ``nexmo_sandbox_settings``, or ``--nexmo-sandbox-tls``), else None."""
        return self.server.tls_url

    @property
    def ca_path(self) -> str | None:
        """The certificate to trust for :attr:`tls_url` (``REQUESTS_CA_BUNDLE``,
        ``NODE_EXTRA_CA_CERTS``), or None without TLS."""
        return self.server.ca_path

    def vonage_client(self, *, basic: bool = False) -> Any:
        """An official ``vonage`` 4.x client for this sandbox, built by
        :func:`sandbox.sdk_clients.vonage_client`: over the TLS listener (trusting
        :attr:`ca_path` for that host only) when there is one, else over plain HTTP. JWT auth by
        default (this test's application id on a shared server); ``basic=True`` for a key."""
        from sandbox.sdk_clients import vonage_client as build

        url, ca = (self.tls_url, self.ca_path) if self.tls_url else (self.url, None)
        if basic:
            return build(url, ca_path=ca, api_key="sandbox", api_secret="sandbox-secret")
        return build(
            url,
            ca_path=ca,
            application_id=self.application_id or SESSION_APPLICATION_ID,
            private_key=private_key_pem(),
        )

    # -- lifecycle ----------------------------------------------------------------------------
    def begin(self) -> None:
        """Reset and apply this test's options (the fixture calls it before the test)."""
        self.reset()
        self.configure_options(self.options)

    def finish(self) -> None:
        """After the test: unmount apps; on a shared server, drop this test's application."""
        if self.server.routing is not None:
            self.server.routing.unmount_all()
        if self.application_id is not None:
            self.client.reset(self.application_id)

    def reset(self) -> None:
        """Forget every message, timer, webhook and setting change (this application's only,
        on a shared server) and unmount apps."""
        if self.server.routing is not None:
            self.server.routing.unmount_all()
        self.client.reset(self.application_id)
        if self.server.shared:
            self._errors_offset = self.client.errors(self._errors_offset)[1]
        else:
            self._errors_offset = 0

    def configure_options(self, options: Options) -> None:
        server_changes = {n: getattr(options, n) for n in SERVER_OPTIONS}
        server_changes = {k: v for k, v in server_changes.items() if v is not None}
        webhooks = {n: getattr(options, n) for n in WEBHOOK_OPTIONS}
        webhooks = {k: v for k, v in webhooks.items() if v is not None}
        if options.app is not None:
            self.mount(options.app, base_url=options.app_base_url)
            for name in ("status_url", "inbound_url"):
                if name in webhooks and webhooks[name].startswith("/"):
                    webhooks[name] = options.app_base_url.rstrip("/") + webhooks[name]
        self.configure(**server_changes, **webhooks)

    def configure(self, **changes: Any) -> None:
        """Change settings for this test: auto_deliver, auto_read, strict_auth,
        failover_on_undeliverable, status_url, inbound_url, webhook_version."""
        if not changes:
            return
        if self.application_id is None:
            self.client.configure(**changes)
            return
        server_wide = sorted(set(changes) - set(WEBHOOK_OPTIONS))
        if server_wide:
            raise RuntimeError(
                f"{', '.join(server_wide)} change the whole server, which other tests share "
                "(--nexmo-sandbox-url): run those tests against the in-process server."
            )
        self.client.put_application(self.application_id, **changes)

    def mount(
        self,
        app: Any,
        *,
        base_url: str = DEFAULT_APP_BASE,
        status_url: str | None = None,
        inbound_url: str | None = None,
    ) -> None:
        """Deliver webhooks for ``base_url``'s host straight into ``app`` (ASGI or WSGI), with
        no port. ``status_url``/``inbound_url`` (paths) also point the webhooks there."""
        if self.server.routing is None:
            raise RuntimeError(
                "webhooks into an app object need the in-process sandbox; a remote sandbox "
                "can only reach a URL"
            )
        host = base_url.split("://", 1)[-1].split("/", 1)[0]
        self.server.routing.mount(host, app)
        urls = {"status_url": status_url, "inbound_url": inbound_url}
        urls = {k: base_url.rstrip("/") + v for k, v in urls.items() if v is not None}
        self.configure(**urls)

    # -- messages -----------------------------------------------------------------------------
    def _filters(self, filters: Mapping[str, Any]) -> dict[str, Any]:
        if self.application_id is not None:
            return {"application_id": self.application_id, **filters}
        return dict(filters)

    def messages(self, **filters: Any) -> list[Message]:
        """Matching messages, oldest first (filters as :meth:`SandboxClient.messages`)."""
        return list(reversed(self.client.messages(limit=1000, **self._filters(filters))))

    def message(self, uuid: str) -> Message:
        """One message with its history and webhook deliveries."""
        return self.client.message(uuid)

    def inbox(self, channel: str, number: str) -> Inbox:
        """The simulated handset ``number`` on ``channel``."""
        return Inbox(self, channel, number)

    def wait_for(self, *, count: int = 1, timeout: float = 5.0, **filters: Any) -> Message:
        """Block until ``count`` messages match (the app may send from another thread); the
        newest match. ``timeout`` is in real seconds; the wait is an event, not a poll."""
        result = self.client.wait_for_messages(
            count=count, timeout=timeout, **self._filters(filters)
        )
        if not result.matched:
            raise AssertionError(
                f"waited {timeout:g}s for {count} message(s) matching {fmt_filters(filters)}; "
                f"{result.total} matched.\n{self._listing()}"
            )
        return result.messages[0]

    def assert_no_messages(self, *, within: float = 0.0, **filters: Any) -> None:
        """Advance the virtual clock ``within`` seconds, then assert that no message matching
        ``filters`` arrived meanwhile ("nothing is sent within 30 s")."""
        before = {m.uuid for m in self.messages(**filters)}
        if within:
            self.advance(within)
        else:
            self.settle()
        new = [m for m in self.messages(**filters) if m.uuid not in before]
        if new:
            lines = "\n".join(f"  - {m.describe()}" for m in new)
            raise AssertionError(
                f"expected no message matching {fmt_filters(filters)} within {within:g} virtual "
                f"seconds; {len(new)} arrived:\n{lines}"
            )

    def mark(
        self, uuid: str, status: str, error_code: int | None = None, *, reason: str | None = None
    ) -> Message:
        """The handset reports ``status`` (delivered, read, rejected, undeliverable); the
        status webhooks have been attempted when this returns."""
        return self.client.mark(uuid, status, error_code, reason=reason)

    def reply(
        self,
        channel: str,
        from_: str,
        to: str | None = None,
        *,
        text: str | None = None,
        message_type: str | None = None,
        **fields: Any,
    ) -> Message:
        """The end user ``from_`` sends a message to the app's address ``to`` (default: the
        address that last wrote to them); the inbound webhook has been attempted on return."""
        return self.client.inbound(
            channel,
            from_,
            to,
            text=text,
            message_type=message_type,
            application_id=self.application_id,
            **fields,
        )

    # -- time ---------------------------------------------------------------------------------
    @property
    def clock(self) -> ClockState:
        return self.client.clock()

    def advance(self, seconds: float) -> ClockState:
        """Move virtual time on, firing what falls due in order (and settling its webhooks)."""
        return self.client.advance(seconds)

    def advance_to_next(self) -> ClockState:
        return self.client.advance_to_next()

    def run_until_idle(self) -> ClockState:
        return self.client.run_until_idle()

    def settle(self) -> None:
        """Return once nothing due is waiting and no webhook attempt is in flight."""
        self.client.settle()

    # -- webhooks and errors ------------------------------------------------------------------
    @property
    def webhooks(self) -> WebhookLedger:
        return WebhookLedger(self)

    def problems(self) -> list[str]:
        """Everything that went wrong during this test, readable."""
        self.settle()  # webhooks still in flight may yet fail
        out: list[str] = []
        opts = self.options
        if opts.check_errors:
            if self.server.routing is not None:
                for err in self.server.routing.errors:
                    out.append(f"the app raised on {err.method} {err.url}:\n{err.traceback}")
            records, _ = self.client.errors(self._errors_offset)
            for rec in records:
                out.append(f"the sandbox failed in {rec.where}:\n{rec.traceback}")
        if opts.check_webhooks:
            for d in self.webhooks.all():
                bad = [a for a in d.attempts if a.failed]
                if bad:
                    a = bad[-1]
                    what = f"HTTP {a.status_code}" if a.error is None else a.error
                    body = f": {a.response_body[:200]!r}" if a.response_body else ""
                    out.append(f"webhook {d.kind}/{d.event} to {a.url} failed ({what}){body}")
        return out

    def check(self) -> None:
        """Raise AssertionError listing :meth:`problems`, if any (the plugin calls it after
        each test; ``@pytest.mark.nexmo_sandbox(check_errors=False, check_webhooks=False)``
        turns it off)."""
        found = self.problems()
        if found:
            raise AssertionError(
                "nexmo-sandbox: something went wrong during the test:\n\n" + "\n\n".join(found)
            )

    def _listing(self) -> str:
        everything = self.messages()
        if not everything:
            return "The sandbox holds no messages."
        lines = "\n".join(f"  - {m.describe()}" for m in everything[-20:])
        return f"The sandbox holds {len(everything)} message(s) (last 20, oldest first):\n{lines}"


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
