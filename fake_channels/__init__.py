"""The simulated channels and their registry.

Built-in channels register exactly the way a new one would: by passing a :class:`Channel` to
:meth:`Registry.register`. ``DEFAULT_CHANNELS`` is the list the sandbox starts with.
"""

from __future__ import annotations

from collections.abc import Iterator

from fake_channels.base import Channel, Issue
from fake_channels.messenger import MESSENGER
from fake_channels.mms import MMS
from fake_channels.sms import SMS
from fake_channels.viber import VIBER
from fake_channels.whatsapp import WHATSAPP

DEFAULT_CHANNELS: tuple[Channel, ...] = (SMS, MMS, WHATSAPP, MESSENGER, VIBER)


class Registry:
    """Channels by their v1 name and by their v0.1 name."""

    def __init__(self, channels: tuple[Channel, ...] = ()) -> None:
        self._by_name: dict[str, Channel] = {}
        self._by_v01: dict[str, Channel] = {}
        for channel in channels:
            self.register(channel)

    def register(self, channel: Channel) -> None:
        self._by_name[channel.name] = channel
        self._by_v01[channel.v01_name] = channel

    def get(self, name: object) -> Channel | None:
        return self._by_name.get(name) if isinstance(name, str) else None

    def get_v01(self, name: object) -> Channel | None:
        return self._by_v01.get(name) if isinstance(name, str) else None

    def __getitem__(self, name: str) -> Channel:
        return self._by_name[name]

    def __iter__(self) -> Iterator[Channel]:
        return iter(self._by_name.values())

    def names(self) -> list[str]:
        return list(self._by_name)


def default_registry() -> Registry:
    return Registry(DEFAULT_CHANNELS)


__all__ = ["DEFAULT_CHANNELS", "Channel", "Issue", "Registry", "default_registry"]
