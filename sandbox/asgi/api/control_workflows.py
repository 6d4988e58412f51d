"""Control API: failover workflows, v1 (`/_sandbox/workflows`) and Dispatch
(`/_sandbox/dispatches`), each step with its message, status, timer and outcome."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from sandbox.asgi.io import json_response, runtime
from sandbox.control.params import MAX_PAGE, PAGING, int_param, only, str_param
from sandbox.core.errors import ControlNotFound
from sandbox.core.workflow import Runner
from sandbox.wire.report import dispatch_report


def _listing(request: Request, runner: Runner, key: str) -> Response:
    query = request.query_params
    only(query, ("status", "application_id", *PAGING))
    status = str_param(query, "status")
    app = str_param(query, "application_id")
    limit = int_param(query, "limit", 100, MAX_PAGE)
    offset = int_param(query, "offset", 0, 10**9)
    matching = [
        w
        for w in reversed(runner.table.values())
        if (status is None or w.status == status)
        and (app is None or w.sender.application_id == app)
    ]
    return json_response(
        {
            key: [w.to_dict() for w in matching[offset : offset + limit]],
            "total": len(matching),
            "limit": limit,
            "offset": offset,
        }
    )


async def list_workflows(request: Request) -> Response:
    return _listing(request, runtime(request).failover, "workflows")


async def list_dispatches(request: Request) -> Response:
    return _listing(request, runtime(request).dispatches, "dispatches")


async def get_workflow(request: Request) -> Response:
    wf = runtime(request).failover.get(request.path_params["workflow_id"])
    if wf is None:
        raise ControlNotFound(f"No workflow {request.path_params['workflow_id']}.")
    return json_response(wf.to_dict())


async def get_dispatch(request: Request) -> Response:
    rt = runtime(request)
    wf = rt.dispatches.get(request.path_params["dispatch_uuid"])
    if wf is None:
        raise ControlNotFound(f"No dispatch {request.path_params['dispatch_uuid']}.")
    out = wf.to_dict()
    out["report"] = dispatch_report(wf, rt.channels) if wf.status != "active" else None
    return json_response(out)


routes = [
    Route("/_sandbox/workflows", list_workflows, methods=["GET"]),
    Route("/_sandbox/workflows/{workflow_id}", get_workflow, methods=["GET"]),
    Route("/_sandbox/dispatches", list_dispatches, methods=["GET"]),
    Route("/_sandbox/dispatches/{dispatch_uuid}", get_dispatch, methods=["GET"]),
]
