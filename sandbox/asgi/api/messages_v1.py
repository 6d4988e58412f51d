"""`POST /v1/messages` and `PATCH /v1/messages/{message_uuid}`: the Messages API
(https://developer.vonage.com/en/api/messages)."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from sandbox.asgi.io import accept_send, problem, read_json, runtime, trace_header
from sandbox.asgi.runtime import Runtime
from sandbox.core.checks import Issue
from sandbox.core.errors import InvalidRequest, SandboxError
from sandbox.core.models import Sender
from sandbox.wire.v1 import parse_send


def _send(rt: Runtime, sender: Sender, body: dict[str, Any]) -> dict[str, Any]:
    primary, failover = parse_send(body, rt.channels)
    rt.engine.require_credit(sender, primary)
    if failover:
        wf = rt.failover.start(primary, failover, sender)
        return {"message_uuid": wf.steps[0].message_uuid, "workflow_id": wf.id}
    return {"message_uuid": rt.engine.send(primary, sender).uuid}


async def send(request: Request) -> Response:
    return await accept_send(request, "v1", _send)


def _replying_indicator(body: dict[str, Any], status: str) -> dict[str, Any] | None:
    """`replying_indicator: {show, type}` on a read (WhatsApp shows the user "typing...")."""
    if "replying_indicator" not in body:
        return None
    value = body["replying_indicator"]
    issues: list[Issue] = []
    if status != "read":
        issues.append(Issue(1150, "replying_indicator", "goes only with status read."))
    elif not isinstance(value, dict):
        issues.append(Issue(1150, "replying_indicator", "must be an object."))
    else:
        if not isinstance(value.get("show"), bool):
            issues.append(Issue(1150, "replying_indicator.show", "must be true or false."))
        if value.get("type", "text") != "text":
            issues.append(Issue(1150, "replying_indicator.type", "must be text."))
        issues.extend(
            Issue(1150, f"replying_indicator.{key}", "is not a replying indicator field.")
            for key in value
            if key not in ("show", "type")
        )
    if issues:
        raise InvalidRequest(issues)
    return dict(value)


async def update(request: Request) -> Response:
    rt = runtime(request)
    try:
        sender = rt.auth.authenticate(request.headers.get("authorization"), allow_basic=False)
        body = await read_json(request)
        status = body.get("status")
        if status not in ("read", "revoked"):
            raise InvalidRequest([Issue(1150, "status", "must be one of: read, revoked.")])
        uuid = request.path_params["message_uuid"]
        indicator = _replying_indicator(body, status)
        mark = rt.checkpoint()
        if status == "revoked":
            rt.engine.revoke(uuid, sender)
        else:
            rt.engine.mark_inbound_read(uuid, sender, indicator)
    except SandboxError as exc:
        return problem(exc)
    await rt.settle(mark)
    return Response(status_code=202, headers=trace_header())


routes = [
    Route("/v1/messages", send, methods=["POST"]),
    Route("/v1/messages/", send, methods=["POST"]),
    Route("/v1/messages/{message_uuid}", update, methods=["PATCH"]),
    Route("/v1/messages/{message_uuid}/", update, methods=["PATCH"]),
]
