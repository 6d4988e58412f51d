"""Control API: failover workflows, v1 (`/_sandbox/workflows`) and Dispatch
(`/_sandbox/dispatches`), each step with its message, status, timer and outcome."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from sandbox.asgi.api.control_messages import MAX_PAGE, int_param
from sandbox.asgi.io import json_response, runtime
from sandbox.core.errors import ControlNotFound
from sandbox.core.workflows import Workflow


def _page(request: Request, table: dict[str, Workflow]) -> tuple[list[Workflow], int, int, int]:
    status = request.query_params.get("status") or None
    app = request.query_params.get("application_id") or None
    limit = int_param(request, "limit", 100, MAX_PAGE)
    offset = int_param(request, "offset", 0, 10**9)
    matching = [
        w
        for w in reversed(table.values())
        if (status is None or w.status == status)
        and (app is None or w.sender.application_id == app)
    ]
    return matching[offset : offset + limit], len(matching), limit, offset


async def list_workflows(request: Request) -> Response:
    page, total, limit, offset = _page(request, runtime(request).workflows.v1)
    return json_response(
        {"workflows": [w.to_dict() for w in page], "total": total, "limit": limit, "offset": offset}
    )


async def list_dispatches(request: Request) -> Response:
    page, total, limit, offset = _page(request, runtime(request).workflows.dispatches)
    return json_response(
        {
            "dispatches": [w.to_dict() for w in page],
            "total": total,
            "limit": limit,
            "offset": offset,
        }
    )


async def get_workflow(request: Request) -> Response:
    wf = runtime(request).workflows.v1.get(request.path_params["workflow_id"])
    if wf is None:
        raise ControlNotFound(f"No workflow {request.path_params['workflow_id']}.")
    return json_response(wf.to_dict())


async def get_dispatch(request: Request) -> Response:
    rt = runtime(request)
    wf = rt.workflows.dispatches.get(request.path_params["dispatch_uuid"])
    if wf is None:
        raise ControlNotFound(f"No dispatch {request.path_params['dispatch_uuid']}.")
    out = wf.to_dict()
    out["report"] = rt.workflows.report(wf) if wf.status != "active" else None
    return json_response(out)


routes = [
    Route("/_sandbox/workflows", list_workflows, methods=["GET"]),
    Route("/_sandbox/workflows/{workflow_id}", get_workflow, methods=["GET"]),
    Route("/_sandbox/dispatches", list_dispatches, methods=["GET"]),
    Route("/_sandbox/dispatches/{dispatch_uuid}", get_dispatch, methods=["GET"]),
]
