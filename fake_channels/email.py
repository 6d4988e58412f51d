"""Email (a Messages channel since 2026): addresses both ends (`from` may be
`Display Name <address>`), `text`, `html` or `content` (text and html parts), and an `email`
block whose `subject` is required. No read receipts; bounces come back as `rejected` or
`undeliverable` status webhooks.

Vonage's published shapes are thin here; the fields follow the Node SDK's email types
(`@vonage/messages` 1.27: EmailText, EmailHTML, EmailContent, EmailSettings).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sandbox.core.channel import DISPLAY_NAME_EMAIL, EMAIL, Channel, MailParts
from sandbox.core.checks import Issue, check_enum, check_string, object_at
from sandbox.core.models import Message

IMPORTANCE = ("High", "Normal", "Low")
PRIORITY = ("Non-Urgent", "Normal", "Urgent")
SENSITIVITY = ("Personal", "Private", "Company-Confidential")
SUBJECT_MAX = 998  # RFC 5322's line limit: no longer header line can be sent


def _recipients(issues: list[Issue], value: Any, name: str) -> None:
    if value is None:
        return
    if not isinstance(value, list):
        issues.append(Issue(1110, name, "must be an array of {address, name?} objects."))
        return
    for i, item in enumerate(value):
        obj = object_at(issues, item, f"{name}[{i}]", code=1110)
        if obj is None:
            continue
        address = obj.get("address")
        if not isinstance(address, str) or not EMAIL.match(address):
            issues.append(Issue(1110, f"{name}[{i}].address", "must be an email address."))
        if "name" in obj:
            check_string(issues, obj.get("name"), f"{name}[{i}].name", code=1110, min_len=0)


def _options(block: Mapping[str, Any], name: str, issues: list[Issue]) -> None:
    subject = block.get("subject")
    check_string(issues, subject, f"{name}.subject", code=1110, max_len=SUBJECT_MAX)
    if isinstance(subject, str) and any(ord(c) < 0x20 or 0x7F <= ord(c) <= 0x9F for c in subject):
        # A header line: a CR or LF in it would start another header (`Bcc: ...`).
        issues.append(Issue(1110, f"{name}.subject", "must not hold control characters."))
    check_enum(issues, block.get("importance"), f"{name}.importance", IMPORTANCE, code=1110)
    check_enum(issues, block.get("priority"), f"{name}.priority", PRIORITY, code=1110)
    check_enum(issues, block.get("sensitivity"), f"{name}.sensitivity", SENSITIVITY, code=1110)
    for key in ("cc", "bcc"):
        _recipients(issues, block.get(key), f"{name}.{key}")


def _html(channel: Channel, body: Mapping[str, Any], issues: list[Issue]) -> None:
    obj = object_at(issues, body.get("html"), "html")
    if obj is not None:
        check_string(issues, obj.get("body"), "html.body")


def _content(channel: Channel, body: Mapping[str, Any], issues: list[Issue]) -> None:
    parts = body.get("content")
    if not isinstance(parts, list) or not parts:
        issues.append(Issue(1150, "content", "must be a non-empty array of text and html parts."))
        return
    for i, part in enumerate(parts):
        obj = object_at(issues, part, f"content[{i}]")
        if obj is None:
            continue
        kind = obj.get("type")
        if kind == "text":
            check_string(issues, obj.get("text"), f"content[{i}].text")
        elif kind == "html":
            check_string(issues, obj.get("body"), f"content[{i}].body")
        else:
            issues.append(Issue(1150, f"content[{i}].type", "must be text or html."))


def mail_parts(message: Message) -> MailParts:
    """Subject, text part and HTML part of an email (each may be missing)."""
    content = message.content
    text = content.get("text") if isinstance(content.get("text"), str) else None
    html_obj = content.get("html")
    html = html_obj.get("body") if isinstance(html_obj, Mapping) else None
    for part in content.get("content") or []:
        if isinstance(part, Mapping) and part.get("type") == "text" and text is None:
            text = part.get("text") if isinstance(part.get("text"), str) else None
        if isinstance(part, Mapping) and part.get("type") == "html" and html is None:
            html = part.get("body") if isinstance(part.get("body"), str) else None
    block = (message.options or {}).get("email")
    block = block if isinstance(block, Mapping) else {}
    return MailParts(
        _subject(message),
        text,
        html if isinstance(html, str) else None,
        _people(block.get("cc")),
        _people(block.get("bcc")),
    )


def _people(value: Any) -> tuple[str, ...]:
    out: list[str] = []
    for item in value if isinstance(value, list) else []:
        if isinstance(item, Mapping) and isinstance(item.get("address"), str):
            name = item.get("name")
            out.append(f"{name} <{item['address']}>" if name else str(item["address"]))
    return tuple(out)


def _subject(message: Message) -> str | None:
    # From the `email` block of an outbound message, or of an inbound one.
    for block in ((message.options or {}).get("email"), (message.extra or {}).get("email")):
        if isinstance(block, Mapping) and isinstance(block.get("subject"), str):
            return str(block["subject"])
    return None


def _bare(value: str) -> str:
    match = DISPLAY_NAME_EMAIL.match(value)
    return (match.group(1) if match else value).lower()


def _inbound_extras(message: Message, self_base: str) -> dict[str, Any]:
    block = (message.extra or {}).get("email")
    return {"email": dict(block)} if isinstance(block, Mapping) else {}


EMAIL_CHANNEL = Channel(
    name="email",
    v01_name="email",  # no 2018 API knows it: v01_outbound_types stays empty
    label="Email",
    to_kind="email",
    from_kind="email",
    outbound_types=("text", "html", "content"),
    inbound_types=("text", "html"),
    missing_code=1260,  # a mailbox that does not exist bounces
    has_read=False,
    text_limit=None,
    price="0.0010",
    option_block="email",
    options_check=_options,
    content_checks={"html": _html, "content": _content},
    inbound_extras=_inbound_extras,
    inbound_fields=("email",),
    mail=mail_parts,
    bare_address=_bare,
)
