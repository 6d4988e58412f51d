"""Turning request bytes into a JSON object, the way Vonage refuses what is not one."""

from __future__ import annotations

import json
import math
from typing import Any

from sandbox.core.errors import ApiVersion, InvalidJson


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON value")


def _finite(text: str) -> float:
    value = float(text)
    if math.isinf(value):
        raise ValueError(f"the number {text[:20]} is too large")
    return value


# One decoder for every request: json.loads with options builds a new one (and its scanner)
# each call.
_DECODER = json.JSONDecoder(parse_constant=_no_constant, parse_float=_finite)


# Deeper than any real message (WhatsApp interactive payloads nest about 6 levels): what nests
# further could not be stored, copied or rendered by code that recurses (dataclasses.asdict for
# --db, json.dumps inside a page), so it is refused here, once for every reader.
MAX_DEPTH = 64


def _flaw(value: Any, escapes: bool) -> str | None:
    """What makes a parsed body unfit to keep, found in one walk: nesting past MAX_DEPTH, or
    (when the text has `\\u` escapes, the only way to write one) a lone UTF-16 surrogate in a
    key or a string."""
    stack = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if depth > MAX_DEPTH:
            return f"The request body nests deeper than {MAX_DEPTH} levels."
        if isinstance(item, dict):
            if escapes:  # keys are strings too
                stack.extend((k, depth) for k in item)
            stack.extend((v, depth + 1) for v in item.values())
        elif isinstance(item, list):
            stack.extend((v, depth + 1) for v in item)
        elif escapes and isinstance(item, str) and not item.isascii():
            try:
                item.encode("utf-8")
            except UnicodeEncodeError:
                return "The request body holds a lone UTF-16 surrogate (e.g. \\ud800): not text."
    return None


def parse_json_object(raw: bytes, api: ApiVersion = "v1") -> dict[str, Any]:
    """Decode ``raw`` as a UTF-8 JSON object; anything else is `InvalidJson` (never a 500).

    Standard JSON only, so that whatever is stored can be written out again as JSON and UTF-8:
    no NaN or Infinity (Python's parser takes them), no number too large for a float, no
    integer of more digits than Python converts, no lone UTF-16 surrogate (`"\\ud800"` is
    valid JSON text but no UTF-8 string; stored, it would break every reader after it)."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InvalidJson(f"The request body is not valid UTF-8: {exc.reason}.", api) from None
    if not text.strip():
        raise InvalidJson("The request body is empty.", api)
    try:
        value = _DECODER.decode(text)
    except json.JSONDecodeError as exc:
        raise InvalidJson(f"{exc.msg} at line {exc.lineno} column {exc.colno}.", api) from None
    except RecursionError:
        raise InvalidJson("The request body is nested too deeply.", api) from None
    except ValueError as exc:  # NaN, Infinity, 1e400, a 5,000-digit integer
        raise InvalidJson(f"Not a JSON number: {exc}.", api) from None
    if not isinstance(value, dict):
        raise InvalidJson("The request body must be a JSON object.", api)
    escapes = "\\u" in text
    # Without escapes only nesting can be wrong, and a text with fewer brackets than the limit
    # cannot nest past it (a value inside N containers is at depth N + 1): most bodies need no
    # walk at all.
    if escapes or text.count("{") + text.count("[") >= MAX_DEPTH:
        flaw = _flaw(value, escapes)
        if flaw is not None:
            raise InvalidJson(flaw, api)
    return value
