"""One exception tree; each class knows its HTTP status, Vonage type URL and title.

    SandboxError                      (500, never expected: a bug)
    ├── StorageFailed                 503 (`--db` could not write; the change was taken back)
    ├── ApiProblem                    answers in Vonage's own words
    │   ├── InvalidJson               422 v1 / 400 v0.1 + Dispatch
    │   ├── InvalidRequest            422 v1 (#1100..#1150, #1060) / 400 v0.1 (#InvalidParams)
    │   ├── Unauthorized              401 (#unathorized, sic, as Vonage spells it)
    │   ├── LowBalance                402 (an account given a balance that ran out)
    │   ├── RateLimited               429 (a sender over the `rate_limit` setting)
    │   ├── NotFound                  404
    │   ├── UnsupportedOperation      422 (PATCH on a channel that has no such operation)
    │   ├── PayloadTooLarge           413
    │   └── MethodNotAllowed          405
    └── ControlProblem                the sandbox's own control API (`/_sandbox`)
        ├── BadControlRequest         400 / 422
        ├── UnsupportedMediaType      415 (state changes need application/json: no CSRF forms)
        ├── IllegalTransition         409
        ├── TrustLocked               403 (--strict-auth: weakening it needs --control-token)
        ├── ControlNotFound           404
        ├── ControlInvalidJson        422 (the control API's own answer to a body not JSON)
        ├── ControlPayloadTooLarge    413
        └── ControlMethodNotAllowed   405

Under `/_sandbox` every answer uses the sandbox's own types (CONTROL_BASE), 404 and 405 from
routing included; Vonage's paths keep Vonage's.

`sandbox.asgi.io.problem` is the one place these become HTTP responses.
"""

from __future__ import annotations

from typing import Any, Literal

from sandbox.core.checks import Issue

ApiVersion = Literal["v1", "v0.1"]

V1_BASE = "https://developer.vonage.com/api-errors/messages"
V01_TYPE = "https://www.nexmo.com/messages/Errors#InvalidParams"
CONTROL_BASE = "https://nexmo-sandbox.dev/errors"  # the sandbox's own problems (not Vonage's)

# Titles and details as Vonage's v1 spec gives them, per error class.
V1_CLASSES: dict[int, tuple[str, str]] = {
    1100: ("Unsupported channel", "The specified channel is not supported."),
    1110: ("Invalid channel parameters", "The value of one or more parameters is invalid."),
    1120: ("Invalid sender", "The `from` parameter is invalid for the given channel."),
    1130: ("Invalid recipient", "The `to` parameter is invalid for the given channel."),
    1140: ("Invalid message type", "The message type is not supported for the given channel."),
    1150: ("Invalid params", "The value of one or more parameters is invalid."),
    1060: (
        "Invalid client reference",
        "The client reference can be a string of up to 100 characters.",
    ),
}
# When several classes apply, the first in this order answers.
V1_PRIORITY = (1100, 1140, 1130, 1120, 1110, 1060, 1150)


class SandboxError(Exception):
    status = 500
    type = f"{V1_BASE}#1000"
    title = "Internal error"
    detail = "There was an error processing your request in the Platform."

    def __init__(self, detail: str | None = None) -> None:
        super().__init__(detail or self.detail)
        if detail is not None:
            self.detail = detail

    def body(self) -> dict[str, Any]:
        return {"type": self.type, "title": self.title, "detail": self.detail}

    def headers(self) -> dict[str, str]:
        """Headers the answer carries besides the trace id (a 429's Retry-After)."""
        return {}


class ApiProblem(SandboxError):
    pass


class StorageFailed(SandboxError):
    """`--db` could not write a change: the change is taken back in memory, and the caller is
    told (so a client that retries creates no duplicate)."""

    status = 503
    type = f"{CONTROL_BASE}#storage"
    title = "Storage failed"


class InvalidJson(ApiProblem):
    status = 422
    type = "https://developer.vonage.com/api-errors#invalid-json"
    title = "The request body did not contain valid JSON"

    def __init__(self, detail: str, api: ApiVersion = "v1") -> None:
        super().__init__(detail)
        if api == "v0.1":
            self.status = 400
            self.type = V01_TYPE
            self.title = "Your request parameters didn't validate."


class InvalidRequest(ApiProblem):
    """A request that parsed but broke the rules; ``issues`` names every bad parameter."""

    def __init__(self, issues: list[Issue], api: ApiVersion = "v1") -> None:
        self.issues = issues
        self.api = api
        if api == "v0.1":
            self.code = 0
            self.status = 400
            self.type = V01_TYPE
            self.title = "Your request parameters didn't validate."
            count = len({i.name for i in issues})
            noun = "parameter" if count == 1 else "parameters"
            self.shown = issues
            super().__init__(f"Found errors validating {count} of your submitted {noun}.")
            return
        codes = {i.code for i in issues}
        self.code = next(c for c in V1_PRIORITY if c in codes) if codes else 1150
        self.shown = [i for i in issues if i.code == self.code]
        self.status = 422
        self.type = f"{V1_BASE}#{self.code}"
        self.title, detail = V1_CLASSES[self.code]
        super().__init__(detail)

    def body(self) -> dict[str, Any]:
        out = super().body()
        if self.shown:
            out["invalid_parameters"] = [{"name": i.name, "reason": i.reason} for i in self.shown]
        return out


