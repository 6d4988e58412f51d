"""The ceiling: the least a Starlette app under uvicorn can do for `POST /v1/messages`.

It reads the body, parses the same JSON, and answers 202 with a fresh message_uuid, served the
way the sandbox is served (uvicorn, one process, uvloop and httptools, no access log). Whatever
it reaches on this machine is the most the sandbox's stack could reach.

    .venv/bin/python bench/ceiling_app.py --port 8100
"""

from __future__ import annotations

import argparse
import json
import uuid

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route


async def send(request: Request) -> Response:
    body = json.loads(await request.body())
    if not isinstance(body, dict):
        return Response(status_code=422)
    return Response(
        json.dumps({"message_uuid": str(uuid.uuid4())}),
        status_code=202,
        media_type="application/json",
    )


async def health(request: Request) -> Response:
    return Response("{}", media_type="application/json")


app = Starlette(
    routes=[
        Route("/v1/messages", send, methods=["POST"]),
        Route("/_sandbox/health", health),
    ]
)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8100)
    args = parser.parse_args()
    uvicorn.run(app, host=args.host, port=args.port, log_level="warning", access_log=False)


if __name__ == "__main__":
    main()
