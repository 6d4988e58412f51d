"""Control API: health, applications, accounts, run-time defaults, reset and settle."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from sandbox import __version__
from sandbox.asgi.access import may_weaken_auth
from sandbox.asgi.io import json_response, read_control_json, runtime
from sandbox.asgi.runtime import Runtime
from sandbox.core.checks import is_http_url
from sandbox.core.config import MAX_DELAY, PRESETS, RETRY_POLICIES, WEBHOOK_VERSIONS, RunConfig
from sandbox.core.errors import BadControlRequest, ControlNotFound, TrustLocked
from sandbox.core.models import Account

URL_FIELDS = ("status_url", "inbound_url")
TEXT_FIELDS = ("name", "public_key", "signature_secret", "api_key")
APPLICATION_FIELDS = (*TEXT_FIELDS, *URL_FIELDS, "webhook_version", "rate_limit")


async def health(request: Request) -> Response:
    rt = runtime(request)
    return json_response(
        {
            "status": "ok",
            "version": __version__,
            "clock": rt.clock.mode,
            "messages": rt.store.count(),
            # The retention bound: how much is kept, and how much it dropped since start.
            "retention": {
                "max_messages": rt.engine.max_messages,
                "stored": rt.store.count(),
                "pruned": rt.engine.pruned,
            },
            "webhooks": len(rt.webhooks.ledger),
            "channels": rt.channels.names(),  # what an inbox may be asked for
        }
    )


def _locked(rt: Runtime, request: Request) -> bool:
    """Started with --strict-auth, and this request may not weaken it (access.py)."""
    return rt.settings.strict_auth and not may_weaken_auth(request)


def _refuse(what: str) -> TrustLocked:
    return TrustLocked(
        f"The sandbox runs with --strict-auth: {what} would weaken it, and the control API may "
        "do that only with a token. Start the sandbox with --control-token TOKEN and send "
        "'Authorization: Bearer TOKEN', or restart it with the settings you want."
    )


def _check_rate(body: dict[str, Any]) -> list[tuple[str, str]]:
    """`rate_limit` of the config, an application or an account: sends per virtual second."""
    rate = body.get("rate_limit")
    if rate is not None and (
        isinstance(rate, bool) or not isinstance(rate, int | float) or not 0 < rate <= 1_000_000
    ):
        return [("rate_limit", "must be a number of sends per second above 0, or null.")]
    return []


def _check_urls(body: dict[str, Any]) -> list[tuple[str, str]]:
    """The webhook URL fields of an application or the config: absolute http(s), or null."""
    return [
        (name, "must be an http(s) URL or null.")
        for name in URL_FIELDS
        if name in body and body[name] is not None and not is_http_url(body[name])
    ]


async def list_applications(request: Request) -> Response:
    rt = runtime(request)
    return json_response({"applications": [a.to_dict() for a in rt.store.applications.values()]})


async def get_application(request: Request) -> Response:
    rt = runtime(request)
    app = rt.store.applications.get(request.path_params["application_id"])
    if app is None:
        raise ControlNotFound(f"No application {request.path_params['application_id']}.")
    return json_response(app.to_dict())


async def put_application(request: Request) -> Response:
    """Create or update; fields left out keep their value, null clears one."""
    rt = runtime(request)
    body = await read_control_json(request, fields=APPLICATION_FIELDS)
    invalid = _check_urls(body) + _check_rate(body)
    for name in TEXT_FIELDS:
        if name in body and body[name] is not None and not isinstance(body[name], str):
            invalid.append((name, "must be a string or null."))
    if "webhook_version" in body and body["webhook_version"] not in (*WEBHOOK_VERSIONS, None):
        invalid.append(("webhook_version", "must be v0.1, v1 or null."))
    key = body.get("public_key")
    if isinstance(key, str) and "PUBLIC KEY" not in key:
        invalid.append(("public_key", "must be a PEM public key."))
    if invalid:
        raise BadControlRequest("Invalid application settings.", invalid=invalid)
    known = rt.store.applications.get(request.path_params["application_id"])
    if known is not None and _locked(rt, request):
        # api_key too: it names the account whose secret signs the app's webhooks.
        for name in ("public_key", "signature_secret", "api_key"):
            if (
                name in body
                and getattr(known, name) is not None
                and body[name] != getattr(known, name)
            ):
                raise _refuse(f"replacing the {name} of application {known.id}")
    app = rt.engine.update_application(request.path_params["application_id"], body)
    return json_response(app.to_dict())


async def list_accounts(request: Request) -> Response:
    rt = runtime(request)
    return json_response({"accounts": [_account(a) for a in rt.store.accounts.values()]})


def _account(account: Account) -> dict[str, Any]:
    return {
        "api_key": account.api_key,
        "signature_secret": account.signature_secret,
        "balance": account.balance,
        "rate_limit": account.rate_limit,
    }


def _balance(value: Any) -> str | None:
    """A balance given as a number or a decimal string, kept as a string of 4 decimals (EUR,
    as `usage.price` is written); None for anything else."""
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        return None
    try:
        amount = Decimal(str(value).strip())
    except InvalidOperation:
        return None
    return f"{amount:.4f}" if amount.is_finite() and abs(amount) < 10**12 else None


async def put_account(request: Request) -> Response:
    """Create or change an account. `balance` (EUR, a number or a decimal string; null for
    unlimited, the default) gives it credit that each message sent uses up, so a send it
    cannot cover is answered 402 Low balance as by Vonage."""
    rt = runtime(request)
    body = await read_control_json(
        request, fields=("api_secret", "signature_secret", "balance", "rate_limit")
    )
    invalid = _check_rate(body) + [
        (n, "must be a string or null.")
        for n in ("api_secret", "signature_secret")
        if body.get(n) is not None and not isinstance(body.get(n), str)
    ]
    if body.get("balance") is not None:
        balance = _balance(body["balance"])
        if balance is None:
            invalid.append(("balance", "must be an amount in EUR (a number or a decimal string)."))
        else:
            body["balance"] = balance
    if invalid:
        raise BadControlRequest("Invalid account settings.", invalid=invalid)
    known = rt.store.accounts.get(request.path_params["api_key"])
    if known is not None and _locked(rt, request):
        for name in ("api_secret", "signature_secret"):
            if (
                name in body
                and getattr(known, name) is not None
                and body[name] != getattr(known, name)
            ):
                raise _refuse(f"changing the {name} of account {known.api_key}")
    account = rt.engine.account(request.path_params["api_key"], body)
    return json_response(_account(account))


async def get_config(request: Request) -> Response:
    return json_response(_config(runtime(request)))


def _config(rt: Runtime) -> dict[str, Any]:
    return {**rt.config.to_dict(), "signature_secret": rt.webhooks.signature_secret}


async def put_config(request: Request) -> Response:
    """Change run-time defaults (what the fixture's marker sets per test); reset undoes it."""
    rt = runtime(request)
    body = await read_control_json(request)
    invalid = _check_urls(body)
    for name in ("auto_deliver", "auto_read"):
        value = body.get(name)
        if (
            name in body
            and value is not None
            and (
                isinstance(value, bool)
                or not isinstance(value, int | float)
                or not 0 <= value <= MAX_DELAY
            )
        ):
            invalid.append((name, f"must be a number from 0 to {MAX_DELAY:.0f} or null."))
    invalid.extend(_check_rate(body))
    if "retry_policy" in body and body["retry_policy"] not in RETRY_POLICIES:
        invalid.append(("retry_policy", "must be one of: " + ", ".join(RETRY_POLICIES) + "."))
    preset = body.pop("preset", None)
    if preset is not None and preset not in PRESETS:
        invalid.append(("preset", "must be one of: " + ", ".join(PRESETS) + "."))
    elif preset is not None:
        # What the body says itself wins over the preset's values.
        body = {**rt.config.apply_preset(preset), **body}
    for name in ("strict_auth", "failover_on_undeliverable"):
        if name in body and not isinstance(body[name], bool):
            invalid.append((name, "must be true or false."))
    if "webhook_version" in body and body["webhook_version"] not in WEBHOOK_VERSIONS:
        invalid.append(("webhook_version", "must be v0.1 or v1."))
    unknown = set(body) - set(RunConfig.names())
    invalid.extend((name, "is not a setting that can change at run time.") for name in unknown)
    if invalid:
        raise BadControlRequest("Invalid configuration.", invalid=invalid)
    if body.get("strict_auth") is False and _locked(rt, request):
        raise _refuse("turning strict_auth off")
    rt.engine.configure(body)
    return json_response(_config(rt))


async def reset(request: Request) -> Response:
    rt = runtime(request)
    body = await read_control_json(request, optional=True, fields=("application_id",))
    application_id = body.get("application_id")
    if application_id is not None and not isinstance(application_id, str):
        raise BadControlRequest(
            "application_id must be a string.", invalid=[("application_id", "must be a string.")]
        )
    # Under a locked --strict-auth, trust (keys, accounts) outlives a reset: otherwise a reset
    # followed by a "first" key registration would swap an application's key.
    rt.reset(application_id, keep_trust=_locked(rt, request))
    return json_response({"reset": True, "application_id": application_id})


async def settle(request: Request) -> Response:
    """`{}`, or `{"summary": true, "application_id": ...}` to hear, in the same answer, how many
    errors the sandbox recorded and how the webhooks fared (the fixture's after-test check)."""
    rt = runtime(request)
    body = await read_control_json(request, optional=True, fields=("summary", "application_id"))
    summary, app = body.get("summary", False), body.get("application_id")
    if not isinstance(summary, bool):
        raise BadControlRequest(
            "summary must be true or false.", invalid=[("summary", "must be a boolean.")]
        )
    if app is not None and not isinstance(app, str):
        raise BadControlRequest(
            "application_id must be a string.", invalid=[("application_id", "must be a string.")]
        )
    await rt.settle()
    # Bounded by the webhook timeout: a receiver that hangs is reported, not waited for.
    left = rt.webhooks.in_flight
    out: dict[str, object] = {"settled": left == 0, "in_flight": left}
    if summary:
        out["errors"] = len(rt.errors)
        out["webhooks"] = rt.webhooks.ledger.summary(app)
    return json_response(out)


routes = [
    Route("/_sandbox/health", health, methods=["GET"]),
    Route("/_sandbox/applications", list_applications, methods=["GET"]),
    Route("/_sandbox/applications/{application_id}", get_application, methods=["GET"]),
    Route("/_sandbox/applications/{application_id}", put_application, methods=["PUT"]),
    Route("/_sandbox/accounts", list_accounts, methods=["GET"]),
    Route("/_sandbox/accounts/{api_key}", put_account, methods=["PUT"]),
    Route("/_sandbox/config", get_config, methods=["GET"]),
    Route("/_sandbox/config", put_config, methods=["PUT"]),
    Route("/_sandbox/reset", reset, methods=["POST"]),
    Route("/_sandbox/settle", settle, methods=["POST"]),
]
