"""Run-time configuration: the one object that `PUT /_sandbox/config` (and the fixture's
marker) changes. It starts from the settings and goes back to them on a full reset. Every part
that needs a value reads it from here when it needs it, so a change applies everywhere at once.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any, Literal, cast

from sandbox.settings import MAX_DELAY, Settings

WebhookVersion = Literal["v0.1", "v1"]
# Which answers a webhook is retried on: Vonage's production service retries 429 and 5xx, its
# hosted Messages sandbox any answer but a 2xx
# (https://developer.vonage.com/en/messages/concepts/messages-api-sandbox).
RetryPolicy = Literal["production", "hosted-sandbox"]
RETRY_POLICIES: tuple[RetryPolicy, ...] = ("production", "hosted-sandbox")
WEBHOOK_VERSIONS: tuple[WebhookVersion, ...] = ("v0.1", "v1")
__all__ = ["MAX_DELAY", "RETRY_POLICIES", "WEBHOOK_VERSIONS", "RunConfig", "WebhookVersion"]


@dataclass(slots=True)
class RunConfig:
    status_url: str | None = None  # default status webhook URL
    inbound_url: str | None = None  # default inbound webhook URL
    webhook_version: WebhookVersion = "v1"  # when neither the message nor the application says
    # v1 `failover` moves on after `rejected` (as Vonage documents); this adds `undeliverable`.
    failover_on_undeliverable: bool = False
    auto_deliver: float | None = None  # handsets mark messages delivered after N virtual s
    auto_read: float | None = None  # ... and delivered messages read after N virtual s
    strict_auth: bool = False  # verify JWT signatures and Basic credentials
    # Sends per virtual second per application (or API key), answered 429 beyond; None: off.
    rate_limit: float | None = None
    retry_policy: RetryPolicy = "production"
    # Channel rules Vonage enforces, each on by default: a message not delivered within its
    # `ttl` expires (1360); a freeform WhatsApp or Messenger message outside the 24-hour
    # customer-care window is rejected (1340).
    ttl_expiry: bool = True
    whatsapp_window: bool = True
    messenger_window: bool = True

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)

    @classmethod
    def from_settings(cls, settings: Settings) -> RunConfig:
        """What the settings start with (and a full reset returns to)."""
        hosted = PRESETS[settings.preset or "production"]
        return cls(
            status_url=settings.status_url,
            inbound_url=settings.inbound_url,
            failover_on_undeliverable=settings.failover_on_undeliverable,
            auto_deliver=settings.auto_deliver,
            auto_read=settings.auto_read,
            strict_auth=settings.strict_auth,
            rate_limit=hosted.rate_limit if settings.rate_limit is None else settings.rate_limit,
            retry_policy=cast(RetryPolicy, settings.retry_policy or hosted.retry_policy),
            ttl_expiry=settings.ttl_expiry,
            whatsapp_window=settings.whatsapp_window,
            messenger_window=settings.messenger_window,
        )

    def apply_preset(self, name: str) -> dict[str, Any]:
        """The changes a preset makes (`PUT /_sandbox/config {"preset": ...}`)."""
        preset = PRESETS[name]
        return {"rate_limit": preset.rate_limit, "retry_policy": preset.retry_policy}

    @classmethod
    def names(cls) -> tuple[str, ...]:
        return tuple(f.name for f in dataclasses.fields(cls))


@dataclass(frozen=True, slots=True)
class Preset:
    rate_limit: float | None
    retry_policy: RetryPolicy


# `hosted-sandbox`: Vonage's hosted Messages sandbox allows one message per second and retries
# a webhook on any answer but a 2xx (https://developer.vonage.com/en/messages/concepts/messages-api-sandbox),
# so "works locally, fails in their sandbox" can be seen locally.
PRESETS: dict[str, Preset] = {
    "production": Preset(None, "production"),
    "hosted-sandbox": Preset(1.0, "hosted-sandbox"),
}
