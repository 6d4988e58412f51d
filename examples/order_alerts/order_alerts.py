"""Order alerts: tell a customer their order has shipped, on WhatsApp first and by SMS when
WhatsApp cannot deliver it (a Messages API v1 `failover`), and keep track of what happened
from the signed status webhooks. A customer who answers STOP gets no more alerts.

A small but real Starlette app using the official `vonage` SDK; nothing in it knows about the
sandbox. Its tests (test_order_alerts.py) run it against nexmo-sandbox.

    POST /orders/{order_id}/shipped  {"phone": "447700900123"}  -> 202 {"message_uuid", ...}
    GET  /orders/{order_id}                                      -> what the customer got
    POST /webhooks/status                                        <- Vonage status webhooks
    POST /webhooks/inbound                                       <- customers' replies
"""

from __future__ import annotations

import hashlib
import threading
from dataclasses import dataclass, field
from typing import Any

import jwt
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route
from vonage_messages import (
    Sms,
    WhatsappTemplate,
    WhatsappTemplateResource,
    WhatsappTemplateSettings,
)


@dataclass
class Order:
    order_id: str
    phone: str
    workflow_id: str | None = None
    message_uuid: str | None = None
    # (channel, status) as the status webhooks reported them, in order
    events: list[tuple[str, str]] = field(default_factory=list)

    @property
    def outcome(self) -> str:
        """'delivered via sms', 'read via whatsapp', 'failed', or 'pending'."""
        for channel, status in reversed(self.events):
            if status in ("delivered", "read"):
                return f"{status} via {channel}"
        if self.events and self.events[-1][1] in ("rejected", "undeliverable"):
            last_channel = self.events[-1][0]
            if last_channel == "sms":  # the last item of the failover chain
                return "failed"
        return "pending"


@dataclass
class Config:
    whatsapp_number: str  # the business's WhatsApp number
    sms_sender: str  # SMS sender id or number
    signature_secret: str  # to verify the webhooks' signed JWT


class Store:
    """In-memory; the webhooks arrive on other threads than the requests that send."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.orders: dict[str, Order] = {}
        self.by_workflow: dict[str, Order] = {}
        self.by_message: dict[str, Order] = {}
        self.opted_out: set[str] = set()
        # Webhooks can beat the send's own answer (Vonage fires `submitted` right after the
        # 202): keep events for ids not known yet, apply them when the order is registered.
        self.early: dict[str, list[tuple[str, str]]] = {}


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


TEMPLATE = "order_shipped"  # "Good news: order {{1}} has shipped."


def create_app(vonage: Any, config: Config) -> Starlette:
    store = Store()

    def send_alert(order: Order) -> Any:
        # A WhatsApp template: a customer who has not written in the last 24 hours gets no
        # freeform message (Vonage rejects it with 1340), so alerts go as an approved template.
        text = f"Good news: order {order.order_id} has shipped."
        alert = WhatsappTemplate(
            to=order.phone,
            from_=config.whatsapp_number,
            template=WhatsappTemplateResource(name=TEMPLATE, parameters=[order.order_id]),
            whatsapp=WhatsappTemplateSettings(locale="en_GB"),
        )
        return vonage.messages.send(
            alert, failover=[Sms(to=order.phone, from_=config.sms_sender, text=text)]
        )

    async def shipped(request: Request) -> Response:
        order_id = request.path_params["order_id"]
        body = await request.json()
        phone = str(body["phone"])
        if phone in store.opted_out:
            return JSONResponse({"skipped": "opted out"}, status_code=200)
        order = Order(order_id, phone)
        # The SDK is synchronous (requests): keep it off the event loop.
        response = await run_in_threadpool(send_alert, order)
        with store.lock:
            order.workflow_id = response.workflow_id
            order.message_uuid = response.message_uuid
            store.orders[order_id] = order
            if order.workflow_id:
                store.by_workflow[order.workflow_id] = order
            store.by_message[order.message_uuid] = order
            order.events[:0] = store.early.pop(order.workflow_id or order.message_uuid, [])
        return JSONResponse(
            {"message_uuid": response.message_uuid, "workflow_id": response.workflow_id},
            status_code=202,
        )

    async def get_order(request: Request) -> Response:
        order = store.orders.get(request.path_params["order_id"])
        if order is None:
            return JSONResponse({"error": "no such order"}, status_code=404)
        return JSONResponse(
            {"order_id": order.order_id, "outcome": order.outcome, "events": order.events}
        )

    async def status_webhook(request: Request) -> Response:
        body = await request.body()
        if not verified(request, body, config.signature_secret):
            return Response(status_code=401)
        event = await request.json()
        workflow_id = (event.get("workflow") or {}).get("workflow_id")
        with store.lock:
            order = store.by_workflow.get(workflow_id) or store.by_message.get(
                event["message_uuid"]
            )
            entry = (event["channel"], event["status"])
            if order is not None:
                order.events.append(entry)
            else:
                store.early.setdefault(workflow_id or event["message_uuid"], []).append(entry)
        return Response(status_code=204)

    async def inbound_webhook(request: Request) -> Response:
        body = await request.body()
        if not verified(request, body, config.signature_secret):
            return Response(status_code=401)
        event = await request.json()
        if event.get("message_type") == "text" and event.get("text", "").strip().upper() == "STOP":
            store.opted_out.add(event["from"])
            await run_in_threadpool(
                vonage.messages.send,
                Sms(to=event["from"], from_=config.sms_sender, text="You will get no more alerts."),
            )
        return Response(status_code=204)

    return Starlette(
        routes=[
            Route("/orders/{order_id}/shipped", shipped, methods=["POST"]),
            Route("/orders/{order_id}", get_order, methods=["GET"]),
            Route("/webhooks/status", status_webhook, methods=["POST"]),
            Route("/webhooks/inbound", inbound_webhook, methods=["POST"]),
        ]
    )


def production_app() -> Starlette:  # pragma: no cover - needs real credentials
    """How the app is built for real: credentials and numbers from the environment."""
    import os

    from vonage import Auth, Vonage

    vonage = Vonage(
        Auth(
            application_id=os.environ["VONAGE_APPLICATION_ID"],
            private_key=os.environ["VONAGE_PRIVATE_KEY_PATH"],
        )
    )
    return create_app(
        vonage,
        Config(
            whatsapp_number=os.environ["WHATSAPP_NUMBER"],
            sms_sender=os.environ["SMS_SENDER"],
            signature_secret=os.environ["VONAGE_SIGNATURE_SECRET"],
        ),
    )
