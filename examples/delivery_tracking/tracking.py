"""Delivery tracking: an app that keeps the latest status of each message it sent, from Vonage's
signed status webhooks, and counts each status event once.

Vonage delivers webhooks at least once and in no guaranteed order: a status can come twice, and
`submitted` can arrive after `delivered`. Two ways to take them in:

- `Tracker(naive=True)`: one row per `message_uuid`, the last webhook wins ("dedupe on
  message_uuid"). It passes every happy-path test, and under duplicates or reordering a late
  `submitted` overwrites `delivered`: the later status is lost.
- `Tracker()`: an event is identified by `(message_uuid, status)`, so a duplicate is counted
  once; and a status never moves back (submitted < delivered < read; rejected and
  undeliverable are final), so a late `submitted` changes nothing.
"""

from __future__ import annotations

import hashlib
import threading
from dataclasses import dataclass, field

import jwt
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

# How far along its life a status is; a webhook never takes a message back.
RANK = {"submitted": 0, "delivered": 1, "read": 2, "rejected": 3, "undeliverable": 3}


def verified(request: Request, body: bytes, secret: str) -> bool:
    """Vonage signs webhooks with an HS256 JWT whose payload_hash is the body's SHA-256."""
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not token:
        return False
    try:
        claims = jwt.decode(token, secret, algorithms=["HS256"])
    except jwt.PyJWTError:
        return False
    return claims.get("payload_hash") == hashlib.sha256(body).hexdigest()


@dataclass
class Tracker:
    naive: bool = False
    lock: threading.Lock = field(default_factory=threading.Lock)  # webhooks come on threads
    status: dict[str, str] = field(default_factory=dict)  # message_uuid -> latest status
    seen: set[tuple[str, str]] = field(default_factory=set)  # (message_uuid, status) taken in
    counted: dict[str, int] = field(default_factory=dict)  # status -> events counted

    def take(self, uuid: str, status: str) -> None:
        with self.lock:
            if self.naive:
                self.status[uuid] = status  # the last one wins, whatever it is
                self.counted[status] = self.counted.get(status, 0) + 1
                return
            if (uuid, status) in self.seen:
                return  # a duplicate delivery: already counted
            self.seen.add((uuid, status))
            self.counted[status] = self.counted.get(status, 0) + 1
            current = self.status.get(uuid)
            if current is None or RANK.get(status, 0) > RANK.get(current, 0):
                self.status[uuid] = status


def create_app(secret: str, tracker: Tracker) -> Starlette:
    async def status_webhook(request: Request) -> Response:
        body = await request.body()
        if not verified(request, body, secret):
            return Response(status_code=401)
        event = await request.json()
        tracker.take(event["message_uuid"], event["status"])
        return Response(status_code=204)  # any 2xx: Vonage stops retrying

    async def message_status(request: Request) -> Response:
        uuid = request.path_params["uuid"]
        return JSONResponse({"message_uuid": uuid, "status": tracker.status.get(uuid)})

    return Starlette(
        routes=[
            Route("/webhooks/status", status_webhook, methods=["POST"]),
            Route("/messages/{uuid}", message_status),
        ]
    )
