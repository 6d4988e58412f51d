"""Control API: chaos rules, faults on purpose (`/_sandbox/chaos`; core/chaos.py).

GET    /_sandbox/chaos[?application_id=]    the seed, the rules in force, recent effects
PUT    /_sandbox/chaos                      {"seed": 7, "rules": [...]}: replace the set
DELETE /_sandbox/chaos[?application_id=]    drop every rule (or one application's)
POST   /_sandbox/chaos/rules                add one rule (201)
DELETE /_sandbox/chaos/rules/{rule_id}      drop one rule
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from sandbox.asgi.io import json_response, read_control_json, runtime
from sandbox.control.chaos import parse_rule, parse_rules, parse_seed
from sandbox.control.params import only
from sandbox.core.errors import ControlNotFound


def _app_param(request: Request) -> str | None:
    only(request.query_params, ("application_id",))
    return request.query_params.get("application_id") or None


async def get_chaos(request: Request) -> Response:
    return json_response(runtime(request).chaos.listing(_app_param(request)))


async def put_chaos(request: Request) -> Response:
    """Replace the whole set (the seed, the rules, or both): for a sandbox of one's own. Tests
    that share a server add rules scoped to their application instead (POST .../rules)."""
    rt = runtime(request)
    body = await read_control_json(request, fields=("seed", "rules"))
    seed = parse_seed(body["seed"]) if "seed" in body else None
    rules = parse_rules(body["rules"], rt.channels) if "rules" in body else None
    if seed is not None:
        rt.chaos.set_seed(seed)
    if rules is not None:
        rt.chaos.clear()
        for rule in rules:
            rt.chaos.add(rule)
    return json_response(rt.chaos.listing())


async def clear_chaos(request: Request) -> Response:
    rt = runtime(request)
    return json_response({"deleted": rt.chaos.clear(_app_param(request))})


async def add_rule(request: Request) -> Response:
    rt = runtime(request)
    rule = parse_rule(await read_control_json(request), rt.channels)
    return json_response(rt.chaos.add(rule).to_dict(), 201)


async def delete_rule(request: Request) -> Response:
    rule_id = request.path_params["rule_id"]
    if not runtime(request).chaos.remove(rule_id):
        raise ControlNotFound(f"No chaos rule {rule_id}.")
    return json_response({"deleted": rule_id})


routes = [
    Route("/_sandbox/chaos", get_chaos, methods=["GET"]),
    Route("/_sandbox/chaos", put_chaos, methods=["PUT"]),
    Route("/_sandbox/chaos", clear_chaos, methods=["DELETE"]),
    Route("/_sandbox/chaos/rules", add_rule, methods=["POST"]),
    Route("/_sandbox/chaos/rules/{rule_id}", delete_rule, methods=["DELETE"]),
]
