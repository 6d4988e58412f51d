"""What a simulated channel is: addresses, message types, limits, and whether `read` exists.

A channel is data plus a few checks. The wire parsers (``sandbox.wire``) call the checks and turn
the :class:`Issue` values they return into Vonage problem answers; nothing here knows about HTTP.
Codes are the synchronous Messages API error classes (reference §7.2):

    1100 unsupported channel      1110 invalid channel parameters   1120 invalid sender
    1130 invalid recipient        1140 invalid message type         1150 invalid params
    1060 invalid client reference
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal, NamedTuple

AddressKind = Literal["number", "id"]

# Vonage's own SDKs validate recipients with this pattern (E.164 digits, no + or 00).
E164 = re.compile(r"^[1-9]\d{6,14}$")
SHORT_CODE = re.compile(r"^\d{3,8}$")
# SMS alphanumeric sender ids: up to 11 characters, at least one letter.
ALPHANUMERIC_SENDER = re.compile(r"^(?=.*[A-Za-z])[A-Za-z0-9 ._&-]{1,11}$")

URL_MAX = 2000
CAPTION_MAX = 3000


class Issue(NamedTuple):
    """One thing wrong with a request: the error class, the parameter's path and why."""

    code: int
    name: str
    reason: str


def _is_str(value: Any) -> bool:
    return isinstance(value, str)


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
    """An integer in [lo, hi]; booleans are not integers; numeric strings only when allowed."""
    if numeric_string and isinstance(value, str) and value.strip().isdigit():
        value = int(value.strip())
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
    check_string(issues, obj.get("url"), f"{name}.url", max_len=URL_MAX)
    if caption and "caption" in obj:
        check_string(issues, obj.get("caption"), f"{name}.caption", max_len=CAPTION_MAX)
    if file_name and "name" in obj:
        check_string(issues, obj.get("name"), f"{name}.name", max_len=255)


ContentCheck = Callable[["Channel", Mapping[str, Any], list[Issue]], None]


@dataclass(frozen=True)
class Channel:
    """A simulated channel. Built-in channels are instances; a new one registers the same way."""

    name: str  # the v1 name, e.g. "viber_service"
    v01_name: str  # the v0.1/Dispatch name, e.g. "viber_service_msg"
    label: str  # what a person reads in the UI
    to_kind: AddressKind
    from_kind: AddressKind
    outbound_types: tuple[str, ...]
    inbound_types: tuple[str, ...]
    has_read: bool
    text_limit: int | None
    price: str  # usage.price reported in status webhooks, EUR
    option_block: str | None = None  # the top-level option object this channel reads
    ttl_range: tuple[int, int] | None = None
    # Extra per-message-type checks beyond the common ones (e.g. Viber video needs a thumb).
    content_checks: Mapping[str, ContentCheck] = field(default_factory=dict)
    # Checks of the option block; returns 1110 issues.
    options_check: Callable[[Mapping[str, Any], str, list[Issue]], None] | None = None
    # Also accept these sender formats (SMS alphanumeric ids, MMS short codes).
    from_patterns: tuple[re.Pattern[str], ...] = ()
    # What the 2018 APIs (Messages v0.1, Dispatch) let this channel send.
    v01_outbound_types: tuple[str, ...] = ()

    # -- addresses -----------------------------------------------------------------------
    def check_to(self, value: Any, issues: list[Issue], name: str = "to") -> None:
        if value is None:
            issues.append(Issue(1150, name, "is required."))
        elif not _is_str(value):
            issues.append(Issue(1130, name, "must be a string."))
        elif self.to_kind == "number" and not E164.match(value):
            issues.append(
                Issue(1130, name, "must be a number in E.164 format without a leading + or 00.")
            )
        elif self.to_kind == "id" and not 1 <= len(value) <= 50:
            issues.append(Issue(1130, name, "must be an id of 1 to 50 characters."))

    def check_from(self, value: Any, issues: list[Issue], name: str = "from") -> None:
        if value is None:
            issues.append(Issue(1150, name, "is required."))
        elif not _is_str(value):
            issues.append(Issue(1120, name, "must be a string."))
        elif self.from_kind == "id":
            if not 1 <= len(value) <= 50:
                issues.append(Issue(1120, name, "must be an id of 1 to 50 characters."))
        elif not (E164.match(value) or any(p.match(value) for p in self.from_patterns)):
            issues.append(Issue(1120, name, f"is not a valid sender for {self.name}."))

    # -- content ---------------------------------------------------------------------------
    def check_content(
        self, message_type: str, body: Mapping[str, Any], issues: list[Issue]
    ) -> None:
        """Check the property named after ``message_type`` (and what that type needs)."""
        value = body.get(message_type)
        if message_type == "text":
            check_string(issues, value, "text", max_len=self.text_limit)
        elif message_type in ("image", "audio", "video", "vcard"):
            check_media(issues, value, message_type)
        elif message_type == "file":
            check_media(issues, value, "file", file_name=True)
        elif message_type == "template":
            obj = as_object(issues, value, "template")
            check_string(issues, obj.get("name"), "template.name", max_len=512)
            params = obj.get("parameters")
            if params is not None and not isinstance(params, list):
                issues.append(Issue(1150, "template.parameters", "must be an array."))
        elif message_type == "custom":
            as_object(issues, value, "custom")
        extra = self.content_checks.get(message_type)
        if extra is not None:
            extra(self, body, issues)

    def check_options(self, body: Mapping[str, Any], issues: list[Issue]) -> None:
        if self.option_block is None or self.options_check is None:
            return
        block = body.get(self.option_block)
        if block is None:
            self.options_check({}, self.option_block, issues)
            return
        if not isinstance(block, Mapping):
            issues.append(Issue(1110, self.option_block, "must be an object."))
            return
        self.options_check(block, self.option_block, issues)
