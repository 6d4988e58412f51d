"""Thin Starlette routes: Vonage's API (``messages_*``) and the control API (``control_*``).
Each module exports ``routes``; :data:`routes` is all of them, mounted by ``sandbox.app``."""

from __future__ import annotations

from starlette.routing import BaseRoute

from sandbox.asgi.api import (
    control_admin,
    control_chaos,
    control_clock,
    control_contract,
    control_conversations,
    control_events,
    control_handsets,
    control_messages,
    control_wait,
    control_webhooks,
    control_workflows,
    messages_v0,
    messages_v1,
)

routes: list[BaseRoute] = [
    *messages_v1.routes,
    *messages_v0.routes,
    *control_workflows.routes,
    *control_messages.routes,
    *control_conversations.routes,
    *control_clock.routes,
    *control_admin.routes,
    *control_wait.routes,
    *control_contract.routes,  # before control_webhooks: /webhooks/contract is no delivery id
    *control_webhooks.routes,
    *control_events.routes,
    *control_handsets.routes,
    *control_chaos.routes,
]
