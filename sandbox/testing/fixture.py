"""What the pytest fixture ``nexmo_sandbox`` hands a test: :class:`SandboxHandle`.

Two ways to have a sandbox behind it (:class:`~sandbox.testing.session.SandboxServer`):

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
import warnings
from collections.abc import Mapping
from typing import Any

from sandbox.testing.client_types import ClockState, Message
from sandbox.testing.diagnose import webhook_problems
from sandbox.testing.faked_time import faked_time, followed_time
from sandbox.testing.fixture_faults import FaultsMixin
from sandbox.testing.fixture_views import Inbox, WebhookLedger, fmt_filters
from sandbox.testing.session import (
    APPLICATION_OPTIONS,
    DEFAULT_APP_BASE,
    SERVER_OPTIONS,
    SESSION_APPLICATION_ID,
    WEBHOOK_OPTIONS,
    Options,
    SandboxServer,
    private_key_pem,
)

__all__ = ["Options", "SandboxHandle", "SandboxServer"]


class SandboxHandle(FaultsMixin):
    """One test's view of the sandbox. See docs/pytest.md for a tour."""

    def __init__(self, server: SandboxServer, options: Options | None = None) -> None:
        self.server = server
        self.client = server.client
        self.url = server.url
        # Remote servers are shared: this test owns one application id and looks only at it.
        self.application_id: str | None = str(uuidlib.uuid4()) if server.shared else None
        self.options = options or Options()
        self._errors_offset = 0
        # The clock's moves this test made, for the flight recorder: {"from", "to", ...}.
        self.clock_moves: list[dict[str, Any]] = []

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
        """Deprecated: the earlier name of :meth:`vonage_client`."""
        warnings.warn(
            "nexmo_sandbox.vonage() is now nexmo_sandbox.vonage_client()",
            DeprecationWarning,
            stacklevel=2,
        )
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
        try:
            import vonage  # noqa: F401 (the import that breaks under a freeze, made here)

            from sandbox.sdk_clients import vonage_client as build
        except Exception as exc:
            if faked_time() == "freezegun" and "FakeDatetime" in str(exc):
                raise RuntimeError(
                    "the vonage SDK was first imported while freezegun froze time, and pydantic "
                    "cannot build its models around freezegun's datetime. Import vonage at the "
                    "top of the test module or in conftest.py (the plugin imports it at "
                    "collection when freezegun is already imported by then)."
                ) from exc
            raise

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
        if self.options.follow_time:
            self.follow_time()

    def follow_time(self, on: bool = True) -> None:
        """Make the virtual clock follow this test's freezegun or time-machine (``on``), or stop.
        While it follows, a freeze before the first send sets the clock, and ``tick()`` /
        ``move_to()`` / a ticking freeze move it on, firing what falls due."""
        runtime = self.server.runtime
        if runtime is None:
            raise RuntimeError(
                "follow_time moves the clock of the whole server, which other tests share "
                "(--nexmo-sandbox-url): run those tests against the in-process server."
            )
        runtime.followed.follow(followed_time if on else None)

    def finish(self) -> None:
        """After the test: unmount apps; on a shared server, drop this test's application."""
        if self.server.runtime is not None:
            self.server.runtime.followed.follow(None)
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
        self.clock_moves.clear()
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
        for address, profile in (options.handsets or {}).items():
            self.handset(address, **profile)
        self._configure_faults(options)

    def handset(self, address: str, **profile: Any) -> dict[str, Any]:
        """Give ``address`` a handset profile for this test (`channels`, `deliver_after`,
        `persona`...: docs/pytest.md); returns it as the sandbox keeps it."""
        return self.client.put_handset(address, **profile)

    def configure(self, **changes: Any) -> None:
        """Change this test's settings (shared server: its application's URLs, rate_limit)."""
        if not changes:
            return
        if self.application_id is None:
            self.client.configure(**changes)
            return
        server_wide = sorted(set(changes) - set(APPLICATION_OPTIONS))
        if server_wide:
            verb = "changes" if len(server_wide) == 1 else "change"
            raise RuntimeError(
                f"{', '.join(server_wide)} {verb} the whole server, which other tests share "
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
        runtime = self.server.runtime
        known = runtime.channels.names() if runtime is not None else self.server.channels
        if known is not None and channel not in known:
            raise ValueError(f"unknown channel {channel!r}; the sandbox has: {', '.join(known)}")
        return Inbox(self, channel, number)

    def wait_for(self, *, count: int = 1, timeout: float = 5.0, **filters: Any) -> Message:
        """Block until ``count`` messages match (the app may send from another thread); the
        newest match. ``timeout`` is in real seconds; the wait is an event, not a poll."""
        flt = self._filters(filters)
        result = self.client.wait_for_messages(count=count, timeout=timeout, **flt)
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

    def tap(
        self, uuid: str, suggestion: int | None = None, *, postback_data: str | None = None
    ) -> Message:
        """The handset taps a suggestion chip of message ``uuid`` (RCS): by its position (chips
        of the cards first, then the message's own) or by its postback data. The inbound
        webhook has been attempted when this returns."""
        return self.client.tap(uuid, suggestion, postback_data=postback_data)

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
        return self._moved(self.client.advance(seconds))

    def advance_to_next(self) -> ClockState:
        return self._moved(self.client.advance_to_next())

    def run_until_idle(self) -> ClockState:
        return self._moved(self.client.run_until_idle())

    def _moved(self, state: ClockState) -> ClockState:
        if state.moved is not None:
            self.clock_moves.append(state.moved)
        return state

    def recording(self, *, test: str = "", outcome: str = "") -> dict[str, Any]:
        """What the sandbox saw during this test so far (the flight recorder's JSON document:
        messages, webhooks with every attempt, clock moves, a timeline). See
        :mod:`sandbox.testing.recorder`; the inbox opens it at ``/replay``."""
        from sandbox.testing.recorder import recording

        return recording(self, test=test, outcome=outcome)

    def settle(self) -> None:
        """Return once nothing due is waiting and no webhook attempt is in flight."""
        self.client.settle()

    # -- webhooks and errors ------------------------------------------------------------------
    @property
    def webhooks(self) -> WebhookLedger:
        return WebhookLedger(self)

    def problems(self) -> list[str]:
        """Everything that went wrong during this test, readable. A clean test costs one call:
        the settle's summary says whether there is anything to look at."""
        # Settles: webhooks still in flight may yet fail.
        summary = self.client.settle(summary=True, application_id=self.application_id)
        out: list[str] = []
        opts = self.options
        routing = self.server.routing
        if opts.check_errors:
            if routing is not None:
                for err in routing.errors:
                    out.append(f"the app raised on {err.method} {err.url}:\n{err.traceback}")
                out.extend(stall.explain() for stall in routing.stalls)
            # A server too old to count says nothing: then look.
            if int(summary.get("errors", self._errors_offset + 1)) > self._errors_offset:
                records, _ = self.client.errors(self._errors_offset)
                for rec in records:
                    out.append(f"the sandbox failed in {rec.where}:\n{rec.traceback}")
        if opts.check_webhooks:
            counts = summary.get("webhooks") or {"troubled": 1, "no_url": 1}
            mounted = routing is not None and routing.mounted
            if counts["troubled"] or (mounted and counts["no_url"]):
                found = self._webhook_problems(mounted)
                if not found and counts["troubled"]:  # older than the newest 1,000 fetched
                    found = [
                        f"{counts['troubled']} webhook(s) of this test were refused, unanswered "
                        "or are still pending (older than the 1,000 the check reads): see "
                        "nexmo_sandbox.webhooks.all()."
                    ]
                out.extend(found)
        return out

    def _webhook_problems(self, mounted: bool) -> list[str]:
        # Settled already: read the ledger straight, not through `webhooks` (it settles).
        deliveries = list(reversed(self.client.webhooks(limit=1000, **self._filters({}))))
        routing = self.server.routing
        return webhook_problems(
            deliveries,
            # Read only if a refusal is explained by the signature: a call less otherwise.
            secret=lambda: self.signature_secret,
            app_clock={} if routing is None else routing.app_clock,
            mounted=mounted,
            remote=self.server.shared,
        )

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
