"""A typed Python client for the sandbox's control API (`/_sandbox/...`), usable against any
running sandbox by URL: from the pytest fixture, from scripts, from another language's test
harness through `python -c`.

    from sandbox.client import SandboxClient

    with SandboxClient("http://127.0.0.1:8000") as sb:
        sms = sb.wait_for_messages(channel="sms", to="447700900000").messages[0]
        sb.mark(sms.message_uuid, "delivered")
        sb.inbound("sms", "447700900000", text="STOP")

:class:`SandboxClient` is synchronous (one keep-alive connection, so a call costs about a
millisecond on loopback); :class:`~sandbox.testing.async_client.AsyncSandboxClient` has the
same methods for async code.
Every call that changes state answers only after the webhooks it caused were attempted once,
so nothing here sleeps. Errors from the sandbox raise :class:`SandboxAPIError` carrying the
problem+json body.

:func:`vonage_client` builds an official ``vonage`` SDK client aimed at a sandbox.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, Literal

import httpx

from sandbox.testing.calls import (
    SandboxAPIError,
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

__all__ = [
    "ClockState",
    "Delivery",
    "Message",
    "SandboxAPIError",
    "SandboxClient",
    "SandboxErrorRecord",
    "WaitResult",
    "vonage_client",
]


class SandboxClient:
    """Synchronous control API client. ``transport`` lets a test talk to an app object."""

    def __init__(
        self,
        url: str,
        *,
        timeout: float = 30.0,
        transport: httpx.BaseTransport | None = None,
        token: str | None = None,
        trust_env: bool = True,
    ) -> None:
        """``trust_env=False``: ignore proxy variables and ``.netrc`` (a sandbox on loopback
        in this process needs neither, and reading them costs ~0.15 ms a call)."""
        self.url = url.rstrip("/")
        if transport is None and self.url.startswith("http://"):
            # Plain HTTP never uses TLS: skip loading the CA bundle (~30 ms per client).
            transport = httpx.HTTPTransport(verify=False)
        self._http = httpx.Client(
            base_url=self.url,
            timeout=timeout,
            transport=transport,
            headers=token_headers(token),
            trust_env=trust_env,
        )

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

    def tap(
        self, uuid: str, suggestion: int | None = None, *, postback_data: str | None = None
    ) -> Message:
        """The end user taps a suggestion chip of message ``uuid`` (by position, or by its
        postback data); returns the inbound message the app received."""
        return Message.from_json(self.call(_Calls.tap(uuid, suggestion, postback_data)))

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

    def settle(self, *, summary: bool = False, application_id: str | None = None) -> dict[str, Any]:
        """Wait for what is due and in flight: ``{"settled", "in_flight"}``; with ``summary``
        also ``errors`` (the sandbox's count) and ``webhooks`` (the ledger's counts, of one
        application if given), so a check needs no other call when all is well."""
        out: dict[str, Any] = self.call(_Calls.settle(summary, application_id))
        return out

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

    def handsets(self) -> dict[str, list[dict[str, Any]]]:
        """`{"handsets": [profiles set], "magic": [the built-in magic numbers]}`."""
        out: dict[str, list[dict[str, Any]]] = self.call(_Calls.handsets())
        return out

    def put_handset(self, address: str, **profile: Any) -> dict[str, Any]:
        """Give ``address`` a handset profile: `channels`, `persona`, behaviour fields..."""
        out: dict[str, Any] = self.call(_Calls.put_handset(address, profile))
        return out

    def delete_handset(self, address: str) -> dict[str, Any]:
        out: dict[str, Any] = self.call(_Calls.delete_handset(address))
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

    # -- faults on purpose -------------------------------------------------------------------
    def webhook_contract(
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
        out: dict[str, Any] = self.call(_Calls.webhook_contract(url, kind, application_id, allow))
        return out

    def last_webhook_contract(self, application_id: str | None = None) -> dict[str, Any]:
        """The last contract report (of ``application_id``); SandboxAPIError 404 if none."""
        out: dict[str, Any] = self.call(_Calls.last_webhook_contract(application_id))
        return out

    def chaos(self, application_id: str | None = None) -> dict[str, Any]:
        """``{"seed", "rules", "effects"}``: the chaos rules in force and what they did."""
        out: dict[str, Any] = self.call(_Calls.chaos(application_id))
        return out

    def add_chaos_rule(self, **rule: Any) -> dict[str, Any]:
        """Add a chaos rule (``effect=...``, ``scope={...}``, ``probability``, ``times``...);
        returns it as the sandbox keeps it, with its ``id``."""
        out: dict[str, Any] = self.call(_Calls.add_chaos_rule(rule))
        return out

    def delete_chaos_rule(self, rule_id: str) -> dict[str, Any]:
        out: dict[str, Any] = self.call(_Calls.delete_chaos_rule(rule_id))
        return out

    def clear_chaos(self, application_id: str | None = None) -> dict[str, Any]:
        """Drop every chaos rule (or one application's): ``{"deleted": n}``."""
        out: dict[str, Any] = self.call(_Calls.clear_chaos(application_id))
        return out

    def set_chaos(
        self, seed: int | None = None, rules: Iterable[Mapping[str, Any]] | None = None
    ) -> dict[str, Any]:
        """Set the chaos seed and/or replace the whole set of rules; answers as :meth:`chaos`."""
        out: dict[str, Any] = self.call(_Calls.set_chaos(seed, rules))
        return out


def vonage_client(url: str, **auth: Any) -> Any:
    """An official ``vonage`` 4.x client aimed at the sandbox at ``url``: see
    :func:`sandbox.sdk_clients.vonage_client` (TLS with ``ca_path``, or plain HTTP)."""
    from sandbox.sdk_clients import vonage_client as build

    return build(url, **auth)
