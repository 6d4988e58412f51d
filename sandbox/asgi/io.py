"""Request reading and response writing shared by every route: the one place where sandbox
errors become HTTP answers."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

from starlette.requests import ClientDisconnect, Request
from starlette.responses import Response

from sandbox.asgi.runtime import Runtime
from sandbox.core.errors import (
    ApiVersion,
    BadControlRequest,
    ControlInvalidJson,
    ControlPayloadTooLarge,
    InvalidJson,
    PayloadTooLarge,
    SandboxError,
    UnsupportedMediaType,
)
from sandbox.core.faults import CHAOS_HEADER
from sandbox.core.ids import new_uuid, new_uuid_hex
from sandbox.core.jsontext import compact_json
from sandbox.core.models import Sender
from sandbox.wire.body import parse_json_object
from sandbox.wire.peek import send_target

MAX_BODY = 1024 * 1024  # 1 MiB: far above any real message, far below trouble
# A refused body is read and thrown away up to this size so that the client can read its 413
# (read_body): 16 MiB covers a media file posted inline by mistake (WhatsApp's video limit is
# 16 MB), and reading it on loopback takes milliseconds.
DRAIN_LIMIT = 16 * MAX_BODY


def runtime(request: Request) -> Runtime:
    rt: Runtime = request.app.state.runtime
    return rt


def trace_id(api: ApiVersion = "v1") -> str:
    # v0.1-era traces were 32 hex characters; 2024 production answers carry a UUID.
    return new_uuid_hex() if api == "v0.1" else new_uuid()


def trace_header(api: ApiVersion = "v1") -> dict[str, str]:
    """Vonage's gateway stamps every answer of its APIs, successes included, with a trace id
    (what support asks for); the sandbox does the same on its Vonage paths."""
    return {"x-nexmo-trace-id": trace_id(api)}


def problem(err: SandboxError, api: ApiVersion = "v1") -> Response:
    instance = trace_id(api)
    body = err.body()
    body["instance"] = instance
    return Response(
        compact_json(body),
        status_code=err.status,
        media_type="application/problem+json",
        headers={**err.headers(), "x-nexmo-trace-id": instance},
    )


def json_response(data: Any, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    return Response(
        compact_json(data),
        status_code=status,
        media_type="application/json",
        headers=headers,
    )


async def read_body(request: Request) -> bytes:
    """The raw body, refusing more than MAX_BODY without keeping more than that in memory.

    A refused body is still read to its end and thrown away, up to DRAIN_LIMIT, before the 413
    goes out: a client that writes its whole body before it reads (urllib, anything sending
    `Connection: close`, where the server closes after answering) would otherwise be reset by
    a close with its bytes unread, and see a broken pipe instead of the 413. Not when the
    client asked `Expect: 100-continue`: it has sent no body yet and, answered first, never
    will. Past DRAIN_LIMIT the 413 goes out at once, whatever becomes of it."""
    length = request.headers.get("content-length")
    if length is not None and length.isascii() and length.isdigit() and int(length) > MAX_BODY:
        expect = request.headers.get("expect", "").lower()
        if int(length) > DRAIN_LIMIT or "100-continue" in expect:
            raise PayloadTooLarge(f"The request body must be at most {MAX_BODY} bytes.")
    chunks: list[bytes] = []
    size = 0
    try:
        async for chunk in request.stream():
            size += len(chunk)
            if size <= MAX_BODY:
                chunks.append(chunk)
            elif size > DRAIN_LIMIT:
                break
            else:
                chunks.clear()  # over the limit: from now on only counted
    except ClientDisconnect:
        # Gone mid-body: a client that died, or one the request deadline closed (server.py).
        # Nobody will read the answer, and nothing went wrong in the sandbox: no error report.
        raise InvalidJson("The connection closed before the request body ended.") from None
    if size > MAX_BODY:
        raise PayloadTooLarge(f"The request body must be at most {MAX_BODY} bytes.")
    return b"".join(chunks)


async def read_json(request: Request, api: ApiVersion = "v1") -> dict[str, Any]:
    return parse_json_object(await read_body(request), api)


def require_json(request: Request) -> None:
    """Control calls that change state take JSON only: an HTML form on another site can post
    form-encoded or text/plain bodies cross-origin without a preflight, never JSON."""
    media = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if media != "application/json":
        raise UnsupportedMediaType()


async def read_control_json(
    request: Request, *, optional: bool = False, fields: tuple[str, ...] | None = None
) -> dict[str, Any]:
    """A control call's JSON object. With ``fields``, a key the call does not take is a 422
    naming it: a misspelt `eror_code` must not be dropped without a word. A body that is no
    JSON object, or too large, is answered in the sandbox's own types, not Vonage's."""
    try:
        raw = await read_body(request)
    except PayloadTooLarge as exc:
        raise ControlPayloadTooLarge(exc.detail) from None
    except InvalidJson as exc:
        raise ControlInvalidJson(exc.detail) from None
    if optional and not raw.strip():
        if request.headers.get("content-type") is not None:
            require_json(request)
        elif request.headers.get("origin") is not None:
            require_json(request)  # a cross-site POST with no body still needs JSON
        return {}
    require_json(request)
    try:
        body = parse_json_object(raw)
    except InvalidJson as exc:
        raise ControlInvalidJson(exc.detail) from None
    if fields is not None and (unknown := [k for k in body if k not in fields]):
        takes = ", ".join(fields) if fields else "no fields"
        raise BadControlRequest(
            f"Unknown field{'s' if len(unknown) > 1 else ''}: {', '.join(unknown)}.",
            invalid=[(k, f"is not a field of this call (it takes {takes})") for k in unknown],
        )
    return body


def ok(data: Any = None, status: int = 200) -> Response:
    return json_response({} if data is None else data, status)


async def accept_send(
    request: Request,
    api: ApiVersion,
    send: Callable[[Runtime, Sender, dict[str, Any]], dict[str, Any]],
) -> Response:
    """What every send route does around its own ``send``: authenticate, read the JSON body,
    answer problems in the API's own shape, then 202. Due timers fire (`--auto-deliver 0`) but
    their webhooks go out after the answer, as Vonage answers before any webhook; a sender is
    slowed while too many webhooks are in flight."""
    rt = runtime(request)
    try:
        sender = rt.auth.authenticate(request.headers.get("authorization"))
        raw = await read_body(request)  # read whole first: a client writing it sees the 429
        rt.limiter.take(sender, rt.engine.send_rate(sender))  # the gateway's, before any check
        body = parse_json_object(raw, api)
        fault = None
        if rt.chaos.active:  # chaos rules (core/faults.py): one test when there are none
            fault = rt.faults.at_send(sender, *send_target(body, api, rt.channels))
        result = send(rt, sender, body)
    except SandboxError as exc:
        return problem(exc, api)
    if fault is not None:
        rt.faults.accepted(fault, sender, result)
    if fault is not None and fault.error is not None:
        rt.timeline.fire_due()  # accepted, and answered 5xx all the same (core/faults.py)
        return problem(fault.error, api)
    rt.timeline.fire_due()
    await rt.webhooks.backpressure()
    headers = trace_header(api)
    if fault is not None:
        await asyncio.sleep(fault.seconds)  # `slow`: the app's HTTP client waits, for real
        headers[CHAOS_HEADER] = fault.rule.describe()
    return json_response(result, 202, headers)
