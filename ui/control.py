"""Reading the control API from inside the server, for pages built on its JSON contract.

The webhook ledger and the failover views render what `GET /_sandbox/webhooks`,
`/_sandbox/workflows` and `/_sandbox/dispatches` answer, asked in process through the same app
(no socket), so the pages show exactly what a script would see and depend on no internals of
the modules behind those endpoints.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import httpx
from starlette.requests import Request


class Unavailable(Exception):
    """The endpoint is not there (404 on the path itself) or answered with an error."""

    def __init__(self, status: int, detail: str) -> None:
        super().__init__(f"{status}: {detail}")
        self.status = status
        self.detail = detail


async def get_json(request: Request, path: str, params: Mapping[str, Any] | None = None) -> Any:
    clean = {k: v for k, v in (params or {}).items() if v not in (None, "")}
    transport = httpx.ASGITransport(app=request.app)
    # The page's own credentials (a --control-token cookie) go along: the control API asks
    # for them as it would of the browser.
    forward = {k: v for k, v in request.headers.items() if k in ("cookie", "authorization")}
    async with httpx.AsyncClient(
        transport=transport, base_url="http://127.0.0.1", headers=forward
    ) as client:
        response = await client.get(path, params=clean)
    if response.status_code != 200:
        try:
            detail = str(response.json().get("detail") or response.json().get("title"))
        except ValueError:
            detail = response.text[:200]
        raise Unavailable(response.status_code, detail)
    return response.json()
