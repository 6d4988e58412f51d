"""The simulated channels (fake_channels) and what a channel is (sandbox.core.channel): address,
content and option checks with their error classes, the registry, prices, the URL rule and the
SMS segment count. A channel made here registers and parses the way the built-in ones do."""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Mapping
from typing import Any

import pytest

from fake_channels import DEFAULT_CHANNELS, default_registry
from fake_channels.messenger import MESSENGER
from fake_channels.mms import MMS
from fake_channels.sms import SMS, segment_count
from fake_channels.viber import VIBER
from fake_channels.whatsapp import WHATSAPP
from sandbox.core.channel import Channel, Registry
from sandbox.core.checks import URL_MAX, Issue, check_url, is_http_url
from sandbox.core.errors import InvalidRequest
from sandbox.wire.v1 import parse_send


def issues_of(check: Any, *args: Any) -> list[tuple[int, str]]:
    issues: list[Issue] = []
    check(*args, issues)
    return [(i.code, i.name) for i in issues]


# -- the built-in set ------------------------------------------------------------------------


def test_default_channels_and_their_names() -> None:
    reg = default_registry()
    assert reg.names() == [
        "sms", "mms", "rcs", "whatsapp", "messenger", "viber_service", "email"
    ]  # fmt: skip
    assert list(reg) == list(DEFAULT_CHANNELS)
    assert reg.get_v01("viber_service_msg") is VIBER and reg.get("viber_service") is VIBER
    assert reg.get("viber_service_msg") is None and reg.get_v01("viber_service") is None
    # Read receipts exist where a handset sends them.
    assert {c.name for c in reg if c.has_read} == {"rcs", "whatsapp", "messenger", "viber_service"}


# -- addresses ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("channel", "value", "expected"),
    [
        (SMS, "447700900001", []),
        (SMS, None, [(1150, "to")]),
        (SMS, 447700900001, [(1130, "to")]),
        (SMS, "+447700900001", [(1130, "to")]),  # E.164 without the +
        (SMS, "00447700900001", [(1130, "to")]),
        (SMS, "12345", [(1130, "to")]),  # too short for E.164
        (SMS, "1" * 16, [(1130, "to")]),  # too long
        (MESSENGER, "psid-1", []),
        (MESSENGER, "", [(1130, "to")]),
        (MESSENGER, "p" * 51, [(1130, "to")]),
        (VIBER, "447700900001", []),
    ],
)
def test_check_to(channel: Channel, value: Any, expected: list[tuple[int, str]]) -> None:
    assert issues_of(lambda v, i: channel.check_to(v, i), value) == expected


@pytest.mark.parametrize(
    ("channel", "value", "ok"),
    [
        (SMS, "447700900000", True),
        (SMS, "Acme", True),  # alphanumeric sender id
        (SMS, "Acme Co.", True),
        (SMS, "12345", True),  # short code
        (SMS, "AcmeCorporation", False),  # more than 11 characters
        (SMS, "!!!", False),
        (MMS, "12345", True),
        (MMS, "Acme", False),  # no alphanumeric ids on MMS
        (WHATSAPP, "Acme", False),
        (WHATSAPP, "12345", False),
        (VIBER, "16273", True),  # an id
        (VIBER, "", False),
        (MESSENGER, "p" * 50, True),
        (MESSENGER, "p" * 51, False),
    ],
)
def test_check_from(channel: Channel, value: str, ok: bool) -> None:
    found = issues_of(lambda v, i: channel.check_from(v, i), value)
    assert found == ([] if ok else [(1120, "from")])


def test_check_from_missing_or_not_a_string_and_a_custom_name() -> None:
    assert issues_of(lambda v, i: SMS.check_from(v, i), None) == [(1150, "from")]
    assert issues_of(lambda v, i: SMS.check_from(v, i), 7) == [(1120, "from")]
    # The inbound parser checks a user's address with the recipient rules under its own name.
    assert issues_of(lambda v, i: SMS.check_to(v, i, "from"), "x") == [(1130, "from")]


# -- content -----------------------------------------------------------------------------------


def content(channel: Channel, message_type: str, body: Mapping[str, Any]) -> list[tuple[int, str]]:
    return issues_of(lambda b, i: channel.check_content(message_type, b, i), body)


