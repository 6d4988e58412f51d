"""The HTTP engine under the webhook sender: aiohttp, through httpx (`httpx-aiohttp`).

httpx stays the API and the seam (an injected transport, such as an app object or a test's
mock, replaces the engine entirely); for the real network, each lane's client sends through an
aiohttp session of one connection instead of httpcore. Measured here with bench/end_to_end.py
(one 8 s round each, alternately, same machine): 401 and 444 msg/s through httpcore, 600 and
665 through aiohttp, 0 lost either way (bench/README.md).

httpx-aiohttp maps aiohttp's errors onto httpx's, but coarsely (a refused connection becomes a
`ConnectTimeout`); :func:`failure` names what happened from the aiohttp error itself, in the
words the ledger has always used ("ConnectError: ...", "timeout: ReadTimeout").

aiohttp is imported when the first lane is made, not with the sandbox: it is ~130 ms of
imports, which a test session whose webhooks go to an app object (or nowhere) never needs.
(`serve` makes it ready at start-up: :func:`prepare_network`.)
"""

from __future__ import annotations

import asyncio
import functools
import importlib
import ssl
import sys

import httpx


def network_transport() -> httpx.AsyncBaseTransport:
    """One connection, kept alive (a lane, see lanes.py); no proxy from the environment (it
    must not swallow loopback)."""
    from httpx_aiohttp import AiohttpTransport

    return AiohttpTransport(
        verify=tls_context(), trust_env=False, limits=httpx.Limits(max_connections=1)
    )


# Made lazily on the first webhook to the network: the engine (httpx-aiohttp, which imports
# aiohttp) and the signer's PyJWT with cryptography: with the TLS context, 315 ms here.
NETWORK_IMPORTS = ("httpx_aiohttp", "jwt")


def prepare_network() -> None:
    """Import the engine and the signer and make the lanes' TLS context now, not on the first
    webhook (bench/latency.py under `serve`: p99 105 ms over 20 s that way, all of it in the
    first second; 1.1 ms after)."""
    for name in NETWORK_IMPORTS:
        importlib.import_module(name)
    tls_context()


@functools.cache
def tls_context() -> ssl.SSLContext:
    """One verifying TLS context (httpx's: certifi's CA bundle) for every lane. Given none, each
    transport made its own, which loads the bundle: ~40 ms each on the event loop, so the lanes
    of the first webhooks held them up by a quarter of a second (bench/latency.py)."""
    return httpx.create_ssl_context(trust_env=False)


def failure(exc: httpx.HTTPError) -> str:
    """An attempt's `error`, from what went wrong."""
    # Only an aiohttp session raises aiohttp's errors, and making one imported aiohttp.
    named = _aiohttp_failure(exc.__cause__) if "aiohttp" in sys.modules else None
    if named is not None:
        return named
    if isinstance(exc, httpx.TimeoutException):
        return f"timeout: {type(exc).__name__}"
    return f"{type(exc).__name__}: {exc}"


def _aiohttp_failure(cause: BaseException | None) -> str | None:
    import aiohttp

    if isinstance(cause, aiohttp.ConnectionTimeoutError):
        return "timeout: ConnectTimeout"
    if isinstance(cause, aiohttp.ServerTimeoutError | asyncio.TimeoutError):
        return "timeout: ReadTimeout"
    if isinstance(cause, aiohttp.ClientConnectorError):
        return f"ConnectError: {cause}"
    if isinstance(cause, aiohttp.ServerDisconnectedError):
        return f"RemoteProtocolError: {cause.message or 'Server disconnected'}"
    if isinstance(cause, aiohttp.ClientError):
        return f"{type(cause).__name__}: {cause}"
    return None