class Unauthorized(ApiProblem):
    status = 401
    type = "https://developer.vonage.com/api-errors/#unathorized"
    title = "You did not provide correct credentials."
    detail = (
        "Check that you're using the correct credentials, and that your account has this "
        "feature enabled"
    )


class LowBalance(ApiProblem):
    """Vonage's 402 on a send the account's credit cannot cover
    (https://developer.vonage.com/en/api/messages#SendMessage, response 402)."""

    status = 402
    type = "https://developer.vonage.com/api-errors/#low-balance"
    title = "Low balance"
    detail = "This request could not be performed due to your account balance being low."


class RateLimited(ApiProblem):
    """Vonage's 429 on `POST /v1/messages`: type `messages#1000`, title "Rate Limit Hit", with
    `Retry-After` saying how many seconds to wait."""

    status = 429
    type = f"{V1_BASE}#1000"
    title = "Rate Limit Hit"
    detail = "Please wait, then retry your request"

    def __init__(self, retry_after: int) -> None:
        super().__init__()
        self.retry_after = retry_after

    def headers(self) -> dict[str, str]:
        return {"Retry-After": str(self.retry_after)}


class NotFound(ApiProblem):
    status = 404
    type = "https://developer.vonage.com/api-errors#not-found"
    title = "Not Found"


class UnsupportedOperation(ApiProblem):
    status = 422
    # The spec leaves this type URL empty; this names the problem the way its siblings do.
    type = "https://developer.vonage.com/api-errors#unsupported-operation"
    title = "Operation not supported"
    detail = "This operation is not supported for this channel."


class PayloadTooLarge(ApiProblem):
    status = 413
    type = "https://developer.vonage.com/api-errors#payload-too-large"
    title = "Payload Too Large"


class MethodNotAllowed(ApiProblem):
    """Vonage's common 405: title "Request method not allowed", detail "Request method 'X' not
    supported" (https://developer.vonage.com/en/api-errors#wrong-verb)."""

    status = 405
    type = "https://developer.vonage.com/api-errors#wrong-verb"
    title = "Request method not allowed"

    def __init__(self, method: str) -> None:
        super().__init__(f"Request method '{method}' not supported")


class ControlProblem(SandboxError):
    status = 400
    type = f"{CONTROL_BASE}#bad-request"
    title = "Bad request"


class BadControlRequest(ControlProblem):
    def __init__(
        self, detail: str, *, invalid: list[tuple[str, str]] | None = None, status: int = 422
    ) -> None:
        super().__init__(detail)
        self.status = status
        self.invalid = invalid or []
        self.type = f"{CONTROL_BASE}#invalid-request"
        self.title = "Invalid request"

    def body(self) -> dict[str, Any]:
        out = super().body()
        if self.invalid:
            out["invalid_parameters"] = [{"name": n, "reason": r} for n, r in self.invalid]
        return out


class UnsupportedMediaType(ControlProblem):
    status = 415
    type = f"{CONTROL_BASE}#content-type"
    title = "Unsupported media type"
    detail = "State-changing control calls take a JSON body with Content-Type: application/json."


class IllegalTransition(ControlProblem):
    status = 409
    type = f"{CONTROL_BASE}#illegal-transition"
    title = "Illegal status transition"


class TrustLocked(ControlProblem):
    """Under --strict-auth, a control call that would weaken authentication, without the
    control token that allows it."""

    status = 403
    type = f"{CONTROL_BASE}#strict-auth"
    title = "Authentication settings are locked"


class ControlNotFound(ControlProblem):
    status = 404
    type = f"{CONTROL_BASE}#not-found"
    title = "Not found"


class ControlInvalidJson(ControlProblem):
    status = 422
    type = f"{CONTROL_BASE}#invalid-json"
    title = "The request body is not valid JSON"


class ControlPayloadTooLarge(ControlProblem):
    status = 413
    type = f"{CONTROL_BASE}#payload-too-large"
    title = "Payload Too Large"  # the same words as Vonage's 413, under the sandbox's type


class ControlMethodNotAllowed(ControlProblem):
    status = 405
    type = f"{CONTROL_BASE}#method-not-allowed"
    title = "Request method not allowed"  # Vonage's 405 title, under the sandbox's type


CONTROL_PREFIX = "/_sandbox"


def is_control_path(path: str) -> bool:
    """`/_sandbox` and everything under it: the sandbox's own API, answered in its own types."""
    return path == CONTROL_PREFIX or path.startswith(CONTROL_PREFIX + "/")