@pytest.mark.parametrize("channel", DEFAULT_CHANNELS, ids=lambda c: c.name)
def test_text_limit_of_each_channel(channel: Channel) -> None:
    if channel.text_limit is None:  # email: no limit documented
        assert content(channel, "text", {"text": "x" * 100_000}) == []
        return
    assert content(channel, "text", {"text": "x" * channel.text_limit}) == []
    assert content(channel, "text", {"text": "x" * (channel.text_limit + 1)}) == [(1150, "text")]
    assert content(channel, "text", {}) == [(1150, "text")]


def test_media_objects() -> None:
    assert content(WHATSAPP, "image", {"image": {"url": "https://x/a.png"}}) == []
    assert content(WHATSAPP, "image", {"image": {}}) == [(1150, "image.url")]
    assert content(WHATSAPP, "image", {"image": "https://x/a.png"}) == [(1150, "image")]
    too_long = {"video": {"url": "https://x/v", "caption": "c" * 3001}}
    assert content(WHATSAPP, "video", too_long) == [(1150, "video.caption")]
    assert content(MESSENGER, "file", {"file": {"url": "https://x/f", "name": "n" * 256}}) == [
        (1150, "file.name")
    ]
    # Viber file names are shorter.
    assert content(VIBER, "file", {"file": {"url": "https://x/f", "name": "n" * 26}}) == [
        (1150, "file.name")
    ]


def test_whatsapp_template_needs_a_name_and_a_locale() -> None:
    good = {"template": {"name": "otp", "parameters": ["1"]}, "whatsapp": {"locale": "en_GB"}}
    assert content(WHATSAPP, "template", good) == []
    no_locale = {"template": {"name": "otp"}}
    assert content(WHATSAPP, "template", no_locale) == [(1110, "whatsapp.locale")]
    bad = {"template": {"parameters": "1"}, "whatsapp": {"locale": "en"}}
    assert content(WHATSAPP, "template", bad) == [
        (1150, "template.name"),
        (1150, "template.parameters"),
    ]


@pytest.mark.parametrize(
    ("sticker", "expected"),
    [
        ({"url": "https://x/s.webp"}, []),
        ({"id": "abc"}, []),
        ({"url": "u", "id": "i"}, [(1150, "sticker")]),
        ({"caption": "x"}, [(1150, "sticker")]),
    ],
)
def test_whatsapp_sticker_has_exactly_one_of_url_or_id(
    sticker: dict[str, Any], expected: list[tuple[int, str]]
) -> None:
    assert content(WHATSAPP, "sticker", {"sticker": sticker}) == expected


def test_whatsapp_reaction_needs_an_action_and_a_context() -> None:
    ok = {"reaction": {"action": "react", "emoji": "👍"}, "context": {"message_uuid": "m"}}
    assert content(WHATSAPP, "reaction", ok) == []
    unreact = {"reaction": {"action": "unreact"}, "context": {"message_uuid": "m"}}
    assert content(WHATSAPP, "reaction", unreact) == []
    assert content(WHATSAPP, "reaction", {"reaction": {"action": "love"}}) == [
        (1150, "reaction.action"),
        (1150, "context.message_uuid"),
    ]


def test_viber_video_needs_thumb_duration_and_size() -> None:
    body: dict[str, Any] = {"video": {"url": "https://x/v.mp4"}}
    assert content(VIBER, "video", body) == [
        (1150, "video.thumb_url"),
        (1110, "viber_service.duration"),
        (1110, "viber_service.file_size"),
    ]
    body = {
        "video": {"url": "https://x/v.mp4", "thumb_url": "https://x/t.jpg"},
        "viber_service": {"duration": 10, "file_size": 5},
    }
    assert content(VIBER, "video", body) == []


def test_viber_image_with_a_button_needs_a_caption() -> None:
    action = {"viber_service": {"action": {"url": "https://x", "text": "Go"}}}
    assert content(VIBER, "image", {"image": {"url": "https://x/i"}, **action}) == [
        (1150, "image.caption")
    ]
    assert (
        content(VIBER, "image", {"image": {"url": "https://x/i", "caption": "c"}, **action}) == []
    )
    assert content(VIBER, "image", {"image": {"url": "https://x/i"}}) == []


def test_mms_content_array() -> None:
    assert content(MMS, "content", {"content": [{"type": "image", "url": "https://x/i"}]}) == []
    assert content(MMS, "content", {"content": []}) == [(1150, "content")]
    assert content(MMS, "content", {"content": ["x", {"type": "gif", "url": "https://x/g"}]}) == [
        (1150, "content[0]"),
        (1150, "content[1].type"),
    ]


