"""Where a webhook goes and how it is signed: the routing policy, read from the store and the
run-time configuration when each webhook is made (pure; no I/O).

- Status webhooks: the message's `webhook_url`, else its application's status URL, else the
  default; Dispatch items always in v0.1, others in the message's `webhook_version`, else the
  application's, else v0.1 for messages sent through the 2018 APIs, else the default.
- Inbound webhooks: the application's inbound URL, else the default; in the application's
  version, else the default.
- Channels newer than the 2018 format (RCS, email) always report in v1.
- The signature secret: the application's, else its account's, else the sandbox's own.
"""

from __future__ import annotations

from dataclasses import dataclass

from sandbox.core.channel import Registry
from sandbox.core.config import RunConfig
from sandbox.core.ledger import DeliveryKind
from sandbox.core.models import Application, Message
from sandbox.core.store import Store

DEFAULT_API_KEY = "sandbox"  # the `api_key` claim when nothing better is known


@dataclass(frozen=True, slots=True)
class Route:
    url: str | None  # None: nowhere to send it (recorded as `no_url`)
    version: str


class Routing:
    def __init__(
        self, store: Store, config: RunConfig, signature_secret: str, channels: Registry
    ) -> None:
        self.store = store
        self.config = config
        self.signature_secret = signature_secret
        self.channels = channels

    def _known_to_v01(self, message: Message) -> bool:
        """Whether the 2018 format has a shape for the message's channel. RCS and email came
        after it: their webhooks are v1 whatever version is asked for (a v0.1 body would name
        a channel type no v0.1 reader knows)."""
        channel = self.channels.get(message.channel)
        return channel is not None and channel.in_2018_apis

    def app(self, application_id: str | None) -> Application | None:
        return None if application_id is None else self.store.applications.get(application_id)

    def status(self, message: Message) -> Route:
        app = self.app(message.application_id)
        url = message.webhook_url or (app.status_url if app else None) or self.config.status_url
        return Route(url, self.status_version(message, app))

    def status_version(self, message: Message, app: Application | None) -> str:
        # Dispatch is built on Messages v0.1 (Vonage's Dispatch-to-failover migration guide:
        # "Uses Messages v0.1"): its statuses are v0.1 whatever the application says.
        if message.workflow is not None and message.workflow.kind == "dispatch":
            return "v0.1"
        if not self._known_to_v01(message):
            return "v1"
        if message.webhook_version:
            return message.webhook_version
        if app is not None and app.webhook_version:
            return app.webhook_version
        # Messages sent through the 2018 APIs report in the 2018 format by default.
        if message.api in ("v0.1", "dispatch"):
            return "v0.1"
        return self.config.webhook_version

    def inbound(self, message: Message) -> Route:
        app = self.app(message.application_id)
        version = (app.webhook_version if app else None) or self.config.webhook_version
        if not self._known_to_v01(message):
            version = "v1"
        return Route((app.inbound_url if app else None) or self.config.inbound_url, version)

    def report(self, application_id: str | None) -> Route:
        app = self.app(application_id)
        return Route((app.status_url if app else None) or self.config.status_url, "v0.1")

    def default_url(self, kind: DeliveryKind) -> str | None:
        return self.config.inbound_url if kind == "inbound" else self.config.status_url

    def secret_and_key(self, application_id: str | None, api_key: str | None) -> tuple[str, str]:
        """The secret that signs a webhook and the `api_key` claim it carries."""
        app = self.app(application_id)
        account = self.store.accounts.get(api_key) if api_key else None
        if app is not None and app.api_key and account is None:
            account = self.store.accounts.get(app.api_key)
        secret = (
            (app.signature_secret if app is not None else None)
            or (account.signature_secret if account is not None else None)
            or self.signature_secret
        )
        key = api_key or (app.api_key if app is not None else None) or DEFAULT_API_KEY
        return secret, key
