"""Building blocks of our request-side description of Vonage's Messages and Dispatch APIs: the
JSON Schema pieces every channel shares (addresses, URLs, captions, problem bodies).

Our own compact form, written from the structure of Vonage's published definitions
(https://developer.vonage.com/en/api/messages, /en/api/messages-olympus, /en/api/dispatch):
types, required fields, enums, lengths, patterns. No `null` anywhere unless a schema says so:
OpenAPI 3.1 schemas are JSON Schema, where `"type": "string"` already refuses `null`.
"""

from __future__ import annotations

from typing import Any

Schema = dict[str, Any]

# E.164 digits without `+` or `00` (the spec's ToNumber: 7-15 characters; the official SDKs
# use exactly this pattern).
E164 = "^[1-9][0-9]{6,14}$"
# An SMS alphanumeric sender id (https://developer.vonage.com/en/messaging/sms/guides/
# custom-sender-id): up to 11 characters with at least one letter.
ALPHA_SENDER = "^(?=.*[A-Za-z])[A-Za-z0-9 ]{1,11}$"
# The RCS agent id: alphanumerics, `-`, `_`, `&`, no spaces (RCS guide; the SDKs' pattern).
RCS_AGENT = "^[A-Za-z0-9_&-]+$"
# A WhatsApp business-scoped user id, usable as `to` since 2026 (WhatsApp BSUID guide).
BSUID = "^[A-Z]{2}\\.(ENT\\.)?[A-Za-z0-9]{1,128}$"
# The media and webhook URLs are fetched or POSTed to by Vonage's platform ("publicly
# accessible URL"), so beyond `format: uri` they are absolute http(s) URLs with a host.
HTTP_URL = "^[Hh][Tt][Tt][Pp][Ss]?://[^/?#\\s@:]+"
# A BCP 47 language tag, as WhatsApp template locales are ("en_GB", "en-GB" both seen in
# Vonage's examples; the API translates one to the other).
BCP47 = "^[A-Za-z]{2,3}([_-][A-Za-z0-9]{2,8})*$"
# No whitespace or control character in an address or a display name (a mail header).
_A = "[^@\\s<>\\x00-\\x1f\\x7f-\\x9f]+"
SUBJECT = "^[^\\x00-\\x1f\\x7f-\\x9f]*$"  # a header line: no control character
EMAIL_ADDRESS = f"^{_A}@{_A}\\.{_A}$"
EMAIL_SENDER = f"^([^<>\\x00-\\x1f\\x7f-\\x9f]*<{_A}@{_A}\\.{_A}>|{_A}@{_A}\\.{_A})$"


def string(**kw: Any) -> Schema:
    return {"type": "string", **kw}


def integer(lo: int | None = None, hi: int | None = None) -> Schema:
    out: Schema = {"type": "integer"}
    if lo is not None:
        out["minimum"] = lo
    if hi is not None:
        out["maximum"] = hi
    return out


def enum(*values: str) -> Schema:
    return {"type": "string", "enum": list(values)}


def url(lo: int = 1, hi: int = 2000) -> Schema:
    """A URL field (the spec's `format: url`, or a description saying URL). 2000 is the
    Dispatch spec's bound for every media URL, the only one Vonage publishes."""
    return {
        "type": "string",
        "format": "uri",
        "pattern": HTTP_URL,
        "minLength": lo,
        "maxLength": hi,
    }


def obj(props: Schema, required: tuple[str, ...] = (), **kw: Any) -> Schema:
    out: Schema = {"type": "object", "properties": props, **kw}
    if required:
        out["required"] = list(required)
    return out


def array(items: Schema, lo: int | None = None, hi: int | None = None) -> Schema:
    out: Schema = {"type": "array", "items": items}
    if lo is not None:
        out["minItems"] = lo
    if hi is not None:
        out["maxItems"] = hi
    return out


def ref(name: str) -> Schema:
    return {"$ref": f"#/components/schemas/{name}"}


NUMBER = string(minLength=7, maxLength=15, pattern=E164)


# An empty message is no message; the v0.1 and Dispatch specs say `minLength: 1` for text.
def text(hi: int | None = None) -> Schema:
    return string(minLength=1, maxLength=hi) if hi else string(minLength=1)


# spec defect: most captions are 1-3000 characters, a few (WhatsApp video and file, Viber image
# and video) have no bound; one rule for all, as the sandbox (and the Dispatch spec) has it.
CAPTION = string(minLength=1, maxLength=3000)

PROBLEM = obj(
    {
        "type": string(format="uri"),
        "title": string(minLength=1),
        "detail": string(),
        "instance": string(minLength=1),
        "invalid_parameters": array(obj({"name": string(), "reason": string()}, ("name",))),
    },
    ("type", "title", "detail", "instance"),
)


def problem_response(description: str) -> Schema:
    return {
        "description": description,
        "content": {"application/problem+json": {"schema": PROBLEM}},
    }


def json_response(description: str, schema: Schema) -> Schema:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def body(schema: Schema) -> Schema:
    return {"required": True, "content": {"application/json": {"schema": schema}}}