# -- option blocks -----------------------------------------------------------------------------


def options(channel: Channel, body: Mapping[str, Any]) -> list[tuple[int, str]]:
    return issues_of(lambda b, i: channel.check_options(b, i), body)


@pytest.mark.parametrize(
    ("channel", "body", "expected"),
    [
        (SMS, {}, []),
        (SMS, {"sms": {"encoding_type": "auto", "content_id": "c"}}, []),
        (SMS, {"sms": "text"}, [(1110, "sms")]),
        (SMS, {"sms": {"encoding_type": "ascii"}}, [(1110, "sms.encoding_type")]),
        (SMS, {"sms": {"entity_id": "e" * 101}}, [(1110, "sms.entity_id")]),
        (MESSENGER, {"messenger": {"category": "response"}}, []),
        (MESSENGER, {"messenger": {"category": "promo"}}, [(1110, "messenger.category")]),
        (MESSENGER, {"messenger": {"category": "message_tag"}}, [(1110, "messenger.tag")]),
        (WHATSAPP, {"whatsapp": {"policy": "deterministic", "locale": "en"}}, []),
        (WHATSAPP, {"whatsapp": {"policy": "fallback"}}, [(1110, "whatsapp.policy")]),
        (VIBER, {"viber_service": {"ttl": 30, "duration": "10"}}, []),
        (VIBER, {"viber_service": {"ttl": 29}}, [(1110, "viber_service.ttl")]),
        (VIBER, {"viber_service": {"ttl": True}}, [(1110, "viber_service.ttl")]),
        (VIBER, {"viber_service": {"file_size": 201}}, [(1110, "viber_service.file_size")]),
        (
            VIBER,
            {"viber_service": {"action": {"text": "t" * 31}}},
            [(1110, "viber_service.action.url"), (1110, "viber_service.action.text")],
        ),
        (MMS, {"mms": "a string"}, [(1110, "mms")]),
        (MMS, {"mms": {"participants": ["447700900001", "+44"]}}, [(1110, "mms.participants[1]")]),
    ],
)
def test_option_blocks(
    channel: Channel, body: dict[str, Any], expected: list[tuple[int, str]]
) -> None:
    assert options(channel, body) == expected


# -- prices ------------------------------------------------------------------------------------


def test_usage_price() -> None:
    for channel in (SMS, MMS, MESSENGER, VIBER):
        assert channel.priced_types is None
        assert channel.usage_price("text") == channel.price
    assert SMS.usage_price("text") == "0.0333"
    # WhatsApp charges templates only: replies in the service window are free.
    assert WHATSAPP.usage_price("template") == "0.0147"
    assert WHATSAPP.usage_price("text") == WHATSAPP.usage_price("image") == "0"


# -- the URL rule ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "ok"),
    [
        ("http://example.com/hook", True),
        ("https://127.0.0.1:8443", True),
        ("HTTPS://EXAMPLE.COM", True),
        ("ftp://example.com", False),
        ("http://", False),
        ("/relative/path", False),
        ("example.com/hook", False),
        (" http://example.com", False),
        ("http://example.com/a b", False),
        ("http://example.com/\t", False),
        ("http://example.com/\x7f", False),
        ("http://[::1", False),
        ("", False),
        (None, False),
        (42, False),
    ],
)
def test_is_http_url(value: Any, ok: bool) -> None:
    assert is_http_url(value) is ok


def test_a_url_with_a_port_that_is_not_a_number_is_refused() -> None:
    assert is_http_url("http://example.com:abc/status") is False


@pytest.mark.parametrize("value", ["http://:80/hook", "http://user@/hook"])
def test_a_url_without_a_host_is_refused(value: str) -> None:
    assert is_http_url(value) is False


def test_check_url() -> None:
    def check(value: Any, **kw: Any) -> list[str]:
        issues: list[Issue] = []
        check_url(issues, value, "webhook_url", **kw)
        assert all(i.name == "webhook_url" for i in issues)
        return [i.reason for i in issues]

    assert check("https://example.com/s") == []
    assert check("mailto:x@y") == ["must be an absolute http or https URL."]
    assert check(5) == ["must be a string."]
    assert check(None) == ["is required."]
    long = "https://example.com/" + "a" * URL_MAX
    assert check(long) == [f"must be at most {URL_MAX} characters long."]
    issues: list[Issue] = []
    check_url(issues, "nope", "u", code=1110)
    assert [i.code for i in issues] == [1110]


