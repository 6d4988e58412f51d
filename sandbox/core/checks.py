"""The vocabulary of request checks: an :class:`Issue` names one bad parameter with its error
class, and the ``check_*`` helpers append issues for values of the wrong shape.

Channels (``fake_channels``) and the wire parsers (``sandbox.wire``) use them; the parsers turn
the issues into Vonage's problem answers. Codes are the synchronous error classes of the
Messages API (https://developer.vonage.com/en/api-errors/messages):

    1100 unsupported channel      1110 invalid channel parameters   1120 invalid sender
    1130 invalid recipient        1140 invalid message type         1150 invalid params
    1060 invalid client reference
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any, NamedTuple
from urllib.parse import urlsplit

# Vonage's own SDKs validate recipients with this pattern (E.164 digits, no + or 00).
# Patterns end in \Z, not $: `$` also matches before a final newline, so "447700900000\n"
# would pass for a number.
E164 = re.compile(r"^[1-9][0-9]{6,14}\Z")  # [0-9], not \d: Python's \d takes Arabic digits
SHORT_CODE = re.compile(r"^[0-9]{3,8}\Z")
# SMS alphanumeric sender ids: up to 11 characters, at least one letter.
ALPHANUMERIC_SENDER = re.compile(r"^(?=.*[A-Za-z])[A-Za-z0-9 ._&-]{1,11}\Z")

URL_MAX = 2000
CAPTION_MAX = 3000


class Issue(NamedTuple):
    """One thing wrong with a request: the error class, the parameter's path and why."""

    code: int
    name: str
    reason: str


def _is_str(value: Any) -> bool:
    return isinstance(value, str)


def is_http_url(value: Any) -> bool:
    """An absolute http(s) URL, read the same way by every client: the one URL rule of the
    sandbox (webhook URLs in requests and settings, resend targets, links the inbox draws).

    Whitespace and control characters are refused outright: browsers and HTTP clients strip or
    keep them differently, so such a value would mean different things to different readers."""
    if not isinstance(value, str) or not value:
        return False
    if any(ord(c) <= 0x20 or c == "\x7f" for c in value):
        return False
    try:
        parts = urlsplit(value)
        parts.port  # noqa: B018 - raises ValueError for a port that is not a number in range
    except ValueError:
        return False
    return parts.scheme.lower() in ("http", "https") and bool(parts.hostname)


def check_url(
    issues: list[Issue],
    value: Any,
    name: str,
    *,
    code: int = 1150,
    max_len: int = URL_MAX,
    required: bool = True,
) -> None:
    """An absolute http(s) URL of at most ``max_len`` characters: Vonage's `format: url`
    fields (media, thumbnails, buttons) are fetched by the provider, so a value that is not
    one fails the send."""
    check_string(issues, value, name, code=code, max_len=max_len, required=required)
    if isinstance(value, str) and value and not is_http_url(value):
        issues.append(Issue(code, name, "must be an absolute http or https URL."))


def check_string(
    issues: list[Issue],
    value: Any,
    name: str,
    *,
    code: int = 1150,
    required: bool = True,
    min_len: int = 1,
    max_len: int | None = None,
) -> None:
    """Append an issue unless ``value`` is a string of an allowed length."""
    if value is None:
        if required:
            issues.append(Issue(code, name, "is required."))
        return
    if not _is_str(value):
        issues.append(Issue(code, name, "must be a string."))
        return
    if len(value) < min_len:
        issues.append(Issue(code, name, f"must be at least {min_len} characters long."))
    elif max_len is not None and len(value) > max_len:
        issues.append(Issue(code, name, f"must be at most {max_len} characters long."))


