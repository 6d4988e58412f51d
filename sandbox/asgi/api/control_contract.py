"""Control API: the webhook contract test (`/_sandbox/webhooks/contract`; webhooks/contract.py).

POST /_sandbox/webhooks/contract   {"url"?, "kind"?, "application_id"?, "allow"?}: send an
                                   endpoint the battery of good and bad webhooks, judge each
GET  /_sandbox/webhooks/contract   [?application_id=] the last report (404 before the first)

Without ``url`` the endpoints are where the sandbox sends that application's webhooks of
``kind`` (both kinds when none is given): its status_url / inbound_url, else the sandbox's
defaults, by the routing rules real webhooks follow.
"""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from sandbox.asgi.io import json_response, read_control_json, runtime
from sandbox.asgi.runtime import Runtime
from sandbox.control.params import only
from sandbox.core.checks import is_http_url
from sandbox.core.errors import BadControlRequest, ControlNotFound
from sandbox.webhooks.contract import (
    CASES,
    KINDS,
    Kind,
    Reports,
    bodies,
    poster,
    probes,
    report,
    route_for,
    run_endpoint,
    sample_message,
)

FIELDS = ("url", "kind", "application_id", "allow")


def _book(rt: Runtime) -> Reports:
    return rt.webhooks.contract_reports


def _parse(body: dict[str, Any]) -> tuple[str | None, list[Kind], str | None, list[str]]:
    url, kind, app_id, allow = (body.get(k) for k in FIELDS)
    if url is not None and not is_http_url(url):
        raise BadControlRequest("url must be an http(s) URL.", invalid=[("url", "not a URL")])
    if kind is not None and kind not in KINDS:
        raise BadControlRequest(
            "kind must be status or inbound.", invalid=[("kind", "must be status or inbound")]
        )
    if app_id is not None and (not isinstance(app_id, str) or not app_id):
        raise BadControlRequest(
            "application_id must be a string.", invalid=[("application_id", "not a string")]
        )
    allow = [] if allow is None else allow
    if not isinstance(allow, list) or not all(isinstance(a, str) for a in allow):
        raise BadControlRequest(
            "allow must be a list of case names.", invalid=[("allow", "not a list of names")]
        )
    if unknown := [a for a in allow if a not in CASES]:
        raise BadControlRequest(
            f"Unknown case{'s' if len(unknown) > 1 else ''} in allow: {', '.join(unknown)}.",
            invalid=[("allow", f"the cases are {', '.join(CASES)}")],
        )
    # A URL given with no kind is tested with status webhooks, the kind every app receives.
    kinds: list[Kind] = [kind] if kind is not None else (["status"] if url else list(KINDS))
    return url, kinds, app_id, allow


async def run_contract(request: Request) -> Response:
    rt = runtime(request)
    body = await read_control_json(request, optional=True, fields=FIELDS)
    url, kinds, app_id, allow = _parse(body)
    secret, api_key = rt.webhooks.routing.secret_and_key(app_id, None)
    targets = []
    for kind in kinds:
        message = sample_message(kind, app_id, api_key, rt.clock.now())
        route = route_for(rt.webhooks.routing, kind, message)
        if url is not None or route.url is not None:
            targets.append((url or route.url, kind, message, route.version))
    if not targets:
        whose = f"application {app_id}" if app_id else "the sandbox"
        how = (
            f"PUT /_sandbox/applications/{app_id}"
            if app_id
            else "PUT /_sandbox/config, or --status-url / --inbound-url"
        )
        wanted = " or ".join(f"{k}_url" for k in kinds)
        raise BadControlRequest(
            f"No webhook URL to test: {whose} has no {wanted}. Give a url, or set one ({how}).",
            invalid=[("url", "is required when no webhook URL is configured")],
        )
    post = poster(rt.webhooks._http, rt.webhooks.attempt_limit)
    endpoints = []
    for target, kind, message, version in targets:
        assert target is not None
        good, altered = bodies(kind, message, version, rt.channels, rt.public_url)
        battery = probes(
            good,
            altered,
            secret=secret,
            api_key=api_key,
            application_id=app_id,
            wall=rt.clock.wall(),
        )
        endpoints.append(await run_endpoint(target, kind, battery, post, allow))
    result = report(endpoints)
    _book(rt).keep(app_id, result)
    return json_response(result)


async def last_contract(request: Request) -> Response:
    rt = runtime(request)
    only(request.query_params, ("application_id",))
    app_id = request.query_params.get("application_id") or None
    result = _book(rt).last(app_id)
    if result is None:
        whose = f" of application {app_id}" if app_id else ""
        raise ControlNotFound(
            f"No webhook contract test{whose} has run yet: POST /_sandbox/webhooks/contract."
        )
    return json_response(result)


routes = [
    Route("/_sandbox/webhooks/contract", run_contract, methods=["POST"]),
    Route("/_sandbox/webhooks/contract", last_contract, methods=["GET"]),
]