# -- SMS segments ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "parts"),
    [
        ("", 1),
        ("a" * 160, 1),  # GSM-7: one part holds 160
        ("a" * 161, 2),  # then 153 per part
        ("a" * 306, 2),
        ("a" * 307, 3),
        ("€" * 80, 1),  # extension characters take two septets
        ("€" * 81, 2),
        ("a" * 159 + "^", 2),
        ("é" * 160, 1),  # in the GSM-7 basic set
        ("ж" * 70, 1),  # UCS-2: 70, then 67
        ("ж" * 71, 2),
        ("ж" * 134, 2),
        ("ж" * 135, 3),
        ("a" * 69 + "ж", 1),  # one non-GSM character makes the whole text UCS-2
        ("a" * 70 + "ж", 2),
        ("😀" * 35, 1),  # outside the BMP: two UTF-16 units each
        ("😀" * 36, 2),
    ],
)
def test_segment_count(text: str, parts: int) -> None:
    assert segment_count(text) == parts


def test_an_extension_character_is_not_split_across_parts() -> None:
    # Part 1: 152 septets (the escape pair does not fit in the one left); part 2: € + 151 a;
    # part 3: the last a.
    assert segment_count("a" * 152 + "€" + "a" * 152) == 3


# -- a channel of one's own ----------------------------------------------------------------------


def _line_options(block: Mapping[str, Any], name: str, issues: list[Issue]) -> None:
    if "category" in block and block["category"] != "transactional":
        issues.append(Issue(1110, f"{name}.category", "must be transactional."))


LINE = Channel(
    name="line",
    v01_name="line_msg",
    label="LINE",
    to_kind="number",
    from_kind="id",
    outbound_types=("text", "image"),
    inbound_types=("text",),
    v01_outbound_types=("text",),  # the 2018 API knows it (as `line_msg`)
    has_read=True,
    text_limit=3072,
    price="0.0200",
    option_block="line",
    options_check=_line_options,
    from_patterns=(re.compile(r"^agent-\d+$"),),
)


def test_a_new_channel_registers_and_parses_like_the_built_in_ones() -> None:
    reg = Registry((*DEFAULT_CHANNELS, LINE))
    assert reg.get("line") is LINE and reg.get_v01("line_msg") is LINE and reg["line"] is LINE
    body = {
        "channel": "line",
        "message_type": "text",
        "to": "447700900001",
        "from": "agent-1",
        "text": "Hi from LINE",
        "line": {"category": "transactional"},
    }
    primary, _ = parse_send(body, reg)
    assert (primary.channel, primary.from_, primary.options) == (
        "line",
        "agent-1",
        {"line": {"category": "transactional"}},
    )
    with pytest.raises(InvalidRequest) as exc:
        parse_send({**body, "line": {"category": "promo"}}, reg)
    assert exc.value.code == 1110
    assert exc.value.body()["invalid_parameters"][0]["name"] == "line.category"
    with pytest.raises(InvalidRequest) as exc:
        parse_send({**body, "message_type": "video"}, reg)
    assert exc.value.code == 1140
    # Without it, the channel is unknown, and the refusal lists what is registered.
    with pytest.raises(InvalidRequest) as exc:
        parse_send(body, default_registry())
    assert exc.value.code == 1100 and "line" not in exc.value.issues[0].reason
    with pytest.raises(InvalidRequest) as exc:
        parse_send({**body, "channel": "pigeon"}, reg)
    assert "line" in exc.value.issues[0].reason


def test_channels_newer_than_the_2018_api_are_not_known_there() -> None:
    reg = default_registry()
    assert reg.get("rcs") is not None and reg.get_v01("rcs") is None
    assert reg.get("email") is not None and reg.get_v01("email") is None


def test_registry_lookups() -> None:
    reg = Registry()
    assert reg.names() == [] and reg.get("sms") is None
    reg.register(SMS)
    assert reg.names() == ["sms"] and reg["sms"] is SMS
    assert reg.get(None) is None and reg.get(["sms"]) is None and reg.get_v01(1) is None
    with pytest.raises(KeyError):
        reg["mms"]
    cheaper = dataclasses.replace(SMS, price="0.0100")
    reg.register(cheaper)  # the same name again replaces the channel
    assert reg["sms"] is cheaper and reg.get_v01("sms") is cheaper and reg.names() == ["sms"]
