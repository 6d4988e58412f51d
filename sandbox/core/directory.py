"""Applications, accounts and the run-time configuration: the part of the engine's state that
is not messages. :class:`~sandbox.core.engine.Engine` inherits it, so every state change still
goes through one object and is published as its own event."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from sandbox.core.channel import Registry
from sandbox.core.clock import Clock
from sandbox.core.config import RunConfig
from sandbox.core.errors import BadControlRequest, LowBalance
from sandbox.core.events import AccountUpdated, ApplicationUpdated, ConfigUpdated, EventBus
from sandbox.core.models import Account, Application, Message, Outbound, Sender
from sandbox.core.store import Store

APPLICATION_FIELDS = (
    "name",
    "status_url",
    "inbound_url",
    "webhook_version",
    "public_key",
    "signature_secret",
    "api_key",
    "rate_limit",
)
ACCOUNT_FIELDS = ("api_secret", "signature_secret", "balance", "rate_limit")


class Directory:
    clock: Clock
    store: Store
    bus: EventBus
    config: RunConfig
    channels: Registry

    # -- configuration -----------------------------------------------------------------------
    def configure(self, changes: Mapping[str, Any]) -> RunConfig:
        """Change run-time settings (names of :class:`RunConfig` fields, values already
        checked): all of them or, when one name is unknown, none."""
        unknown = [name for name in changes if name not in RunConfig.names()]
        if unknown:
            raise BadControlRequest(
                f"{', '.join(unknown)}: not run-time settings.",
                invalid=[(n, "is not a setting that can change at run time.") for n in unknown],
            )
        for name, value in changes.items():
            setattr(self.config, name, value)
        self.bus.publish(ConfigUpdated(self.config))
        return self.config

    # -- applications and accounts -----------------------------------------------------------
    def application(self, application_id: str, *, create: bool = True) -> Application | None:
        """The application, registered on first use unless ``create`` is false."""
        app = self.store.applications.get(application_id)
        if app is None and create:
            app = Application(id=application_id, created_at=self.clock.now())
            self.store.applications[application_id] = app
            self.bus.publish(ApplicationUpdated(app))
        return app

    def update_application(self, application_id: str, changes: Mapping[str, Any]) -> Application:
        """Create or update; fields left out keep their value (already checked)."""
        app = self.application(application_id)
        assert app is not None
        for name in APPLICATION_FIELDS:
            if name in changes:
                setattr(app, name, changes[name])
        self.bus.publish(ApplicationUpdated(app))
        return app

    def account(self, api_key: str, changes: Mapping[str, Any] | None = None) -> Account:
        """The account of ``api_key``, created if new, with ``changes`` applied."""
        account = self.store.accounts.get(api_key)
        created = account is None
        if account is None:
            account = self.store.accounts[api_key] = Account(api_key)
        changed = False
        for name in ACCOUNT_FIELDS:
            if changes is not None and name in changes:
                setattr(account, name, changes[name])
                changed = True
        if created or changed:
            self.bus.publish(AccountUpdated(account))
        return account

    def send_rate(self, sender: Sender) -> float | None:
        """The send rate limit that applies to ``sender``: its application's, else its
        account's, else the sandbox's (`rate_limit`); None: no limit."""
        if sender.application_id is not None:
            app = self.store.applications.get(sender.application_id)
            if app is not None and app.rate_limit is not None:
                return app.rate_limit
        account = self.paying_account(sender)
        if account is not None and account.rate_limit is not None:
            return account.rate_limit
        return self.config.rate_limit

    # -- credit ------------------------------------------------------------------------------
    def paying_account(self, sender: Sender) -> Account | None:
        """The account a send is charged to: the Basic key, or the JWT application's key."""
        key = sender.api_key
        if key is None and sender.application_id is not None:
            app = self.store.applications.get(sender.application_id)
            key = app.api_key if app is not None else None
        return self.store.accounts.get(key) if key is not None else None

    def require_credit(self, sender: Sender, draft: Outbound) -> None:
        """Refuse a send (402) whose account has a balance below the price of what it sends
        now (the first message: later failover steps are charged when they go), or none left
        at all. Accounts without a balance have unlimited credit."""
        account = self.paying_account(sender)
        if account is None or account.balance is None:
            return
        channel = self.channels[draft.channel]
        price = Decimal(channel.usage_price(draft.message_type, draft.content, draft.options))
        balance = Decimal(account.balance)
        if balance <= 0 or balance < price:
            raise LowBalance()

    def charge(self, account: Account | None, message: Message) -> None:
        """Take a sent message's price off its account's balance, when it has one."""
        if account is None or account.balance is None:
            return
        channel = self.channels[message.channel]
        price = Decimal(channel.usage_price(message.message_type, message.content, message.options))
        if price:
            account.balance = f"{Decimal(account.balance) - price:.4f}"
            # Kept with the message, so that a rejection gives it back (nothing is charged
            # for what never left, as the status webhook's missing `usage` says).
            message.extra = {**(message.extra or {}), "charged": f"{price:.4f}"}
            self.bus.publish(AccountUpdated(account))

    def refund(self, message: Message) -> None:
        """A rejected message costs nothing: its charge goes back to its account."""
        charged = (message.extra or {}).get("charged")
        if not isinstance(charged, str):
            return
        account = self.paying_account(Sender(message.application_id, message.api_key))
        extra = dict(message.extra or {})
        del extra["charged"]
        message.extra = extra or None
        if account is not None and account.balance is not None:
            account.balance = f"{Decimal(account.balance) + Decimal(charged):.4f}"
            self.bus.publish(AccountUpdated(account))
