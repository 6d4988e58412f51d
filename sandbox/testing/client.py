"""A typed Python client for the sandbox's control API (`/_sandbox/...`), usable against any
running sandbox by URL: from the pytest fixture, from scripts, from another language's test
harness through `python -c`.

    from sandbox.testing.client import SandboxClient

    with SandboxClient("http://127.0.0.1:8000") as sb:
        sms = sb.wait_for_messages(channel="sms", to="447700900000").messages[0]
        sb.mark(sms.uuid, "delivered")
        sb.inbound("sms", "447700900000", text="STOP")

:class:`SandboxClient` is synchronous (one keep-alive connection, so a call costs about a
millisecond on loopback); :class:`AsyncSandboxClient` has the same methods for async code.
Every call that changes state answers only after the webhooks it caused were attempted once,
so nothing here sleeps. Errors from the sandbox raise :class:`SandboxAPIError` carrying the
problem+json body.

:func:`vonage_client` builds an official ``vonage`` SDK client aimed at a sandbox.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal, NamedTuple

import httpx

from sandbox.testing.client_types import (
    ClockState,
    Delivery,
    Message,
    SandboxErrorRecord,
    WaitResult,
)

__all__ = [
    "AsyncSandboxClient",
    "ClockState",
    "Delivery",
    "Message",
    "SandboxAPIError",
    "SandboxClient",
    "SandboxErrorRecord",
    "WaitResult",
    "vonage_client",
]

Status = Literal["delivered", "read", "rejected", "undeliverable"]


class SandboxAPIError(Exception):
    """The sandbox answered 4xx/5xx; ``problem`` is its problem+json body."""

    def __init__(self, status_code: int, method: str, url: str, problem: dict[str, Any]) -> None:
        self.status_code = status_code
        self.problem = problem
        detail = problem.get("detail") or problem.get("title") or ""
        invalid = problem.get("invalid_parameters") or []
        extra = "; ".join(f"{p.get('name')}: {p.get('reason')}" for p in invalid)
        text = f"{method} {url} -> {status_code}: {detail}" + (f" ({extra})" if extra else "")
        super().__init__(text)


class _Call(NamedTuple):
    """One control API call, described once and run by either client."""

    method: str
    path: str
    params: dict[str, Any] | None = None
    json: Any = None
    timeout: float | None = None


# Python-friendly names of the message filters -> query parameters.
_FILTER_NAMES = {"from_": "from", "text": "q"}


def _params(filters: Mapping[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name, value in filters.items():
        if value is None:
            continue
        out[_FILTER_NAMES.get(name, name)] = value
    return out


def _json_body(response: httpx.Response) -> Any:
    if not response.content:
        return {}
    return response.json()


def _check(response: httpx.Response) -> Any:
    if response.status_code >= 400:
        try:
            problem = response.json()
        except ValueError:
            problem = {"detail": response.text}
        if not isinstance(problem, dict):
            problem = {"detail": str(problem)}
        raise SandboxAPIError(
            response.status_code, response.request.method, str(response.request.url), problem
        )
    return _json_body(response)


class _Calls:
    """The control API, one method per call, each returning a :class:`_Call`."""

    @staticmethod
    def health() -> _Call:
        return _Call("GET", "/_sandbox/health")

    @staticmethod
    def messages(filters: Mapping[str, Any], limit: int, offset: int) -> _Call:
        return _Call(
            "GET", "/_sandbox/messages", {**_params(filters), "limit": limit, "offset": offset}
        )

    @staticmethod
    def message(uuid: str) -> _Call:
        return _Call("GET", f"/_sandbox/messages/{uuid}")

    @staticmethod
    def mark(
        uuid: str, status: str, error_code: int | None, reason: str | None, by: str | None
    ) -> _Call:
        body: dict[str, Any] = {"status": status}
        if error_code is not None:
            body["error_code"] = error_code
        if reason is not None:
            body["reason"] = reason
        if by is not None:
            body["by"] = by
        return _Call("POST", f"/_sandbox/messages/{uuid}/status", json=body)

    @staticmethod
    def inbound(
        channel: str,
        from_: str,
        to: str | None,
        text: str | None,
        message_type: str | None,
        application_id: str | None,
        fields: Mapping[str, Any],
    ) -> _Call:
        body: dict[str, Any] = {"channel": channel, "from": from_}
        if to is not None:
            body["to"] = to
        if text is not None:
            body["text"] = text
        body["message_type"] = message_type or ("text" if text is not None else None)
        if body["message_type"] is None:
            # A media reply names its type by its one content field: image={...} and so on.
            kinds = [k for k in fields if k not in ("profile", "context", "whatsapp", "sms")]
            body["message_type"] = kinds[0] if len(kinds) == 1 else "text"
        if application_id is not None:
            body["application_id"] = application_id
        body.update(fields)
        return _Call("POST", "/_sandbox/inbound", json=body)

    @staticmethod
    def wait(filters: Mapping[str, Any], count: int, timeout: float, limit: int) -> _Call:
        params = {**_params(filters), "kind": "message", "count": count, "timeout": timeout}
        params["limit"] = limit
        # The HTTP read timeout must outlast the server-side wait.
        return _Call("GET", "/_sandbox/wait", params, timeout=timeout + 10)

    @staticmethod
    def clock() -> _Call:
        return _Call("GET", "/_sandbox/clock")

    @staticmethod
    def set_clock_mode(mode: str) -> _Call:
        return _Call("PUT", "/_sandbox/clock", json={"mode": mode})

    @staticmethod
    def advance(body: dict[str, Any]) -> _Call:
        return _Call("POST", "/_sandbox/clock/advance", json=body)

    @staticmethod
    def settle() -> _Call:
        return _Call("POST", "/_sandbox/settle", json={})

    @staticmethod
    def reset(application_id: str | None) -> _Call:
        body = {} if application_id is None else {"application_id": application_id}
        return _Call("POST", "/_sandbox/reset", json=body)

    @staticmethod
    def config() -> _Call:
        return _Call("GET", "/_sandbox/config")

    @staticmethod
    def configure(changes: Mapping[str, Any]) -> _Call:
        return _Call("PUT", "/_sandbox/config", json=dict(changes))

    @staticmethod
    def applications() -> _Call:
        return _Call("GET", "/_sandbox/applications")

    @staticmethod
    def application(application_id: str) -> _Call:
        return _Call("GET", f"/_sandbox/applications/{application_id}")

    @staticmethod
    def put_application(application_id: str, fields: Mapping[str, Any]) -> _Call:
        return _Call("PUT", f"/_sandbox/applications/{application_id}", json=dict(fields))

    @staticmethod
    def accounts() -> _Call:
        return _Call("GET", "/_sandbox/accounts")

    @staticmethod
    def put_account(api_key: str, fields: Mapping[str, Any]) -> _Call:
        return _Call("PUT", f"/_sandbox/accounts/{api_key}", json=dict(fields))

    @staticmethod
    def webhooks(filters: Mapping[str, Any], limit: int, offset: int) -> _Call:
        params = {**_params(filters), "limit": limit, "offset": offset}
        return _Call("GET", "/_sandbox/webhooks", params)

    @staticmethod
    def webhook(delivery_id: str) -> _Call:
        return _Call("GET", f"/_sandbox/webhooks/{delivery_id}")

    @staticmethod
    def resend_webhook(delivery_id: str) -> _Call:
        return _Call("POST", f"/_sandbox/webhooks/{delivery_id}/resend", json={})

    @staticmethod
    def listing(kind: str, item: str | None = None) -> _Call:
        return _Call("GET", f"/_sandbox/{kind}" + (f"/{item}" if item else ""))

    @staticmethod
    def errors(offset: int) -> _Call:
        return _Call("GET", "/_sandbox/errors", {"offset": offset})


def _advance_body(seconds: float | None, to: str | None) -> dict[str, Any]:
    if seconds is not None:
        return {"seconds": seconds}
    return {"to": to}


class SandboxClient:
    """Synchronous control API client. ``transport`` lets a test talk to an app object."""

    def __init__(
        self,
        url: str,
        *,
        timeout: float = 30.0,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self.url = url.rstrip("/")
        if transport is None and self.url.startswith("http://"):
            # Plain HTTP never uses TLS: skip loading the CA bundle (~30 ms per client).
            transport = httpx.HTTPTransport(verify=False)
        self._http = httpx.Client(base_url=self.url, timeout=timeout, transport=transport)

    # -- plumbing ----------------------------------------------------------------------------
    def call(self, call: _Call) -> Any:
        kwargs: dict[str, Any] = {"params": call.params}
        if call.json is not None:
            kwargs["json"] = call.json
        if call.timeout is not None:
            kwargs["timeout"] = call.timeout
        return _check(self._http.request(call.method, call.path, **kwargs))

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> SandboxClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- calls -------------------------------------------------------------------------------
    def health(self) -> dict[str, Any]:
        out: dict[str, Any] = self.call(_Calls.health())
        return out

    def messages(self, *, limit: int = 100, offset: int = 0, **filters: Any) -> list[Message]:
        """Matching messages, newest first. Filters: channel, to, from_, status, direction,
        peer (the end user, either direction), text (substring), application_id, client_ref."""
        data = self.call(_Calls.messages(filters, limit, offset))
        return [Message.from_json(m) for m in data["messages"]]

    def count(self, **filters: Any) -> int:
        total: int = self.call(_Calls.messages(filters, 1, 0))["total"]
        return total

    def message(self, uuid: str) -> Message:
        return Message.from_json(self.call(_Calls.message(uuid)))

    def mark(
        self,
        uuid: str,
        status: Status | str,
        error_code: int | None = None,
        *,
        reason: str | None = None,
        by: str | None = None,
    ) -> Message:
        return Message.from_json(self.call(_Calls.mark(uuid, status, error_code, reason, by)))

    def inbound(
        self,
        channel: str,
        from_: str,
        to: str | None = None,
        *,
        text: str | None = None,
        message_type: str | None = None,
        application_id: str | None = None,
        **fields: Any,
    ) -> Message:
        """The end user ``from_`` sends a message to the app's address ``to`` (default: the
        address that last wrote to them). ``fields``: image={...}, location={...}, profile..."""
        call = _Calls.inbound(channel, from_, to, text, message_type, application_id, fields)
        return Message.from_json(self.call(call))

    def wait_for_messages(
        self, *, count: int = 1, timeout: float = 5.0, limit: int = 100, **filters: Any
    ) -> WaitResult:
        """Block (server side, on events) until ``count`` messages match, or ``timeout`` real
        seconds pass; check ``.matched``."""
        return WaitResult.from_json(self.call(_Calls.wait(filters, count, timeout, limit)))

    def clock(self) -> ClockState:
        return ClockState.from_json(self.call(_Calls.clock()))

    def set_clock_mode(self, mode: Literal["manual", "live"]) -> ClockState:
        return ClockState.from_json(self.call(_Calls.set_clock_mode(mode)))

    def advance(self, seconds: float) -> ClockState:
        return ClockState.from_json(self.call(_Calls.advance(_advance_body(seconds, None))))

    def advance_to_next(self) -> ClockState:
        return ClockState.from_json(self.call(_Calls.advance(_advance_body(None, "next"))))

    def run_until_idle(self) -> ClockState:
        return ClockState.from_json(self.call(_Calls.advance(_advance_body(None, "idle"))))

    def settle(self) -> None:
        self.call(_Calls.settle())

    def reset(self, application_id: str | None = None) -> None:
        self.call(_Calls.reset(application_id))

    def config(self) -> dict[str, Any]:
        out: dict[str, Any] = self.call(_Calls.config())
        return out

    def configure(self, **changes: Any) -> dict[str, Any]:
        out: dict[str, Any] = self.call(_Calls.configure(changes))
        return out

    def applications(self) -> list[dict[str, Any]]:
        out: list[dict[str, Any]] = self.call(_Calls.applications())["applications"]
        return out

    def application(self, application_id: str) -> dict[str, Any]:
        out: dict[str, Any] = self.call(_Calls.application(application_id))
        return out

    def put_application(self, application_id: str, **fields: Any) -> dict[str, Any]:
        out: dict[str, Any] = self.call(_Calls.put_application(application_id, fields))
        return out

    def accounts(self) -> list[dict[str, Any]]:
        out: list[dict[str, Any]] = self.call(_Calls.accounts())["accounts"]
        return out

    def put_account(self, api_key: str, **fields: Any) -> dict[str, Any]:
        out: dict[str, Any] = self.call(_Calls.put_account(api_key, fields))
        return out

    def webhooks(self, *, limit: int = 1000, offset: int = 0, **filters: Any) -> list[Delivery]:
        """The delivery ledger, newest first. Filters: message_uuid, kind, state,
        application_id."""
        data = self.call(_Calls.webhooks(filters, limit, offset))
        return [Delivery.from_json(d) for d in data["webhooks"]]

    def webhook(self, delivery_id: str) -> Delivery:
        return Delivery.from_json(self.call(_Calls.webhook(delivery_id)))

    def resend_webhook(self, delivery_id: str) -> Delivery:
        return Delivery.from_json(self.call(_Calls.resend_webhook(delivery_id)))

    def workflows(self) -> list[dict[str, Any]]:
        out: list[dict[str, Any]] = self.call(_Calls.listing("workflows"))["workflows"]
        return out

    def workflow(self, workflow_id: str) -> dict[str, Any]:
        out: dict[str, Any] = self.call(_Calls.listing("workflows", workflow_id))
        return out

    def dispatches(self) -> list[dict[str, Any]]:
        out: list[dict[str, Any]] = self.call(_Calls.listing("dispatches"))["dispatches"]
        return out

    def dispatch(self, dispatch_uuid: str) -> dict[str, Any]:
        out: dict[str, Any] = self.call(_Calls.listing("dispatches", dispatch_uuid))
        return out

    def errors(self, offset: int = 0) -> tuple[list[SandboxErrorRecord], int]:
        """Errors inside the sandbox since the ``offset``-th, and how many there were in all."""
        data = self.call(_Calls.errors(offset))
        return [SandboxErrorRecord.from_json(e) for e in data["errors"]], int(data["total"])


class AsyncSandboxClient:
    """The same calls for async code (an async app's tests, scripts under asyncio)."""

    def __init__(
        self,
        url: str,
        *,
        timeout: float = 30.0,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self.url = url.rstrip("/")
        if transport is None and self.url.startswith("http://"):
            transport = httpx.AsyncHTTPTransport(verify=False)
        self._http = httpx.AsyncClient(base_url=self.url, timeout=timeout, transport=transport)

    async def call(self, call: _Call) -> Any:
        kwargs: dict[str, Any] = {"params": call.params}
        if call.json is not None:
            kwargs["json"] = call.json
        if call.timeout is not None:
            kwargs["timeout"] = call.timeout
        return _check(await self._http.request(call.method, call.path, **kwargs))

    async def aclose(self) -> None:
        await self._http.aclose()

    async def __aenter__(self) -> AsyncSandboxClient:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    async def health(self) -> dict[str, Any]:
        out: dict[str, Any] = await self.call(_Calls.health())
        return out

    async def messages(self, *, limit: int = 100, offset: int = 0, **filters: Any) -> list[Message]:
        data = await self.call(_Calls.messages(filters, limit, offset))
        return [Message.from_json(m) for m in data["messages"]]

    async def message(self, uuid: str) -> Message:
        return Message.from_json(await self.call(_Calls.message(uuid)))

    async def mark(
        self,
        uuid: str,
        status: Status | str,
        error_code: int | None = None,
        *,
        reason: str | None = None,
        by: str | None = None,
    ) -> Message:
        data = await self.call(_Calls.mark(uuid, status, error_code, reason, by))
        return Message.from_json(data)

    async def inbound(
        self,
        channel: str,
        from_: str,
        to: str | None = None,
        *,
        text: str | None = None,
        message_type: str | None = None,
        application_id: str | None = None,
        **fields: Any,
    ) -> Message:
        call = _Calls.inbound(channel, from_, to, text, message_type, application_id, fields)
        return Message.from_json(await self.call(call))

    async def wait_for_messages(
        self, *, count: int = 1, timeout: float = 5.0, limit: int = 100, **filters: Any
    ) -> WaitResult:
        return WaitResult.from_json(await self.call(_Calls.wait(filters, count, timeout, limit)))

    async def clock(self) -> ClockState:
        return ClockState.from_json(await self.call(_Calls.clock()))

    async def advance(self, seconds: float) -> ClockState:
        return ClockState.from_json(await self.call(_Calls.advance(_advance_body(seconds, None))))

    async def advance_to_next(self) -> ClockState:
        return ClockState.from_json(await self.call(_Calls.advance(_advance_body(None, "next"))))

    async def run_until_idle(self) -> ClockState:
        return ClockState.from_json(await self.call(_Calls.advance(_advance_body(None, "idle"))))

    async def settle(self) -> None:
        await self.call(_Calls.settle())

    async def reset(self, application_id: str | None = None) -> None:
        await self.call(_Calls.reset(application_id))

    async def configure(self, **changes: Any) -> dict[str, Any]:
        out: dict[str, Any] = await self.call(_Calls.configure(changes))
        return out

    async def webhooks(
        self, *, limit: int = 1000, offset: int = 0, **filters: Any
    ) -> list[Delivery]:
        data = await self.call(_Calls.webhooks(filters, limit, offset))
        return [Delivery.from_json(d) for d in data["webhooks"]]

    async def errors(self, offset: int = 0) -> tuple[list[SandboxErrorRecord], int]:
        data = await self.call(_Calls.errors(offset))
        return [SandboxErrorRecord.from_json(e) for e in data["errors"]], int(data["total"])


def vonage_client(url: str, **auth: Any) -> Any:
    """An official ``vonage`` 4.x client aimed at the sandbox at ``url``: see
    :func:`sandbox.sdk_clients.vonage_client` (TLS with ``ca_path``, or plain HTTP)."""
    from sandbox.sdk_clients import vonage_client as build

    return build(url, **auth)
