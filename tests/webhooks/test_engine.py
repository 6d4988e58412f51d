"""The engine under the webhook sender (webhooks/engine.py): real aiohttp connections through
httpx, and attempt errors in the ledger's words whatever aiohttp raised."""

from __future__ import annotations

import asyncio
import socket

import aiohttp
import httpx
import pytest

from sandbox.webhooks.engine import failure, network_transport
from tests.receiver import receiver


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


async def post(url: str) -> httpx.Response:
    async with httpx.AsyncClient(transport=network_transport(), trust_env=False) as client:
        return await client.post(url, content=b"{}", headers={"Content-Type": "application/json"})


def test_a_webhook_goes_out_through_aiohttp_and_keeps_its_exact_bytes() -> None:
    with receiver() as rec:
        response = asyncio.run(post(rec.at("/status")))
        assert response.status_code == 200
        assert rec.received[0].body == b"{}"
        assert rec.received[0].headers["content-type"] == "application/json"


def test_a_refused_connection_is_a_connect_error_not_a_timeout() -> None:
    with pytest.raises(httpx.HTTPError) as err:
        asyncio.run(post(f"http://127.0.0.1:{closed_port()}/status"))
    assert failure(err.value).startswith("ConnectError: Cannot connect to host 127.0.0.1")


@pytest.mark.parametrize(
    ("cause", "text"),
    [
        (aiohttp.ConnectionTimeoutError(), "timeout: ConnectTimeout"),
        (aiohttp.SocketTimeoutError(), "timeout: ReadTimeout"),
        (aiohttp.ServerDisconnectedError(), "RemoteProtocolError: Server disconnected"),
        (None, "ReadError: gone"),
    ],
)
def test_failures_are_named_from_what_aiohttp_raised(cause: Exception | None, text: str) -> None:
    exc = httpx.ReadError("gone")
    exc.__cause__ = cause
    assert failure(exc) == text
