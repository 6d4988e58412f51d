"""Turning request bytes into a JSON object, the way Vonage refuses what is not one."""

from __future__ import annotations

import json
from typing import Any

from sandbox.core.errors import ApiVersion, InvalidJson


def parse_json_object(raw: bytes, api: ApiVersion = "v1") -> dict[str, Any]:
    """Decode ``raw`` as a UTF-8 JSON object; anything else is `InvalidJson` (never a 500)."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InvalidJson(f"The request body is not valid UTF-8: {exc.reason}.", api) from None
    if not text.strip():
        raise InvalidJson("The request body is empty.", api)
    try:
        value = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InvalidJson(f"{exc.msg} at line {exc.lineno} column {exc.colno}.", api) from None
    except RecursionError:
        raise InvalidJson("The request body is nested too deeply.", api) from None
    if not isinstance(value, dict):
        raise InvalidJson("The request body must be a JSON object.", api)
    return value
