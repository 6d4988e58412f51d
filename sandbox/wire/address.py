"""Addresses in the 2018 shape: `{"type": <channel>, "number" | "id": ...}`."""

from __future__ import annotations

from sandbox.core.channel import AddressKind, Channel


def address_v01(channel: Channel, value: str, kind: AddressKind) -> dict[str, str]:
    return {"type": channel.v01_name, kind: value}
