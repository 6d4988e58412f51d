"""`--control-token`: who may drive a shared sandbox.

Vonage's own routes (`/v1/…`, `/v0.1/…`) keep Vonage's authentication and never need the
token. Everything else that reads or changes the sandbox — the control API and the inbox UI —
needs it once a token is set: as `Authorization: Bearer <token>` (scripts, the Python client)
or as the cookie a browser gets by opening any page once with `?token=<token>`. The static
files and `GET /_sandbox/health` (liveness probes) stay open.

Without a token nothing changes, except under `--strict-auth`: then the control API may still
register trust where there was none (a first public key, a new account), but cannot weaken what
the operator asked for — turning strict auth off, replacing a public key or a signature secret,
changing a known account's secret — unless the sandbox has a token and the request carries it
(:func:`may_weaken_auth`). Otherwise anyone who reaches the control API could swap a key and
forge tokens that strict auth then accepts.
"""

from __future__ import annotations

import hmac
import json
from urllib.parse import parse_qsl, urlencode

from starlette.requests import Request, cookie_parser
from starlette.types import ASGIApp, Receive, Scope, Send

COOKIE = "nexmo_sandbox_token"
OPEN_PREFIXES = ("/v1/", "/v0.1/", "/static/")
OPEN_PATHS = frozenset({"/v1/messages", "/v0.1/messages", "/v0.1/dispatch", "/_sandbox/health"})
TYPE = "https://nexmo-sandbox.dev/errors#control-token"


def presented(headers: dict[str, str]) -> str | None:
    """The token a request carries: Bearer first, else the browser's cookie."""
    auth = headers.get("authorization", "")
    scheme, _, value = auth.partition(" ")
    if scheme.lower() == "bearer" and value.strip():
        return value.strip()
    cookie = headers.get("cookie")
    if cookie:
        # Starlette's lenient parser: cookies ignore ports, so other apps' cookies on
        # localhost arrive here too, and one odd value must not hide ours.
        return cookie_parser(cookie).get(COOKIE)
    return None


def same(given: str, token: str) -> bool:
    """Constant-time, and for any text a header can carry (compare_digest refuses non-ASCII
    str, so compare the bytes)."""
    return hmac.compare_digest(
        given.encode("utf-8", "surrogatepass"), token.encode("utf-8", "surrogatepass")
    )


def carries(token: str | None, headers: dict[str, str]) -> bool:
    given = presented(headers)
    return token is not None and given is not None and same(given, token)


def may_weaken_auth(request: Request) -> bool:
    """True when this request may change who is trusted under `--strict-auth`."""
    token = request.app.state.runtime.settings.control_token
    return carries(token, {k.lower(): v for k, v in request.headers.items()})


class ControlGuard:
    def __init__(self, app: ASGIApp, token: str | None) -> None:
        self.app = app
        self.token = token

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path: str = scope.get("path", "")
        if (
            self.token is None
            or scope["type"] != "http"
            or path in OPEN_PATHS
            or path.startswith(OPEN_PREFIXES)
        ):
            await self.app(scope, receive, send)
            return
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}
        if carries(self.token, headers):
            await self.app(scope, receive, send)
            return
        query = dict(parse_qsl(scope.get("query_string", b"").decode("latin-1")))
        given = query.pop("token", None)
        if given is not None and same(given, self.token):
            # A browser opening a page with ?token=: keep it in a cookie and drop it from the
            # address bar (and from history, logs and Referer headers).
            rest = urlencode(query)
            here = "/" + path.lstrip("/")  # `//host/x` would send the browser to another site
            await _answer(
                send,
                303,
                b"",
                [
                    (b"location", (here + ("?" + rest if rest else "")).encode()),
                    (
                        b"set-cookie",
                        f"{COOKIE}={self.token}; Path=/; HttpOnly; SameSite=Strict".encode(),
                    ),
                ],
            )
            return
        body = json.dumps(
            {
                "type": TYPE,
                "title": "Control token required",
                "detail": "This sandbox was started with --control-token: send it as "
                "'Authorization: Bearer <token>' (the Python client reads "
                "NEXMO_SANDBOX_CONTROL_TOKEN), or open the inbox once with ?token=<token>.",
            }
        ).encode()
        await _answer(send, 401, body, [(b"content-type", b"application/problem+json")])


async def _answer(send: Send, status: int, body: bytes, headers: list[tuple[bytes, bytes]]) -> None:
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [*headers, (b"content-length", str(len(body)).encode())],
        }
    )
    await send({"type": "http.response.body", "body": body})
