"""JSON text as Vonage writes it: compact, UTF-8 (not \\u escapes), through one encoder.

``json.dumps`` with any option builds a new encoder on every call; the answers, problems and
webhook bodies of a busy sandbox are written many thousand times a second.
"""

from __future__ import annotations

import json
from typing import Any

_COMPACT = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"))


def compact_json(value: Any) -> str:
    return _COMPACT.encode(value)
