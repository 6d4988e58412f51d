"""Everything one sandbox is made of, wired together once: clock, scheduler, store, engine,
auth, and the listeners (webhooks, failover, Dispatch, persistence) that react to the engine's
events.

Routes get a :class:`Runtime` and never build parts themselves; tests can build one without
HTTP at all.
"""

from __future__ import annotations

import copy
from typing import Any

from fake_channels import default_registry
from sandbox.asgi.auth import Authenticator
from sandbox.asgi.chaos_file import load_chaos_file
from sandbox.asgi.follow import FollowedClock
from sandbox.asgi.handsets_file import load_handsets_file
from sandbox.asgi.persistence import SqlitePersistence
from sandbox.core.channel import Registry
from sandbox.core.chaos import ChaosBook
from sandbox.core.clock import VirtualClock
from sandbox.core.config import RunConfig
from sandbox.core.dispatch import Dispatches
from sandbox.core.engine import Engine
from sandbox.core.events import AccountUpdated, ApplicationUpdated, ErrorRaised, EventBus
from sandbox.core.failover import Failover
from sandbox.core.faults import Faults
from sandbox.core.handset_life import HandsetLife
from sandbox.core.handsets import HandsetBook
from sandbox.core.magic import MAGIC
from sandbox.core.ratelimit import SendLimiter
from sandbox.core.scheduler import Scheduler
from sandbox.core.store import MemoryStore, Store
from sandbox.core.timeline import Timeline
from sandbox.core.windows import CareWindows
from sandbox.settings import Settings
from sandbox.webhooks import Webhooks


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
        self.config = RunConfig.from_settings(settings)
        self.engine = Engine(
            clock=self.clock,
            scheduler=self.scheduler,
            store=self.store,
            channels=self.channels,
            bus=self.bus,
            config=self.config,
        )
        self.engine.max_messages = settings.max_messages
        self.auth = Authenticator(self.engine, self.clock.wall)
        # Faults on purpose (core/chaos.py): rules from --chaos, set again by a full reset.
        self.chaos = ChaosBook(self.clock, settings.chaos_seed)
        self._chaos_file = (
            load_chaos_file(settings.chaos, self.channels) if settings.chaos else None
        )
        self._chaos_from_settings()
        self.public_url = f"http://{settings.host}:{settings.port}"  # set by the server
        self.webhooks = Webhooks(
            bus=self.bus,
            clock=self.clock,
            scheduler=self.scheduler,
            store=self.store,
            channels=self.channels,
            config=self.config,
            signature_secret=settings.signature_secret,
            connect_timeout=settings.webhook_connect_timeout,
            timeout=settings.webhook_timeout,
            self_base=lambda: self.public_url,
            chaos=self.chaos,
        )
        self.timeline = Timeline(self.clock, self.scheduler, self.bus, self.webhooks)
        # A clock outside to follow (the fixture's follow_time): none unless a test asks.
        self.followed = FollowedClock(self.timeline, self.store)
        # After the webhooks: a status webhook must be queued before the failover it triggers.
        self.failover = Failover(self.engine, self.bus, self.scheduler)
        self.dispatches = Dispatches(self.engine, self.bus, self.scheduler)
        self.limiter = SendLimiter(self.clock)  # `rate_limit`: 429s on the virtual clock
        # The care windows first: a message they reject never reaches the handset.
        self.windows = CareWindows(self.engine, self.bus, self.scheduler, self.config)
        # After the windows (a message they rejected is left alone), before the handsets.
        self.faults = Faults(self.chaos, self.engine, self.bus, self.scheduler)
        self.handsets = HandsetBook(MAGIC)
        if settings.handsets:
            self.handsets.load_file(load_handsets_file(settings.handsets, self.channels))
        self.handset_life = HandsetLife(
            self.engine, self.handsets, self.bus, self.scheduler, self.config
        )
        # Unexpected exceptions anywhere, for tests to surface: {"where", "traceback"}.
        self.errors: list[dict[str, str]] = []
        self.bus.on(ErrorRaised, self._record_error)
        self.persistence: SqlitePersistence | None = None
        if settings.db:
            # Last, so that on start-up every part is there to take its records back.
            self.persistence = SqlitePersistence(settings.db, self)
            self.persistence.load()  # time never runs back behind stored history
        self._accounts_from_settings()

    def _chaos_from_settings(self) -> None:
        self.chaos.clear()
        seed, rules = self._chaos_file or (None, [])
        self.chaos.set_seed(self.settings.chaos_seed if seed is None else seed)
        for rule in rules:
            self.chaos.add(copy.deepcopy(rule))  # each reset starts the file's rules afresh

    def _record_error(self, event: ErrorRaised) -> None:
        self.errors.append({"where": event.where, "traceback": event.traceback})

    def _accounts_from_settings(self) -> None:
        for pair in self.settings.accounts:
            key, _, secret = pair.partition(":")
            if key not in self.store.accounts:
                self.engine.account(key, {"api_secret": secret})

    def reset(self, application_id: str | None = None, *, keep_trust: bool = False) -> None:
        """Forget state (all, or one application's). ``keep_trust`` keeps every account and
        the applications that hold anything auth depends on (a public key, a signature secret,
        an account), for a locked --strict-auth (access.py)."""
        apps = [
            a
            for a in self.store.applications.values()
            if keep_trust
            and (a.public_key or a.signature_secret or a.api_key)
            and application_id in (None, a.id)
        ]
        accounts = list(self.store.accounts.values()) if keep_trust else []
        self.engine.reset(application_id)
        self.limiter.reset(application_id)
        if application_id is None:
            self.handsets.reset()
            self._chaos_from_settings()
        else:
            self.chaos.clear(application_id)
        for app in apps:
            self.store.applications[app.id] = app
            self.bus.publish(ApplicationUpdated(app))
        for account in accounts:
            self.store.accounts[account.api_key] = account
            self.bus.publish(AccountUpdated(account))
        if application_id is None:
            self.followed.reset()
            self.errors.clear()
            self.engine.configure(RunConfig.from_settings(self.settings).to_dict())
            self._accounts_from_settings()

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

    def checkpoint(self) -> int:
        """Take before an action whose webhooks the caller must wait for (see settle)."""
        return self.timeline.checkpoint()

    async def settle(self, mark: int = 0) -> None:
        """Fire what is due now; wait until the webhooks caused since checkpoint ``mark`` (taken
        before acting) were attempted once. With no mark: everything in flight."""
        await self.timeline.catch_up(mark)

    def message_detail(self, uuid: str) -> list[dict[str, Any]]:
        """The webhook deliveries of one message, for its detail view."""
        return [d.to_dict() for d in self.webhooks.ledger.for_message(uuid)]
