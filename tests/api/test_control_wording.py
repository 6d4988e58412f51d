"""The control API's answers to bad input say what is wrong, use one status for bad input (422
from `/_sandbox/wait` like the rest of its checks) and the sandbox's own problem types for
routing and JSON errors, while Vonage's paths keep Vonage's types exactly."""

from __future__ import annotations

from typing import Any

import pytest

from sandbox.core.errors import CONTROL_BASE
from tests.conftest import Api
from tests.helpers import BASIC

VONAGE = "https://developer.vonage.com/api-errors"


def problem(r: Any, status: int) -> dict[str, Any]:
    assert r.status_code == status, r.text
    assert r.headers["content-type"] == "application/problem+json", r.headers
    data: dict[str, Any] = r.json()
    return data


def reasons(data: dict[str, Any]) -> dict[str, str]:
    return {p["name"]: p["reason"] for p in data.get("invalid_parameters", [])}


@pytest.mark.parametrize(
    "path", ["/_sandbox/messages", "/_sandbox/webhooks", "/_sandbox/conversations"]
)
@pytest.mark.parametrize("value", ["-1", "x", "1.5"])
def test_a_bad_page_value_says_what_it_must_be(api: Api, path: str, value: str) -> None:
    data = problem(api.get(path, params={"limit": value}), 422)
    assert reasons(data) == {"limit": "must be a whole number >= 0"}
    assert data["detail"] == f"limit must be a whole number >= 0, not {value!r}."
    assert "not a number" not in api.get(path, params={"offset": "-1"}).text


def test_a_long_bad_value_is_quoted_only_in_part(api: Api) -> None:
    detail = problem(api.get("/_sandbox/messages", params={"offset": "x" * 500}), 422)["detail"]
    assert detail == f"offset must be a whole number >= 0, not {'x' * 40!r}...."


@pytest.mark.parametrize(
    ("query", "name", "reason"),
    [
        ({"timeout": "abc"}, "timeout", "must be a number from 0 to 60"),
        ({"timeout": "-1"}, "timeout", "must be a number from 0 to 60"),
        ({"count": "0"}, "count", "must be a number from 1 to 1000"),
        ({"limit": "nan"}, "limit", "must be a number from 1 to 1000"),
        ({"kind": "webhook"}, "kind", "must be message"),
    ],
)
def test_wait_refuses_bad_input_with_a_422(
    api: Api, query: dict[str, str], name: str, reason: str
) -> None:
    data = problem(api.get("/_sandbox/wait", params=query), 422)
    assert data["type"] == f"{CONTROL_BASE}#invalid-request"
    assert reasons(data) == {name: reason}


def test_the_error_log_refuses_a_bad_offset_with_a_422(api: Api) -> None:
    data = problem(api.get("/_sandbox/errors", params={"offset": "-5"}), 422)
    assert data["detail"] == "offset must be a number from 0 to 1e+09, not '-5'."


def test_control_routing_and_json_errors_use_the_sandboxs_types(api: Api) -> None:
    missing = problem(api.get("/_sandbox/no-such-call"), 404)
    assert missing["type"] == f"{CONTROL_BASE}#not-found"
    assert missing["detail"] == "No such endpoint: /_sandbox/no-such-call."
    assert problem(api.get("/_sandbox/messages/nope/more/parts"), 404)["type"] == (
        f"{CONTROL_BASE}#not-found"
    )
    wrong = problem(api.delete("/_sandbox/health"), 405)
    assert wrong["type"] == f"{CONTROL_BASE}#method-not-allowed"
    assert wrong["detail"] == "DELETE is not allowed on /_sandbox/health."
    json_type = {"Content-Type": "application/json"}
    for body in (b"{not json", b"[1, 2]", b"\xff"):
        bad = problem(api.post("/_sandbox/clock/advance", content=body, headers=json_type), 422)
        assert bad["type"] == f"{CONTROL_BASE}#invalid-json", body
        assert bad["title"] == "The request body is not valid JSON"
    big = b'{"seconds": 1, "pad": "' + b"x" * (1024 * 1024) + b'"}'
    too_large = problem(api.post("/_sandbox/clock/advance", content=big, headers=json_type), 413)
    assert too_large["type"] == f"{CONTROL_BASE}#payload-too-large"


def test_vonage_paths_keep_vonages_types(api: Api) -> None:
    data = problem(api.get("/v1/no-such-call"), 404)
    assert (data["type"], data["title"]) == (f"{VONAGE}#not-found", "Not Found")
    data = problem(api.get("/v1/messages"), 405)
    # Vonage's common 405 (https://developer.vonage.com/en/api-errors#wrong-verb), with a trace id
    # on the answer as on every answer of Vonage's gateway.
    assert (data["type"], data["title"]) == (f"{VONAGE}#wrong-verb", "Request method not allowed")
    assert data["detail"] == "Request method 'GET' not supported"
    headers = {"Authorization": BASIC, "Content-Type": "application/json"}
    data = problem(api.post("/v1/messages", content=b"{not json", headers=headers), 422)
    assert (data["type"], data["title"]) == (
        f"{VONAGE}#invalid-json",
        "The request body did not contain valid JSON",
    )
    # A path that only starts like the control API is not under it.
    assert problem(api.get("/_sandboxy"), 404)["type"] == f"{VONAGE}#not-found"
