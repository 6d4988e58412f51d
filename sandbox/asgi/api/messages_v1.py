"""`POST /v1/messages` and `PATCH /v1/messages/{message_uuid}` (reference §4)."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from fake_channels import Issue
from sandbox.asgi.io import json_response, problem, read_json, runtime
from sandbox.core.errors import InvalidRequest, SandboxError, UnsupportedOperation
from sandbox.wire.v1 import parse_send


async def send(request: Request) -> Response:
    rt = runtime(request)
    try:
        sender = rt.auth.authenticate(request.headers.get("authorization"))
        body = await read_json(request)
        primary, failover = parse_send(body, rt.channels)
        if failover:
            wf = rt.workflows.start_v1(primary, failover, sender)
            result = {"message_uuid": wf.steps[0].message_uuid, "workflow_id": wf.id}
        else:
            message = rt.engine.send(primary, sender)
            result = {"message_uuid": message.uuid}
    except SandboxError as exc:
        return problem(exc)
    rt.timeline.fire_due()  # --auto-deliver 0; the webhooks go out after the answer
    await rt.webhooks.backpressure()
    return json_response(result, 202)


async def update(request: Request) -> Response:
    rt = runtime(request)
    try:
        sender = rt.auth.authenticate(request.headers.get("authorization"), allow_basic=False)
        body = await read_json(request)
        status = body.get("status")
        if status not in ("read", "revoked"):
            raise InvalidRequest([Issue(1150, "status", "must be one of: read, revoked.")])
        uuid = request.path_params["message_uuid"]
        if status == "revoked":
            # Revoking is RCS-only; the sandbox has no RCS channel, so every message refuses.
            rt.engine.get(uuid)
            raise UnsupportedOperation()
        marks = rt.checkpoint()
        rt.engine.mark_inbound_read(uuid, sender)
    except SandboxError as exc:
        return problem(exc)
    await rt.settle(marks)
    return Response(status_code=202)


routes = [
    Route("/v1/messages", send, methods=["POST"]),
    Route("/v1/messages/", send, methods=["POST"]),
    Route("/v1/messages/{message_uuid}", update, methods=["PATCH"]),
    Route("/v1/messages/{message_uuid}/", update, methods=["PATCH"]),
]
