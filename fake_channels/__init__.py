"""The simulated channels, one module each: each is the only file holding its channel's rules
(addresses, message types, limits, option blocks, prices and its webhook fields).

Built-in channels register exactly the way a new one would: by passing a
:class:`~sandbox.core.channel.Channel` to :meth:`Registry.register` (or to
``create_app(channels=...)``). ``DEFAULT_CHANNELS`` is the list the sandbox starts with.
"""

from __future__ import annotations

from fake_channels.email import EMAIL_CHANNEL
from fake_channels.messenger import MESSENGER
from fake_channels.mms import MMS
from fake_channels.rcs import RCS
from fake_channels.sms import SMS
from fake_channels.viber import VIBER
from fake_channels.whatsapp import WHATSAPP
from sandbox.core.channel import Channel, Registry
from sandbox.core.checks import Issue

DEFAULT_CHANNELS: tuple[Channel, ...] = (SMS, MMS, RCS, WHATSAPP, MESSENGER, VIBER, EMAIL_CHANNEL)


def default_registry() -> Registry:
    return Registry(DEFAULT_CHANNELS)


__all__ = ["DEFAULT_CHANNELS", "Channel", "Issue", "Registry", "default_registry"]
