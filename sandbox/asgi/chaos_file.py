"""`--chaos FILE`: chaos rules in force from the start (and again after every full reset),
JSON (`.json`) or TOML (anything else):

    # chaos.toml
    seed = 7
    [[rules]]
    effect = "duplicate"
    probability = 0.3
    [[rules]]
    effect = "delay"
    scope = { channel = "sms" }
    delay = { uniform = [60, 10800] }
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sandbox.asgi.settings_files import load_settings_file
from sandbox.control.chaos import parse_rules, parse_seed
from sandbox.core.channel import Registry
from sandbox.core.chaos import Rule
from sandbox.core.errors import BadControlRequest


def parse_chaos_file(data: Any, channels: Registry) -> tuple[int | None, list[Rule]]:
    if not isinstance(data, Mapping) or set(data) - {"seed", "rules"}:
        raise BadControlRequest(
            "A chaos file holds `seed` (optional) and an array `rules`.",
            invalid=[("chaos", "takes only seed and rules.")],
        )
    seed = parse_seed(data["seed"]) if "seed" in data else None
    return seed, parse_rules(data.get("rules", []), channels)


def load_chaos_file(path: str, channels: Registry) -> tuple[int | None, list[Rule]]:
    return load_settings_file(path, "--chaos", lambda data: parse_chaos_file(data, channels))
