"""The control-API client for async code (an async app's tests, scripts under asyncio): the
same calls as :class:`~sandbox.testing.client.SandboxClient`."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, Literal

import httpx

from sandbox.testing.calls import (
    Status,
    _advance_body,
    _Call,
    _Calls,
    _check,
    token_headers,
)
from sandbox.testing.client_types import (
    ClockState,
    Delivery,
    Message,
    SandboxErrorRecord,
    WaitResult,
)


class AsyncSandboxClient:
    """The same calls for async code (an async app's tests, scripts under asyncio)."""

    def __init__(
        self,
        url: str,
        *,
        timeout: float = 30.0,
        transport: httpx.AsyncBaseTransport | None = None,
        token: str | None = None,
        trust_env: bool = True,
    ) -> None:
        """``trust_env=False``: ignore proxy variables and ``.netrc`` (a sandbox on loopback
        in this process needs neither, and reading them costs ~0.15 ms a call)."""
        self.url = url.rstrip("/")
        if transport is None and self.url.startswith("http://"):
            transport = httpx.AsyncHTTPTransport(verify=False)
        self._http = httpx.AsyncClient(
            base_url=self.url,
            timeout=timeout,
            transport=transport,
            headers=token_headers(token),
            trust_env=trust_env,
        )

    async def call(self, call: _Call) -> Any:
        kwargs: dict[str, Any] = {"params": call.params}
        if call.json is not None:
            kwargs["json"] = call.json
        if call.timeout is not None:
            kwargs["timeout"] = call.timeout
        return _check(await self._http.request(call.method, call.path, **kwargs))

    async def aclose(self) -> None:
        await self._http.aclose()

    async def close(self) -> None:
        """As the sync client's ``close`` (``aclose`` is the same)."""
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

    async def count(self, **filters: Any) -> int:
        total: int = (await self.call(_Calls.messages(filters, 1, 0)))["total"]
        return total

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

    async def tap(
        self, uuid: str, suggestion: int | None = None, *, postback_data: str | None = None
    ) -> Message:
        """The end user taps a suggestion chip of message ``uuid`` (by position, or by its
        postback data); returns the inbound message the app received."""
        return Message.from_json(await self.call(_Calls.tap(uuid, suggestion, postback_data)))

    async def clock(self) -> ClockState:
        return ClockState.from_json(await self.call(_Calls.clock()))

    async def set_clock_mode(self, mode: Literal["manual", "live"]) -> ClockState:
        return ClockState.from_json(await self.call(_Calls.set_clock_mode(mode)))

    async def advance(self, seconds: float) -> ClockState:
        return ClockState.from_json(await self.call(_Calls.advance(_advance_body(seconds, None))))

    async def advance_to_next(self) -> ClockState:
        return ClockState.from_json(await self.call(_Calls.advance(_advance_body(None, "next"))))

    async def run_until_idle(self) -> ClockState:
        return ClockState.from_json(await self.call(_Calls.advance(_advance_body(None, "idle"))))

    async def settle(
        self, *, summary: bool = False, application_id: str | None = None
    ) -> dict[str, Any]:
        out: dict[str, Any] = await self.call(_Calls.settle(summary, application_id))
        return out

    async def reset(self, application_id: str | None = None) -> None:
        await self.call(_Calls.reset(application_id))

    async def config(self) -> dict[str, Any]:
        out: dict[str, Any] = await self.call(_Calls.config())
        return out

    async def configure(self, **changes: Any) -> dict[str, Any]:
        out: dict[str, Any] = await self.call(_Calls.configure(changes))
        return out

    async def applications(self) -> list[dict[str, Any]]:
        out: list[dict[str, Any]] = (await self.call(_Calls.applications()))["applications"]
        return out

    async def application(self, application_id: str) -> dict[str, Any]:
        out: dict[str, Any] = await self.call(_Calls.application(application_id))
        return out

    async def put_application(self, application_id: str, **fields: Any) -> dict[str, Any]:
        out: dict[str, Any] = await self.call(_Calls.put_application(application_id, fields))
        return out

    async def accounts(self) -> list[dict[str, Any]]:
        out: list[dict[str, Any]] = (await self.call(_Calls.accounts()))["accounts"]
        return out

    async def put_account(self, api_key: str, **fields: Any) -> dict[str, Any]:
        out: dict[str, Any] = await self.call(_Calls.put_account(api_key, fields))
        return out

    async def handsets(self) -> dict[str, list[dict[str, Any]]]:
        """`{"handsets": [profiles set], "magic": [the built-in magic numbers]}`."""
        out: dict[str, list[dict[str, Any]]] = await self.call(_Calls.handsets())
        return out

    async def put_handset(self, address: str, **profile: Any) -> dict[str, Any]:
        """Give ``address`` a handset profile: `channels`, `persona`, behaviour fields..."""
        out: dict[str, Any] = await self.call(_Calls.put_handset(address, profile))
        return out

    async def delete_handset(self, address: str) -> dict[str, Any]:
        out: dict[str, Any] = await self.call(_Calls.delete_handset(address))
        return out

    async def webhooks(
        self, *, limit: int = 1000, offset: int = 0, **filters: Any
    ) -> list[Delivery]:
        data = await self.call(_Calls.webhooks(filters, limit, offset))
        return [Delivery.from_json(d) for d in data["webhooks"]]

    async def webhook(self, delivery_id: str) -> Delivery:
        return Delivery.from_json(await self.call(_Calls.webhook(delivery_id)))

    async def resend_webhook(self, delivery_id: str) -> Delivery:
        return Delivery.from_json(await self.call(_Calls.resend_webhook(delivery_id)))

    async def workflows(self) -> list[dict[str, Any]]:
        out: list[dict[str, Any]] = (await self.call(_Calls.listing("workflows")))["workflows"]
        return out

    async def workflow(self, workflow_id: str) -> dict[str, Any]:
        out: dict[str, Any] = await self.call(_Calls.listing("workflows", workflow_id))
        return out

    async def dispatches(self) -> list[dict[str, Any]]:
        data = await self.call(_Calls.listing("dispatches"))
        out: list[dict[str, Any]] = data["dispatches"]
        return out

    async def dispatch(self, dispatch_uuid: str) -> dict[str, Any]:
        out: dict[str, Any] = await self.call(_Calls.listing("dispatches", dispatch_uuid))
        return out

    async def errors(self, offset: int = 0) -> tuple[list[SandboxErrorRecord], int]:
        data = await self.call(_Calls.errors(offset))
        return [SandboxErrorRecord.from_json(e) for e in data["errors"]], int(data["total"])

    # -- faults on purpose -------------------------------------------------------------------
    async def webhook_contract(
        self,
        url: str | None = None,
        kind: str | None = None,
        application_id: str | None = None,
        allow: Iterable[str] = (),
    ) -> dict[str, Any]:
        """Send an endpoint the battery of good and bad webhooks (genuine, duplicate, forged,
        unsigned, replayed...) and judge each: ``{"passed", "endpoints": [{"url", "kind",
        "passed", "cases": [...]}], "summary"}``. Without ``url``: the application's (or the
        sandbox's) webhook URLs. ``allow``: cases whose failure does not fail the run."""
        out: dict[str, Any] = await self.call(
            _Calls.webhook_contract(url, kind, application_id, allow)
        )
        return out

    async def last_webhook_contract(self, application_id: str | None = None) -> dict[str, Any]:
        """The last contract report (of ``application_id``); SandboxAPIError 404 if none."""
        out: dict[str, Any] = await self.call(_Calls.last_webhook_contract(application_id))
        return out

    async def chaos(self, application_id: str | None = None) -> dict[str, Any]:
        """``{"seed", "rules", "effects"}``: the chaos rules in force and what they did."""
        out: dict[str, Any] = await self.call(_Calls.chaos(application_id))
        return out

    async def add_chaos_rule(self, **rule: Any) -> dict[str, Any]:
        """Add a chaos rule (``effect=...``, ``scope={...}``, ``probability``, ``times``...);
        returns it as the sandbox keeps it, with its ``id``."""
        out: dict[str, Any] = await self.call(_Calls.add_chaos_rule(rule))
        return out

    async def delete_chaos_rule(self, rule_id: str) -> dict[str, Any]:
        out: dict[str, Any] = await self.call(_Calls.delete_chaos_rule(rule_id))
        return out

    async def clear_chaos(self, application_id: str | None = None) -> dict[str, Any]:
        """Drop every chaos rule (or one application's): ``{"deleted": n}``."""
        out: dict[str, Any] = await self.call(_Calls.clear_chaos(application_id))
        return out

    async def set_chaos(
        self, seed: int | None = None, rules: Iterable[Mapping[str, Any]] | None = None
    ) -> dict[str, Any]:
        """Set the chaos seed and/or replace the whole set of rules; answers as :meth:`chaos`."""
        out: dict[str, Any] = await self.call(_Calls.set_chaos(seed, rules))
        return out
