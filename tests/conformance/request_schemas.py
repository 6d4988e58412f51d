"""Our OpenAPI 3.1 description of the request side of Vonage's Messages API (v1 and v0.1) and
Dispatch API: what a client may send and what it gets back. Tests and
`scripts/differential.py` generate bodies from it and compare the sandbox's answers.

Written in our own compact form from the structure of Vonage's published definitions
(https://developer.vonage.com/en/api/messages, /en/api/messages-olympus, /en/api/dispatch,
and the channel guides under https://developer.vonage.com/en/messages); where those are
defective, the fix is marked `spec defect` where it is made.
"""

from __future__ import annotations

import copy
from typing import Any

from tests.conformance.request_schemas_parts import (
    Schema,
    array,
    body,
    json_response,
    obj,
    problem_response,
    ref,
    string,
)
from tests.conformance.request_schemas_v01 import dispatch_body, dispatch_items, v01_variants
from tests.conformance.request_schemas_v1 import patch_body, v1_variants

# The operations, by the name the tests and the script use.
V1_SEND, V1_PATCH, V01_SEND, DISPATCH = "v1-send", "v1-patch", "v01-send", "dispatch"
OPERATIONS = (V1_SEND, V1_PATCH, V01_SEND, DISPATCH)
PATHS = {
    V1_SEND: ("POST", "/v1/messages"),
    V1_PATCH: ("PATCH", "/v1/messages/{message_uuid}"),
    V01_SEND: ("POST", "/v0.1/messages"),
    DISPATCH: ("POST", "/v0.1/dispatch"),
}


def _components() -> tuple[dict[str, Schema], dict[str, list[str]]]:
    """Every named schema, and which names are the variants of each operation's body."""
    schemas: dict[str, Schema] = {}
    variants: dict[str, list[str]] = {op: [] for op in OPERATIONS}
    items = []
    for name, schema in v1_variants().items():
        # A failover item is a whole message but cannot fail over itself (its schemas in the
        # spec have no `failover`; https://developer.vonage.com/en/messages/concepts/failover).
        item = copy.deepcopy(schema)
        item["not"] = {"required": ["failover"]}
        schemas[f"v1.item.{name}"] = item
        items.append(ref(f"v1.item.{name}"))
        send = copy.deepcopy(schema)
        send["properties"]["failover"] = ref("v1.failover")
        schemas[f"v1.{name}"] = send
        variants[V1_SEND].append(f"v1.{name}")
    schemas["v1.failover"] = array({"oneOf": items}, lo=1)
    schemas["v1.patch"] = patch_body()
    variants[V1_PATCH].append("v1.patch")
    for name, schema in v01_variants().items():
        schemas[f"v01.{name}"] = schema
        variants[V01_SEND].append(f"v01.{name}")
    steps = {f"dispatch.{n}": s for n, s in dispatch_items().items()}
    schemas.update(steps)
    schemas["dispatch"] = dispatch_body({n.removeprefix("dispatch."): ref(n) for n in steps})
    variants[DISPATCH].append("dispatch")
    return schemas, variants


SCHEMAS, VARIANTS = _components()


def body_ref(operation: str) -> Schema:
    return {"oneOf": [ref(n) for n in VARIANTS[operation]]}


def standalone(schema: Schema) -> Schema:
    """``schema`` with every component beside it, so a plain JSON Schema validator resolves
    its `#/components/schemas/...` references."""
    return {**schema, "components": {"schemas": SCHEMAS}}


ERRORS_V1 = {
    "401": problem_response("Missing or bad credentials."),
    "422": problem_response("The body is not a valid message (error classes #1000-#1150)."),
    "429": problem_response("Throttled."),
}
ERRORS_V01 = {
    "400": problem_response("The body is not a valid request (#InvalidParams)."),
    "401": problem_response("Missing or bad credentials."),
}
ACCEPTED = obj(
    {"message_uuid": string(format="uuid"), "workflow_id": string(minLength=1)}, ("message_uuid",)
)
SECURITY = [{"basic": []}, {"bearer": []}]


def document() -> dict[str, Any]:
    """The OpenAPI document. Error answers are `application/problem+json` (RFC 7807);
    spec defect: the specs declare `application/json`, which is not what Vonage sends."""
    return {
        "openapi": "3.1.0",
        "info": {"title": "Vonage Messages and Dispatch requests (nexmo-sandbox)", "version": "1"},
        "paths": {
            "/v1/messages": {
                "post": {
                    "operationId": V1_SEND,
                    "security": SECURITY,
                    "requestBody": body(body_ref(V1_SEND)),
                    "responses": {"202": json_response("Accepted.", ACCEPTED), **ERRORS_V1},
                }
            },
            "/v1/messages/{message_uuid}": {
                "patch": {
                    "operationId": V1_PATCH,
                    "security": [{"bearer": []}],
                    "parameters": [
                        {
                            "name": "message_uuid",
                            "in": "path",
                            "required": True,
                            "schema": string(format="uuid"),
                        }
                    ],
                    "requestBody": body(body_ref(V1_PATCH)),
                    "responses": {
                        "202": {"description": "Accepted."},
                        "404": problem_response("No such message."),
                        **ERRORS_V1,
                    },
                }
            },
            "/v0.1/messages": {
                "post": {
                    "operationId": V01_SEND,
                    "security": [{"bearer": []}],
                    "requestBody": body(body_ref(V01_SEND)),
                    "responses": {
                        "202": json_response(
                            "Accepted.", obj({"message_uuid": string()}, ("message_uuid",))
                        ),
                        **ERRORS_V01,
                    },
                }
            },
            "/v0.1/dispatch": {
                "post": {
                    "operationId": DISPATCH,
                    "security": [{"bearer": []}],
                    "requestBody": body(body_ref(DISPATCH)),
                    "responses": {
                        "202": json_response(
                            "Accepted.", obj({"dispatch_uuid": string()}, ("dispatch_uuid",))
                        ),
                        **ERRORS_V01,
                    },
                }
            },
        },
        "components": {
            "schemas": SCHEMAS,
            "securitySchemes": {
                "basic": {"type": "http", "scheme": "basic"},
                "bearer": {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"},
            },
        },
    }
