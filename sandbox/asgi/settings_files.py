"""Files named on the command line (`--handsets`, `--chaos`): JSON (`.json`) or TOML (anything
else), read once at start. A file that cannot be used stops `serve` with what is wrong in it,
never a half-loaded set."""

from __future__ import annotations

import json
import tomllib
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from sandbox.core.errors import BadControlRequest

T = TypeVar("T")


class UnusableSettingsFile(Exception):
    """The file is missing, unreadable, not JSON/TOML, or what it holds is invalid."""


def load_settings_file(path: str, flag: str, parse: Callable[[Any], T]) -> T:
    """``parse`` of the file's data; every failure names ``flag`` and the file."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise UnusableSettingsFile(f"{flag} {path}: cannot read it ({exc}).") from None
    try:
        data = json.loads(text) if path.endswith(".json") else tomllib.loads(text)
    except (json.JSONDecodeError, tomllib.TOMLDecodeError) as exc:
        kind = "JSON" if path.endswith(".json") else "TOML (name it .json for JSON)"
        raise UnusableSettingsFile(f"{flag} {path}: not valid {kind}: {exc}.") from None
    try:
        return parse(data)
    except BadControlRequest as exc:
        wrong = "; ".join(f"{name} {reason}" for name, reason in exc.invalid)
        raise UnusableSettingsFile(f"{flag} {path}: {exc.detail} {wrong}") from None
