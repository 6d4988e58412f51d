"""What a simulated channel is: addresses, message types, limits, whether `read` exists, and
the hooks through which it adds its own fields to webhooks.

A channel is data plus a few checks and hooks; the built-in ones are instances in
``fake_channels``, one module each, and a new one is made and registered the same way. Code
outside ``fake_channels`` asks the channel, never tests its name.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Literal, NamedTuple

from sandbox.core.checks import (
    E164,
    Issue,
    _is_str,
    as_object,
    check_media,
    check_string,
)
from sandbox.core.models import Message, StatusChange

AddressKind = Literal["number", "id", "email"]

# An email address (`local@domain`), or `Display Name <local@domain>` as a sender.
# No whitespace or control character in an address (in a mail header, one would end it).
_A = r"[^@\s<>\x00-\x1f\x7f-\x9f]+"
EMAIL = re.compile(rf"^{_A}@{_A}\.{_A}\Z")
DISPLAY_NAME_EMAIL = re.compile(rf"^[^<>\x00-\x1f\x7f-\x9f]*<({_A}@{_A}\.{_A})>\Z")

# The simulated mobile network's MCC+MNC (a UK network), as Vonage reports them in
# `destination.network_code` and `origin.network_code`.
NETWORK_CODE = "23410"

# Content kinds that are a media object ({url, caption?, name?}), in and out.
MEDIA_KINDS = ("image", "audio", "video", "file", "vcard", "sticker")


ContentCheck = Callable[["Channel", Mapping[str, Any], list[Issue]], None]
OptionsCheck = Callable[[Mapping[str, Any], str, list[Issue]], None]
# Payload additions a channel makes to what every channel's webhook carries (see sandbox.wire).
StatusExtras = Callable[[Message, StatusChange], dict[str, Any]]
InboundExtras = Callable[[Message, str], dict[str, Any]]  # (message, the sandbox's base URL)
InboundExtrasV01 = Callable[[Message], tuple[dict[str, Any], dict[str, Any]]]  # (message., top)
# The suggestion chips of an outbound message in the order a handset shows them, and the
# inbound (message_type, content) a tap on one sends (RCS).
Suggestions = Callable[[Message], list[dict[str, Any]]]
Tap = Callable[[Mapping[str, Any]], tuple[str, dict[str, Any]]]


@dataclass(frozen=True)
class CareWindow:
    """A channel's 24-hour customer-care window (core/windows.py): the RunConfig setting that
    switches it off, what is exempt from it, and how a person reads that."""

    setting: str
    exempt: Callable[[Message], bool]
    allowed: str  # "templates", "message tags"


class MailParts(NamedTuple):
    """What a mail client shows of a message: subject, text part, HTML part, copies."""

    subject: str | None
    text: str | None
    html: str | None
    cc: tuple[str, ...] = ()  # "Name <address>" or "address"
    bcc: tuple[str, ...] = ()


Mail = Callable[[Message], MailParts]
# A check of one field a simulated user's inbound message carries: (value, name, issues).
InboundFieldCheck = Callable[[Any, str, list[Issue]], None]
# Checks of the whole v1 message body, whatever its type (RCS suggestions, SMS pool_id ...).
MessageCheck = Callable[[Mapping[str, Any], list[Issue]], None]


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
    price: str  # usage.price of a priced message, EUR (see usage_price)
    option_block: str | None = None  # the top-level option object this channel reads
    ttl_range: tuple[int, int] | None = None
    # Extra per-message-type checks beyond the common ones (e.g. Viber video needs a thumb).
    content_checks: Mapping[str, ContentCheck] = field(default_factory=dict)
    # Checks of the option block; returns 1110 issues.
    options_check: OptionsCheck | None = None
    # Also accept these sender formats (SMS alphanumeric ids, MMS short codes); for an `id`
    # sender, the id must match one of them when any is given (RCS agent ids).
    from_patterns: tuple[re.Pattern[str], ...] = ()
    # Also accept these recipient formats (WhatsApp business-scoped user ids).
    to_patterns: tuple[re.Pattern[str], ...] = ()
    # Top-level fields of a v1 request this channel reads besides content and option block
    # (kept with the message: RCS `suggestions`, SMS `pool_id` ...), and their checks.
    message_fields: tuple[str, ...] = ()
    message_check: MessageCheck | None = None
    # What a simulated user's inbound message may carry besides its content (`profile` ...):
    # objects, unless ``inbound_field_checks`` gives a field a check of its own (WhatsApp's
    # `provider_message` is a string, MMS `content` an array of attachments).
    inbound_fields: tuple[str, ...] = ()
    inbound_field_checks: Mapping[str, InboundFieldCheck] = field(default_factory=dict)
    care_window: CareWindow | None = None
    # How many parts a message is charged as (SMS: its segments), from (content, options).
    parts: Callable[[Mapping[str, Any], Any], int] | None = None
    # Facts about an outbound message a person testing wants to see (SMS: its encoding and
    # parts), shown by the control API and the inbox as `details`.
    details: Callable[[Message], dict[str, Any]] | None = None
    # What a handset profile's `has: false` is rejected with: the channel's own code for "this
    # user cannot get it" (1300 Not part of the provider network: no WhatsApp, not on Viber...).
    missing_code: int = 1300
    # How long the network keeps trying when a message has no `ttl` of its own and the handset
    # cannot take it (switched off): Vonage's final-status limits per channel, in seconds.
    default_ttl: float | None = None
    # The inbound message types the 2018 format has for this channel; others reach a v0.1
    # webhook as `unsupported`, as they did from Vonage.
    v01_inbound_types: tuple[str, ...] = ()
    # What the 2018 APIs (Messages v0.1, Dispatch) let this channel send.
    v01_outbound_types: tuple[str, ...] = ()
    # Message types that are charged; None: all of them (WhatsApp charges templates only:
    # replies inside the customer-service window are free).
    priced_types: tuple[str, ...] | None = None
    # `PATCH /v1/messages/{uuid}` `{"status": "read"}` on an inbound message (WhatsApp), and
    # `{"status": "revoked"}` on an outbound message not yet delivered (RCS).
    inbound_read: bool = False
    revocable: bool = False
    suggestions: Suggestions | None = None
    tap: Tap | None = None
    # A mail channel: its inbox is drawn as a mail client (subject list, headers, parts).
    mail: Mail | None = None
    # The bare address of a sender as given (email: `Shop <a@b.c>` -> `a@b.c`), for matching
    # a user's reply to what the app sent; None: addresses are compared as they are.
    bare_address: Callable[[str], str] | None = None

    @property
    def in_2018_apis(self) -> bool:
        """Whether Messages v0.1 and Dispatch know the channel (RCS and email came later)."""
        return bool(self.v01_outbound_types)

    def address(self, value: str) -> str:
        return value if self.bare_address is None else self.bare_address(value)

    # Extra checks of the option block when the message is a Dispatch workflow item.
    dispatch_options_check: OptionsCheck | None = None
    status_extras: StatusExtras | None = None  # v1 status webhooks
    inbound_extras: InboundExtras | None = None  # v1 inbound webhooks
    inbound_extras_v01: InboundExtrasV01 | None = None  # v0.1 inbound webhooks

    def usage_price(
        self, message_type: str, content: Mapping[str, Any] | None = None, options: Any = None
    ) -> str:
        """What one message of ``message_type`` costs, as `usage.price` reports it: the one
        price rule, used by status webhooks, the Dispatch report and the account balance
        alike. A channel charged per part (SMS) multiplies by the parts of ``content``."""
        if self.priced_types is not None and message_type not in self.priced_types:
            return "0"
        if self.parts is None or content is None:
            return self.price
        count = self.parts(content, options)
        if count == 1:
            return self.price
        return f"{Decimal(self.price) * count:.4f}"

    # -- addresses -----------------------------------------------------------------------
    def check_to(self, value: Any, issues: list[Issue], name: str = "to") -> None:
        if value is None:
            issues.append(Issue(1150, name, "is required."))
        elif not _is_str(value):
            issues.append(Issue(1130, name, "must be a string."))
        elif (
            self.to_kind == "number"
            and not E164.match(value)
            and not any(p.match(value) for p in self.to_patterns)
        ):
            issues.append(
                Issue(1130, name, "must be a number in E.164 format without a leading + or 00.")
            )
        elif self.to_kind == "id" and not 1 <= len(value) <= 50:
            issues.append(Issue(1130, name, "must be an id of 1 to 50 characters."))
        elif self.to_kind == "email" and not EMAIL.match(value):
            issues.append(Issue(1130, name, "must be an email address."))

    def check_from(self, value: Any, issues: list[Issue], name: str = "from") -> None:
        if value is None:
            issues.append(Issue(1150, name, "is required."))
        elif not _is_str(value):
            issues.append(Issue(1120, name, "must be a string."))
        elif self.from_kind == "id":
            if not 1 <= len(value) <= 50:
                issues.append(Issue(1120, name, "must be an id of 1 to 50 characters."))
            elif self.from_patterns and not any(p.match(value) for p in self.from_patterns):
                issues.append(Issue(1120, name, f"is not a valid sender id for {self.name}."))
        elif self.from_kind == "email":
            if not (EMAIL.match(value) or DISPLAY_NAME_EMAIL.match(value)):
                issues.append(Issue(1120, name, "must be an email address or 'Name <address>'."))
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
        elif message_type == "file":
            check_media(issues, value, "file", file_name=True)
        elif message_type in MEDIA_KINDS and message_type != "sticker":
            check_media(issues, value, message_type)
        elif message_type == "template":
            obj = as_object(issues, value, "template")
            check_string(issues, obj.get("name"), "template.name", max_len=512)
            params = obj.get("parameters")
            if params is not None and not isinstance(params, list):
                issues.append(Issue(1150, "template.parameters", "must be an array."))
            elif params is not None:
                # Strings; the 2018 SDK's `{"default": "..."}` objects are taken too.
                issues.extend(
                    Issue(1150, f"template.parameters[{i}]", "must be a string.")
                    for i, p in enumerate(params)
                    if p is not None
                    and not isinstance(p, str)
                    and not (isinstance(p, Mapping) and isinstance(p.get("default"), str))
                )
        elif message_type == "custom":
            as_object(issues, value, "custom")
        extra = self.content_checks.get(message_type)
        if extra is not None:
            extra(self, body, issues)

    def check_message(self, body: Mapping[str, Any], issues: list[Issue]) -> None:
        """The channel's checks of the whole body (after address, content and options)."""
        if self.message_check is not None:
            self.message_check(body, issues)

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


class Registry:
    """Channels by their v1 name and by their v0.1 name."""

    def __init__(self, channels: tuple[Channel, ...] = ()) -> None:
        self._by_name: dict[str, Channel] = {}
        self._by_v01: dict[str, Channel] = {}
        for channel in channels:
            self.register(channel)

    def register(self, channel: Channel) -> None:
        self._by_name[channel.name] = channel
        if channel.in_2018_apis:
            self._by_v01[channel.v01_name] = channel

    def get(self, name: object) -> Channel | None:
        return self._by_name.get(name) if isinstance(name, str) else None

    def get_v01(self, name: object) -> Channel | None:
        return self._by_v01.get(name) if isinstance(name, str) else None

    def __getitem__(self, name: str) -> Channel:
        return self._by_name[name]

    def __iter__(self) -> Iterator[Channel]:
        return iter(self._by_name.values())

    def names(self) -> list[str]:
        return list(self._by_name)
