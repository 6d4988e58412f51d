"""The Jinja2 environment of the inbox (autoescape always on) and the response helper.

Pages send a Content-Security-Policy that allows scripts and styles from this server only, so
even a message that slipped past escaping could not run code; images may come from any http(s)
URL because message media lives elsewhere.
"""

from __future__ import annotations

from datetime import UTC, datetime
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import HTMLResponse

from sandbox.core.clock import iso
from sandbox.core.error_codes import ASYNC_ERRORS
from ui.views import (
    composer_kinds,
    content_view,
    day_label,
    delivery_facts,
    encoding_facts,
    human_time,
    iso_time,
    pretty,
    safe_url,
    split_attempts,
    ticks,
    timer_link,
    with_days,
)

if TYPE_CHECKING:
    from jinja2 import Environment

HERE = Path(__file__).parent
TEMPLATES = HERE / "templates"
STATIC = HERE / "static"

CSP = (
    "default-src 'self'; img-src 'self' http: https:; media-src 'self' http: https:; "
    "script-src 'self'; style-src 'self'; connect-src 'self'; object-src 'none'; "
    "base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)


def _hms(ts: float | None) -> str:
    if ts is None:
        return ""
    return datetime.fromtimestamp(ts, tz=UTC).strftime("%H:%M:%S")


def _short(text: str | None, n: int = 80) -> str:
    if not text:
        return ""
    return text if len(text) <= n else text[: n - 1] + "…"


def qs(request: Request, **changes: Any) -> str:
    """This page's URL with some query parameters changed (None or 0 offset drops one)."""
    params = dict(request.query_params)
    for key, value in changes.items():
        if value is None or (key == "offset" and value == 0):
            params.pop(key, None)
        else:
            params[key] = str(value)
    return request.url.path + ("?" + urlencode(params) if params else "")


@cache
def build_env() -> Environment:
    # Built on the first page served, not at import: the pytest fixture imports the app for
    # every test session, and most sessions never render a page.
    from jinja2 import Environment, FileSystemLoader

    env = Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters.update(
        iso=lambda ts: "" if ts is None else iso(ts),
        iso_any=iso_time,
        human=human_time,
        day=day_label,
        hms=_hms,
        short=_short,
        pretty=pretty,
        safe_url=safe_url,
    )
    env.globals.update(
        view=content_view,
        ticks=ticks,
        with_days=with_days,
        delivery_facts=delivery_facts,
        encoding_facts=encoding_facts,
        split_attempts=split_attempts,
        timer_link=timer_link,
        composer_kinds=composer_kinds,
        error_codes=sorted(ASYNC_ERRORS.items()),
        qs=qs,
    )
    return env


def render(name: str, context: dict[str, Any], status: int = 200) -> HTMLResponse:
    html = build_env().get_template(name).render(**context)
    return HTMLResponse(
        html,
        status_code=status,
        headers={
            "Content-Security-Policy": CSP,
            "Cache-Control": "no-store",
            "X-Content-Type-Options": "nosniff",
            "Referrer-Policy": "no-referrer",
        },
    )
