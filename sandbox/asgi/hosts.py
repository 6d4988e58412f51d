"""The DNS-rebinding guard: answer only requests whose `Host` names this sandbox.

A web page on another site can make its own name resolve to 127.0.0.1 and then read the
control API and the inbox from the user's browser "same-origin". The browser still sends the
page's name as `Host`, so the sandbox answers only the loopback names, the address it was told
to bind, and the names given with `--allowed-hosts`. Bound to every interface (`0.0.0.0`,
`::`), it cannot know the names it is reached by and allows any (the banner warns).
"""

from __future__ import annotations

import json
from collections.abc import Iterable

from starlette.types import ASGIApp, Receive, Scope, Send

LOOPBACK = frozenset({"127.0.0.1", "localhost", "::1"})
EVERYWHERE = frozenset({"0.0.0.0", "::", "*"})


def host_name(header: str) -> str:
    """`Host` without its port, lower case; `[::1]:8000` -> `::1`."""
    value = header.strip().lower()
    if value.startswith("["):
        return value[1 : value.find("]")] if "]" in value else value[1:]
    return value.rsplit(":", 1)[0] if value.count(":") == 1 else value


class HostGuard:
    def __init__(self, app: ASGIApp, bound: str, extra: Iterable[str] = ()) -> None:
        self.app = app
        names = {bound.lower(), *(e.strip().lower() for e in extra if e.strip())}
        self.any = bool(names & EVERYWHERE)
        self.allowed = LOOPBACK | names

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if self.any or scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        header = next((v for k, v in scope["headers"] if k == b"host"), b"").decode("latin-1")
        name = host_name(header)
        if not header or name in self.allowed:
            await self.app(scope, receive, send)
            return
        body = json.dumps(
            {
                "type": "https://nexmo-sandbox.dev/errors#unknown-host",
                "title": "Unknown host",
                "detail": f"This sandbox does not answer to the name {name!r} (a guard against "
                "DNS rebinding). Reach it as 127.0.0.1 or localhost, or start it with "
                f"--allowed-hosts {name}.",
            }
        ).encode()
        await send(
            {
                "type": "http.response.start",
                "status": 421,
                "headers": [
                    (b"content-type", b"application/problem+json"),
                    (b"content-length", str(len(body)).encode()),
                ],
            }
        )
        await send({"type": "http.response.body", "body": body})
