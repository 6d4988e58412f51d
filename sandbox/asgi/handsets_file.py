"""`--handsets FILE`: handset profiles read at start, JSON (`.json`) or TOML (anything else),
both as a table `handsets` of address = profile. A file that cannot be used stops `serve`
with what is wrong, never a half-loaded set of handsets.

    # handsets.toml
    [handsets."447700900123"]
    label = "Ada: no WhatsApp"
    channels = { whatsapp = false, sms = { deliver_after = 2 } }
    persona = [ { match = "^stop$", reply = "You will hear no more" } ]
"""

from __future__ import annotations

import json
import tomllib
from pathlib import Path

from sandbox.control.handsets import parse_handsets_file
from sandbox.core.channel import Registry
from sandbox.core.errors import BadControlRequest
from sandbox.core.handsets import Handset


class UnusableHandsetsFile(Exception):
    """The `--handsets` file is missing, unreadable, not JSON/TOML, or a profile is invalid."""


def load_handsets_file(path: str, channels: Registry) -> list[Handset]:
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise UnusableHandsetsFile(f"--handsets {path}: cannot read it ({exc}).") from None
    try:
        data = json.loads(text) if path.endswith(".json") else tomllib.loads(text)
    except (json.JSONDecodeError, tomllib.TOMLDecodeError) as exc:
        kind = "JSON" if path.endswith(".json") else "TOML (name it .json for JSON)"
        raise UnusableHandsetsFile(f"--handsets {path}: not valid {kind}: {exc}.") from None
    try:
        return parse_handsets_file(data, channels)
    except BadControlRequest as exc:
        wrong = "; ".join(f"{name} {reason}" for name, reason in exc.invalid)
        raise UnusableHandsetsFile(f"--handsets {path}: {exc.detail} {wrong}") from None
