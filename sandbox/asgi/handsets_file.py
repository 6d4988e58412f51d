"""`--handsets FILE`: handset profiles read at start, JSON (`.json`) or TOML (anything else),
both as a table `handsets` of address = profile (asgi/settings_files.py reads it).

    # handsets.toml
    [handsets."447700900123"]
    label = "Ada: no WhatsApp"
    channels = { whatsapp = false, sms = { deliver_after = 2 } }
    persona = [ { match = "^stop$", reply = "You will hear no more" } ]
"""

from __future__ import annotations

from sandbox.asgi.settings_files import UnusableSettingsFile, load_settings_file
from sandbox.control.handsets import parse_handsets_file
from sandbox.core.channel import Registry
from sandbox.core.handsets import Handset

UnusableHandsetsFile = UnusableSettingsFile  # the name tests and callers have used


def load_handsets_file(path: str, channels: Registry) -> list[Handset]:
    return load_settings_file(path, "--handsets", lambda data: parse_handsets_file(data, channels))
