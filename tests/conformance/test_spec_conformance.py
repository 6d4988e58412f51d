"""The sandbox against our description of Vonage's request bodies (`request_schemas`):
schemathesis generates bodies, positive and negative, for every operation; a real sandbox
answers each. Whether a body is valid is decided by the document itself (a JSON Schema
validator), not by the generation mode, since a negative mutation can land on a valid body.

Bounded and deterministic: derandomized Hypothesis, a fixed number of cases per operation,
no shrinking (a failure is reported as found, with the body that caused it).
"""

from __future__ import annotations

import json
import os
import pathlib
from collections.abc import Iterator
from typing import Any

import httpx
import jsonschema_rs
import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, settings
from schemathesis import GenerationMode

from tests.conformance.request_schemas import (
    DISPATCH,
    OPERATIONS,
    PATHS,
    V1_PATCH,
    V1_SEND,
    body_ref,
    document,
    standalone,
)
from tests.harness import Live, live_sandbox
from tests.helpers import BASIC, bearer

CASES_PER_OPERATION = 120
# Documented deliberate differences: (operation, what) -> (why, where it is documented).
# Empty: every difference found is a bug on one side or the other.
ALLOWED: dict[tuple[str, str], tuple[str, str]] = {}

schema = schemathesis.openapi.from_dict(document())
schema.config.generation.update(
    modes=[GenerationMode.POSITIVE, GenerationMode.NEGATIVE],
    max_examples=CASES_PER_OPERATION,
    deterministic=True,
    database="none",
)
# Fuzzing only. The coverage phase (boundary values of every keyword) walks every branch of the
# send body's 36-way `oneOf` and did not finish in ten minutes; the examples phase has nothing
# to read (the document holds no examples). scripts/differential.py covers the boundaries.
schema.config.phases.coverage.enabled = False
schema.config.phases.examples.enabled = False
VALIDATORS = {
    op: jsonschema_rs.validator_for(standalone(body_ref(op)), validate_formats=True)
    for op in OPERATIONS
}
BY_PATH = {(method, path): op for op, (method, path) in PATHS.items()}
REFUSAL = {V1_SEND: 422, V1_PATCH: 422}  # v0.1 and Dispatch answer 400 (design.md, Errors)
NOT_SET: Any = schemathesis.core.NOT_SET
UNPARSABLE = object()


@pytest.fixture(scope="module")
def live() -> Iterator[Live]:
    with live_sandbox() as sandbox:
        yield sandbox


def target(live: Live, body: Any) -> str:
    """A fresh message a PATCH body can apply to: `read` marks an inbound WhatsApp message,
    anything else is aimed at an outbound RCS message (revocable until delivered)."""
    if isinstance(body, dict) and body.get("status") == "read":
        inbound = {"channel": "whatsapp", "from": "447700900000", "to": "447700900001"}
        return str(live.control("POST", "/inbound", {**inbound, "text": "hi"})["message_uuid"])
    rcs = {"channel": "rcs", "message_type": "text", "to": "447700900000", "from": "Vonage"}
    return str(live.sent({**rcs, "text": "revoke me"})["message_uuid"])


def send(live: Live, op: str, raw: bytes, body: Any) -> httpx.Response:
    method, path = PATHS[op]
    auth = BASIC if op == V1_SEND else bearer()
    if op == V1_PATCH:
        path = path.replace("{message_uuid}", target(live, body))
    return live.http.request(
        method,
        path,
        content=raw,
        headers={"Authorization": auth, "Content-Type": "application/json"},
    )


def encode(body: Any) -> tuple[bytes, Any]:
    """The bytes to send and the JSON value they hold (`UNPARSABLE` if none): negative cases
    include raw bytes bodies, which are sent as they are and judged by what they parse to."""
    if body is NOT_SET:
        body = None  # a negative case without a body: JSON `null`, refused like any non-object
    if not isinstance(body, bytes):
        return json.dumps(body).encode(), body
    try:
        return body, json.loads(body)
    except ValueError:
        return body, UNPARSABLE


def check_problem(r: httpx.Response) -> dict[str, Any]:
    assert r.headers.get("content-type") == "application/problem+json", r.text
    data: dict[str, Any] = r.json()
    for key in ("type", "title", "detail", "instance"):
        assert isinstance(data.get(key), str) and data[key], (key, data)
    assert data["type"].startswith(("https://", "http://")), data
    return data


def verdict(op: str, body: Any, r: httpx.Response) -> str | None:
    """What is wrong with the answer ``r`` to ``body``, or None."""
    if r.status_code >= 500:
        return f"{r.status_code}: {r.text[:300]}"
    if r.status_code >= 400:
        data = check_problem(r)
    valid = body is not UNPARSABLE and VALIDATORS[op].is_valid(body)
    if valid:
        if r.status_code != 202:
            return f"refused, schema says valid: {r.status_code} {r.text[:300]}"
        if op == V1_PATCH:
            return None
        answer = r.json()
        key = "dispatch_uuid" if op == DISPATCH else "message_uuid"
        assert isinstance(answer.get(key), str), answer
        if op == V1_SEND:
            assert ("workflow_id" in answer) == ("failover" in body), answer
        return None
    expected = REFUSAL.get(op, 400)
    if r.status_code != expected:
        why = "not JSON"
        if body is not UNPARSABLE:
            error = next(VALIDATORS[op].iter_errors(body))
            why = f"{error.instance_path}: {error.message[:200]}"
        return f"answered {r.status_code} (want {expected}), schema says invalid: {why}"
    if isinstance(body, dict) and op != V1_PATCH:
        names = [p.get("name") for p in data.get("invalid_parameters") or []]
        assert names and all(isinstance(n, str) and n for n in names), data
    return None


@schema.parametrize()
@settings(
    derandomize=True,
    database=None,
    deadline=None,
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=list(HealthCheck),
)
def test_answers_agree_with_the_spec(case: schemathesis.Case, live: Live) -> None:
    op = BY_PATH[(case.method.upper(), case.path)]
    raw, body = encode(case.body)
    r = send(live, op, raw, body)
    problem = verdict(op, body, r)
    if problem is not None and (op, problem.split(":")[0]) not in ALLOWED:
        keep = os.environ.get("CONFORMANCE_FAILURE_FILE")  # the whole body, for a repro
        if keep:
            pathlib.Path(keep).write_text(json.dumps({"op": op, "body": body}))
        pytest.fail(f"{op}: {problem}\nbody: {str(body)[:600]}")