# Every property name Vonage's Messages schemas give inside a message's objects: a null there
# is refused; a property the schemas do not describe may hold anything (they leave objects
# open, and Vonage ignores what it does not know).
KNOWN_FIELDS = frozenset(
    {
        "action",
        "address",
        "bcc",
        "body",
        "caption",
        "card",
        "card_orientation",
        "card_width",
        "cards",
        "category",
        "cc",
        "content",
        "content_id",
        "description",
        "duration",
        "emoji",
        "encoding_type",
        "end_time",
        "entity_id",
        "fallback_url",
        "file_size",
        "html",
        "id",
        "image_alignment",
        "importance",
        "latitude",
        "locale",
        "longitude",
        "media_description",
        "media_force_refresh",
        "media_height",
        "media_url",
        "message_uuid",
        "name",
        "parameters",
        "participants",
        "phone_number",
        "pin_label",
        "policy",
        "postback_data",
        "priority",
        "sensitivity",
        "start_time",
        "subject",
        "suggestions",
        "tag",
        "text",
        "thumb_url",
        "thumbnail_url",
        "title",
        "ttl",
        "type",
        "url",
        "view_mode",
    }
)


def null_paths(value: Any, name: str) -> list[str]:
    """Where ``value`` (found at ``name``) holds a JSON null in a field Vonage's schemas
    describe, as parameter paths. They allow null nowhere: an absent field and a null one are
    not the same, and an app that sends `"encoding_type": null` meant something the API will
    not do."""
    if value is None:
        return [name]
    if isinstance(value, Mapping):
        return [
            p for k, v in value.items() if k in KNOWN_FIELDS for p in null_paths(v, f"{name}.{k}")
        ]
    if isinstance(value, list):
        return [p for i, v in enumerate(value) for p in null_paths(v, f"{name}[{i}]")]
    return []


def check_enum(
    issues: list[Issue],
    value: Any,
    name: str,
    allowed: tuple[str, ...],
    *,
    code: int = 1150,
    required: bool = False,
) -> None:
    if value is None:
        if required:
            issues.append(Issue(code, name, "is required."))
        return
    if value not in allowed:
        issues.append(Issue(code, name, "must be one of: " + ", ".join(allowed) + "."))


def check_int(
    issues: list[Issue],
    value: Any,
    name: str,
    lo: int,
    hi: int,
    *,
    code: int = 1150,
    numeric_string: bool = False,
) -> None:
    """An integer in [lo, hi]; booleans are not integers; numeric strings only when allowed.
    A number with no fraction (`600.0`) is an integer, as JSON Schema and Vonage's JSON
    readers take it."""
    if (
        numeric_string
        and isinstance(value, str)
        and value.strip().isascii()
        and value.strip().isdigit()
    ):
        value = int(value.strip())
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, int):
        issues.append(Issue(code, name, "must be an integer."))
    elif not lo <= value <= hi:
        issues.append(Issue(code, name, f"must be between {lo} and {hi}."))


def as_object(issues: list[Issue], value: Any, name: str, *, code: int = 1150) -> Mapping[str, Any]:
    """The value as a mapping, or an empty one plus an issue when it is something else."""
    if isinstance(value, Mapping):
        return value
    if value is None:
        issues.append(Issue(code, name, "is required."))
    else:
        issues.append(Issue(code, name, "must be an object."))
    return {}


def object_at(
    issues: list[Issue], value: Any, name: str, *, code: int = 1150
) -> Mapping[str, Any] | None:
    """The value when it is an object (an empty one included: its required fields are then
    missing and must be reported), else None plus an issue."""
    if isinstance(value, Mapping):
        return value
    as_object(issues, value, name, code=code)
    return None


def check_media(
    issues: list[Issue],
    value: Any,
    name: str,
    *,
    caption: bool = True,
    file_name: bool = False,
) -> None:
    """The common `{url, caption?, name?}` media object."""
    obj = as_object(issues, value, name)
    if not obj and value is not None and not isinstance(value, Mapping):
        return
    check_url(issues, obj.get("url"), f"{name}.url")
    if caption and "caption" in obj:
        check_string(issues, obj.get("caption"), f"{name}.caption", max_len=CAPTION_MAX)
    if file_name and "name" in obj:
        check_string(issues, obj.get("name"), f"{name}.name", min_len=0, max_len=255)
