"""Everything one sandbox is made of, wired together once: clock, scheduler, store, engine,
auth, and the listeners (webhooks, workflows) that react to the engine's events.

Routes get a :class:`Runtime` and never build parts themselves; tests can build one without
HTTP at all.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from fake_channels import Registry, default_registry
from sandbox.asgi.auth import Authenticator
from sandbox.asgi.persistence import SqlitePersistence
from sandbox.core.clock import VirtualClock
from sandbox.core.engine import Behaviour, Engine
from sandbox.core.events import Event, EventBus
from sandbox.core.models import Account
from sandbox.core.scheduler import Scheduler
from sandbox.core.store import MemoryStore, Store
from sandbox.core.timeline import Timeline
from sandbox.core.workflows import Workflows
from sandbox.settings import Settings
from sandbox.webhooks.outbox import Webhooks


@dataclass(slots=True)
class Defaults:
    """What can change at run time through `PUT /_sandbox/config` (the fixture's marker uses it);
    starts from the settings and goes back to them on reset."""

    status_url: str | None = None
    inbound_url: str | None = None
    webhook_version: str = "v1"
    failover_on_undeliverable: bool = False

    def to_dict(self) -> dict[str, Any]:
        return {
            "status_url": self.status_url,
            "inbound_url": self.inbound_url,
            "webhook_version": self.webhook_version,
            "failover_on_undeliverable": self.failover_on_undeliverable,
        }


# Extra sections a listener adds to a message's detail view: name -> (uuid -> data).
DetailProvider = Callable[[str], Any]


class Runtime:
    def __init__(
        self,
        settings: Settings,
        *,
        clock: VirtualClock | None = None,
        store: Store | None = None,
        channels: Registry | None = None,
    ) -> None:
        self.settings = settings
        self.clock = clock or VirtualClock(settings.clock)
        self.scheduler = Scheduler()
        self.bus = EventBus()
        self.store: Store = store or MemoryStore()
        self.channels = channels or default_registry()
        self.engine = Engine(
            clock=self.clock,
            scheduler=self.scheduler,
            store=self.store,
            channels=self.channels,
            bus=self.bus,
        )
        self.timeline = Timeline(self.clock, self.scheduler, self.bus)
        self.auth = Authenticator(self.engine, self.clock.wall, settings.strict_auth)
        self.defaults = Defaults()
        self.details: dict[str, DetailProvider] = {}
        self.public_url = f"http://{settings.host}:{settings.port}"  # set by the server
        self.webhooks = Webhooks(
            bus=self.bus,
            clock=self.clock,
            scheduler=self.scheduler,
            store=self.store,
            channels=self.channels,
            defaults=lambda: self.defaults,
            signature_secret=settings.signature_secret,
            connect_timeout=settings.webhook_connect_timeout,
            timeout=settings.webhook_timeout,
            self_base=lambda: self.public_url,
        )
        self.timeline.settlers.append(self.webhooks)
        # After the webhooks: a status webhook must be queued before the failover it triggers.
        self.workflows = Workflows(self.engine, self.bus, self.scheduler, self.channels)
        self.details["webhooks"] = lambda uuid: [
            d.to_dict() for d in self.webhooks.ledger.for_message(uuid)
        ]
        # Unexpected exceptions anywhere, for tests to surface: {"where", "traceback"}.
        self.errors: list[dict[str, str]] = []
        self.bus.subscribe(self._record_error, ("error",))
        self.persistence: SqlitePersistence | None = None
        if settings.db:
            self.persistence = SqlitePersistence(settings.db, self.store, self.bus)
            latest = self.persistence.load()
            if latest is not None:
                self.clock.move_to(latest)  # time never runs back behind stored history
        self.apply_settings()

    def _record_error(self, event: Event) -> None:
        if event.kind == "error":
            data = event.data if isinstance(event.data, dict) else {"traceback": str(event.data)}
            detail = data.get("traceback") or data.get("error") or ""
            self.errors.append({"where": str(data.get("where", "")), "traceback": str(detail)})

    def apply_settings(self) -> None:
        """Put run-time defaults back to what the settings say (start-up and reset)."""
        s = self.settings
        self.engine.behaviour = Behaviour(s.auto_deliver, s.auto_read)
        self.auth.strict = s.strict_auth
        self.defaults = Defaults(
            status_url=s.status_url,
            inbound_url=s.inbound_url,
            failover_on_undeliverable=s.failover_on_undeliverable,
        )
        self.workflows.on_undeliverable = s.failover_on_undeliverable
        for pair in s.accounts:
            key, _, secret = pair.partition(":")
            if key not in self.store.accounts:
                self.store.accounts[key] = Account(key, secret)
                self.bus.publish(Event("account.updated", self.store.accounts[key]))

    def reset(self, application_id: str | None = None) -> None:
        self.engine.reset(application_id)
        if application_id is None:
            self.errors.clear()
            self.apply_settings()

    @property
    def transport(self) -> Any:
        return self.webhooks.transport

    @transport.setter
    def transport(self, value: Any) -> None:
        """The httpx transport outgoing webhooks use (tests inject one)."""
        self.webhooks.set_transport(value)

    async def aclose(self) -> None:
        """Release what the listeners hold (webhook connections)."""
        await self.webhooks.aclose()
        if self.persistence is not None:
            self.persistence.close()

    def checkpoint(self) -> list[int]:
        """Take before an action whose webhooks the caller must wait for (see settle)."""
        return self.timeline.checkpoint()

    async def settle(self, marks: list[int] | None = None) -> None:
        """Fire what is due now; wait until the webhooks caused since ``marks`` (a checkpoint
        taken before acting) were attempted once. With no marks: everything in flight."""
        if marks is None:
            await self.timeline.catch_up([0] * len(self.timeline.settlers))
        else:
            await self.timeline.catch_up(marks)
