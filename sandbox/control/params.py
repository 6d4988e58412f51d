"""Query parameters of the inbox pages: bad values fall back to defaults (a page never 500s
on a hand-edited URL), and page sizes are capped so no page renders more than a few hundred
rows."""

from __future__ import annotations

from starlette.requests import Request

from sandbox.core.errors import BadControlRequest


def int_param(request: Request, name: str, default: int, hi: int, *, strict: bool = False) -> int:
    """``strict`` (the control API) answers 400 to a bad value; pages use the default."""
    raw = request.query_params.get(name, "")
    if raw.isdigit():
        return min(int(raw), hi)
    if strict and raw:
        raise BadControlRequest(
            f"{name} must be a whole number.", invalid=[(name, "not a number")], status=400
        )
    return default


def str_param(request: Request, name: str) -> str | None:
    value = request.query_params.get(name, "").strip()
    return value or None


def pages(total: int, limit: int, offset: int) -> dict[str, int | None]:
    """Offsets of the neighbouring pages (None where there is none)."""
    return {
        "prev": max(0, offset - limit) if offset > 0 else None,
        "next": offset + limit if offset + limit < total else None,
        "first": offset + 1 if total else 0,
        "last": min(total, offset + limit),
        "total": total,
    }
