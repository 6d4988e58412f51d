"""The control API's calls, each described once (:class:`_Call`) and run by either client;
errors from the sandbox raise :class:`SandboxAPIError` carrying the problem+json body."""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from typing import Any, Literal, NamedTuple
from urllib.parse import quote

import httpx

Status = Literal["delivered", "read", "rejected", "undeliverable"]


TOKEN_ENV = "NEXMO_SANDBOX_CONTROL_TOKEN"


def token_headers(token: str | None) -> dict[str, str]:
    """The `--control-token` of a shared sandbox: given, else from the environment."""
    token = token if token is not None else os.environ.get(TOKEN_ENV) or None
    return {"Authorization": f"Bearer {token}"} if token else {}


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


CONTRACT_PATH = "/_sandbox/webhooks/contract"
# The contract test sends up to 8 requests to each of up to 2 endpoints, each allowed the
# sandbox's webhook limit (18 s by default): the HTTP read timeout must outlast that.
CONTRACT_TIMEOUT = 2 * 8 * 18.0 + 30.0


def _app_params(application_id: str | None) -> dict[str, Any] | None:
    return None if application_id is None else {"application_id": application_id}


def _handset_path(address: str) -> str:
    return f"/_sandbox/handsets/{quote(address, safe='@+')}"


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


# Inbound fields that are not content (what channels' inbound webhooks carry beside it).
EXTRA_FIELDS = ("profile", "context", "whatsapp", "provider_message", "origin", "email")


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
            kinds = [k for k in fields if k not in EXTRA_FIELDS]
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
    def settle(summary: bool = False, application_id: str | None = None) -> _Call:
        body: dict[str, Any] = {"summary": True} if summary else {}
        if application_id is not None:
            body["application_id"] = application_id
        return _Call("POST", "/_sandbox/settle", json=body)

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
    def handsets() -> _Call:
        return _Call("GET", "/_sandbox/handsets")

    @staticmethod
    def put_handset(address: str, profile: Mapping[str, Any]) -> _Call:
        return _Call("PUT", _handset_path(address), json=dict(profile))

    @staticmethod
    def delete_handset(address: str) -> _Call:
        return _Call("DELETE", _handset_path(address))

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
    def tap(uuid: str, suggestion: int | None, postback_data: str | None) -> _Call:
        body: dict[str, Any] = (
            {"suggestion": suggestion}
            if suggestion is not None
            else {"postback_data": postback_data}
        )
        return _Call("POST", f"/_sandbox/messages/{uuid}/tap", json=body)

    @staticmethod
    def errors(offset: int) -> _Call:
        return _Call("GET", "/_sandbox/errors", {"offset": offset})

    # -- faults on purpose: the webhook contract test and chaos rules -------------------------
    @staticmethod
    def webhook_contract(
        url: str | None, kind: str | None, application_id: str | None, allow: Iterable[str]
    ) -> _Call:
        given = {"url": url, "kind": kind, "application_id": application_id}
        body: dict[str, Any] = {k: v for k, v in given.items() if v is not None}
        if allow:
            body["allow"] = list(allow)
        return _Call("POST", CONTRACT_PATH, json=body, timeout=CONTRACT_TIMEOUT)

    @staticmethod
    def last_webhook_contract(application_id: str | None) -> _Call:
        return _Call("GET", CONTRACT_PATH, _app_params(application_id))

    @staticmethod
    def chaos(application_id: str | None) -> _Call:
        return _Call("GET", "/_sandbox/chaos", _app_params(application_id))

    @staticmethod
    def add_chaos_rule(rule: Mapping[str, Any]) -> _Call:
        return _Call("POST", "/_sandbox/chaos/rules", json=dict(rule))

    @staticmethod
    def delete_chaos_rule(rule_id: str) -> _Call:
        return _Call("DELETE", f"/_sandbox/chaos/rules/{quote(rule_id, safe='')}")

    @staticmethod
    def clear_chaos(application_id: str | None) -> _Call:
        return _Call("DELETE", "/_sandbox/chaos", _app_params(application_id))

    @staticmethod
    def set_chaos(seed: int | None, rules: Iterable[Mapping[str, Any]] | None) -> _Call:
        body: dict[str, Any] = {}
        if seed is not None:
            body["seed"] = seed
        if rules is not None:
            body["rules"] = [dict(r) for r in rules]
        return _Call("PUT", "/_sandbox/chaos", json=body)


def _advance_body(seconds: float | None, to: str | None) -> dict[str, Any]:
    if seconds is not None:
        return {"seconds": seconds}
    return {"to": to}
