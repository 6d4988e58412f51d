"""Hypothesis strategies for the no-5xx property test (tests/api/test_no_5xx_property.py).

Bodies start from requests the sandbox accepts and are mutated a few places deep (a value
replaced by one of the wrong type or an odd one, a field dropped, an unknown one added, a value
nested past the depth limit), so that most of them pass the first checks and reach the
channel's own. Serialised bodies keep lone surrogates as `\\ud800` escapes, and NaN/Infinity as
the tokens Python's encoder writes, so :func:`flaw` can say which ones the sandbox must refuse.

URLs in bodies are :data:`HOOK` (the test points it at its own webhook receiver), so a fuzzed
`webhook_url` never makes the sandbox wait on a host that does not answer.
"""

from __future__ import annotations

import copy
import json
import math
from typing import Any
from urllib.parse import quote

from hypothesis import strategies as st

HOOK = "http://receiver.invalid"  # replaced by the receiver's base URL before sending
N1, N2 = "447700900000", "447700900001"
AGENT = "Vonage-Agent_1&Co"
SHOP, CUSTOMER = "shop@example.com", "customer@example.org"
MAX_DEPTH = 64  # sandbox.wire.body.MAX_DEPTH: deeper is refused

# -- scalars --------------------------------------------------------------------------------

# Every code point, lone UTF-16 surrogates included (hypothesis leaves them out by default).
ANY_CHAR = st.characters(exclude_categories=())
SPECIAL_STRINGS = [
    "",
    " ",
    "\x00",
    "\ud800",
    "\udfff",
    "a\ud83d",  # a high surrogate with no partner
    "\U0001f600",
    "\u202eevil",
    "\u2028\u2029",
    "\r\nBcc: x@y.z",
    "\ufeff",
    "x" * 5000,
    "é" * 1001,
    "<script>alert(1)</script>",
    "{{ 7*7 }}",
    "../../etc/passwd",
    "%00%ff",
    "javascript:alert(1)",
    "http://",
    "https://[::1",
    "http://127.0.0.1:99999/",
    HOOK + "/status",
    N1,
    "+" + N1,
    "00" + N1,
    "1" * 16,
    SHOP,
    "Shop <" + SHOP + ">",
    AGENT,
    "12345",
    "٤٤٧٧٠٠٩٠٠٠٠٠",  # Arabic-Indic digits: isdigit() but not ASCII
    "²",
    "\uff11\uff12\uff13",  # fullwidth digits
]
# Names the sandbox knows: channels, message types, statuses, enum values, option blocks.
VOCAB = [
    "sms",
    "mms",
    "rcs",
    "whatsapp",
    "messenger",
    "viber_service",
    "viber_service_msg",
    "email",
    "text",
    "image",
    "audio",
    "video",
    "file",
    "vcard",
    "template",
    "sticker",
    "reaction",
    "custom",
    "card",
    "carousel",
    "content",
    "html",
    "location",
    "contacts",
    "reply",
    "button",
    "order",
    "unsupported",
    "submitted",
    "delivered",
    "read",
    "rejected",
    "undeliverable",
    "revoked",
    "react",
    "unreact",
    "v0.1",
    "v1",
    "failover",
    "deterministic",
    "message_tag",
    "transaction",
    "promotion",
    "VERTICAL",
    "HORIZONTAL",
    "LEFT",
    "MEDIUM",
    "TALL",
    "open_url",
    "dial",
    "view_location",
    "manual",
    "live",
    "next",
    "idle",
    "auto",
    "unicode",
    "High",
    "600",
    " 600 ",
    "59",
]
HUGE_INTS = [
    2**31,
    -(2**31) - 1,
    2**53 + 1,
    2**63,
    -(2**63) - 1,
    2**64,
    10**100,
    10**4000,  # 4,001 digits: still under Python's 4,300-digit conversion limit
    -(10**4000),
]
EDGE_FLOATS = [
    1.7976931348623157e308,
    -1.7976931348623157e308,
    5e-324,
    2.2250738585072014e-308,
    -0.0,
    0.5,
    599.9999999999999,
    1e16,
    86400.0,
]
NON_FINITE = [math.nan, math.inf, -math.inf]  # json.dumps writes NaN, Infinity: not JSON

odd_text = st.one_of(
    st.sampled_from(SPECIAL_STRINGS),
    st.text(max_size=12),
    st.text(ANY_CHAR, max_size=6),  # lone surrogates now and then
)
odd_scalar = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.sampled_from(HUGE_INTS),
    st.integers(-5, 700),
    st.floats(allow_nan=False, allow_infinity=False),
    st.sampled_from(EDGE_FLOATS + NON_FINITE),
    odd_text,
    st.sampled_from(VOCAB),
)
json_keys = st.one_of(st.sampled_from(VOCAB), odd_text)
json_values = st.recursive(
    odd_scalar,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4),
        st.dictionaries(json_keys, inner, max_size=4),
    ),
    max_leaves=12,
)


def nest(value: Any, depth: int, as_list: bool) -> Any:
    for _ in range(depth):
        value = [value] if as_list else {"k": value}
    return value


deep_values = st.builds(nest, odd_scalar, st.integers(MAX_DEPTH - 4, MAX_DEPTH + 6), st.booleans())
replacement = st.one_of(
    odd_scalar,
    json_values,
    deep_values,
    st.builds(dict),  # fresh objects: `st.just({})` would hand out one shared dict
    st.builds(list),
    st.builds(lambda v: {"url": v}, odd_scalar),
)

# -- accepted bodies to start from --------------------------------------------------------

SUGGESTIONS = [
    {"type": "reply", "text": "Yes please", "postback_data": "yes"},
    {
        "type": "open_url",
        "text": "Track",
        "postback_data": "track",
        "url": HOOK + "/track",
        "description": "Tracking page",
    },
    {
        "type": "view_location",
        "text": "Find us",
        "postback_data": "where",
        "latitude": "51.5074",
        "longitude": -0.1278,
        "pin_label": "Shop",
    },
    {"type": "dial", "text": "Call", "postback_data": "dial", "phone_number": N2},
]
CARD = {
    "title": "Your order",
    "text": "It ships tomorrow.",
    "media_url": HOOK + "/parcel.jpg",
    "media_height": "MEDIUM",
    "suggestions": [SUGGESTIONS[0]],
}


def _v1(channel: str, message_type: str, to: str, frm: str, **fields: Any) -> dict[str, Any]:
    return {"channel": channel, "message_type": message_type, "to": to, "from": frm, **fields}


def _media(kind: str, **extra: Any) -> dict[str, Any]:
    return {"url": f"{HOOK}/{kind}", **extra}


V1_BODIES: list[dict[str, Any]] = [
    _v1(
        "sms",
        "text",
        N1,
        N2,
        text="Hello",
        client_ref="abc123",
        webhook_url=HOOK + "/status",
        webhook_version="v1",
        ttl=90000,
        sms={"encoding_type": "auto", "content_id": "1", "entity_id": "2"},
        trusted_recipient=False,
        pool_id="pool",
    ),
    _v1("sms", "text", N1, "Vonage", text="Alpha"),
    _v1("mms", "image", N1, N2, image=_media("i.jpg", caption="a picture"), ttl=600),
    _v1("mms", "vcard", N1, "12345", vcard=_media("c.vcf"), mms={"participants": [N2]}),
    _v1(
        "mms",
        "content",
        N1,
        N2,
        content=[{"type": "image", "url": HOOK + "/a.jpg"}, {"type": "file", "url": HOOK + "/b"}],
    ),
    _v1(
        "whatsapp",
        "text",
        N1,
        N2,
        text="Hi",
        context={"message_uuid": "00000000-0000-4000-8000-000000000000"},
    ),
    _v1(
        "whatsapp",
        "template",
        N1,
        N2,
        template={"name": "verify", "parameters": ["1234"]},
        whatsapp={"locale": "en_GB", "policy": "deterministic"},
    ),
    _v1("whatsapp", "sticker", "US.13491208655302741918", N2, sticker={"id": "13aaecab"}),
    _v1(
        "whatsapp",
        "reaction",
        N1,
        N2,
        reaction={"action": "react", "emoji": "\U0001f600"},
        context={"message_uuid": "00000000-0000-4000-8000-000000000000"},
    ),
    _v1("whatsapp", "custom", N1, N2, custom={"type": "location", "location": {"latitude": 51}}),
    _v1("whatsapp", "file", N1, N2, file=_media("f.pdf", caption="f", name="f.pdf")),
    _v1(
        "messenger",
        "text",
        "1234567890",
        "0987654321",
        text="Hello",
        messenger={"category": "message_tag", "tag": "CONFIRMED_EVENT_UPDATE"},
    ),
    _v1(
        "viber_service",
        "image",
        N1,
        "16273",
        image=_media("i.jpg", caption="Buy"),
        viber_service={"category": "promotion", "action": {"url": HOOK, "text": "Open"}},
    ),
    _v1(
        "viber_service",
        "video",
        N1,
        "16273",
        video=_media("v.mp4", thumb_url=HOOK + "/t.jpg"),
        viber_service={"duration": "59", "file_size": 10, "ttl": 600},
    ),
    _v1("rcs", "text", N1, AGENT, text="Hi", suggestions=SUGGESTIONS, ttl=600),
    _v1("rcs", "card", N1, AGENT, card=CARD, rcs={"card_orientation": "VERTICAL"}),
    _v1(
        "rcs",
        "carousel",
        N1,
        AGENT,
        carousel={"cards": [CARD, {**CARD, "title": "Two"}]},
        rcs={"card_width": "MEDIUM"},
        suggestions=[SUGGESTIONS[1]],
    ),
    _v1("rcs", "video", N1, AGENT, video=_media("v.mp4"), trusted_recipient=True),
    _v1("email", "text", CUSTOMER, SHOP, text="Shipped", email={"subject": "Your order"}),
    _v1(
        "email",
        "html",
        CUSTOMER,
        "Shop <" + SHOP + ">",
        html={"body": "<p>Shipped</p>"},
        email={
            "subject": "Order",
            "importance": "High",
            "cc": [{"address": "boss@example.com", "name": "Boss"}],
            "bcc": [{"address": "audit@example.com"}],
        },
    ),
    _v1(
        "email",
        "content",
        CUSTOMER,
        SHOP,
        content=[{"type": "text", "text": "t"}, {"type": "html", "body": "<b>h</b>"}],
        email={"subject": "Parts"},
    ),
    {
        **_v1("rcs", "text", N1, AGENT, text="RCS first"),
        "failover": [
            _v1("sms", "text", N1, N2, text="SMS second"),
            _v1("whatsapp", "text", N1, N2, text="WA third"),
        ],
    },
]


def _v01(kind: str, to: dict[str, str], frm: dict[str, str], **message: Any) -> dict[str, Any]:
    return {"to": {"type": kind, **to}, "from": {"type": kind, **frm}, "message": message}


V01_BODIES: list[dict[str, Any]] = [
    {
        **_v01("sms", {"number": N1}, {"number": N2}, content={"type": "text", "text": "Hi"}),
        "client_ref": "ref",
    },
    _v01(
        "mms",
        {"number": N1},
        {"number": N2},
        content={"type": "image", "image": _media("i.jpg", caption="c")},
    ),
    _v01(
        "whatsapp",
        {"number": N1},
        {"number": N2},
        content={"type": "template", "template": {"name": "t", "parameters": [{"default": "x"}]}},
        whatsapp={"policy": "deterministic", "locale": "en-GB"},
    ),
    _v01(
        "messenger",
        {"id": "1234567890"},
        {"id": "0987654321"},
        content={"type": "text", "text": "Hi"},
        messenger={"category": "message_tag", "tag": "CONFIRMED_EVENT_UPDATE"},
    ),
    _v01(
        "viber_service_msg",
        {"number": N1},
        {"id": "16273"},
        content={"type": "text", "text": "Hi"},
        viber_service_msg={"category": "transaction", "ttl": 600},
    ),
]


def _item(first: dict[str, Any], expiry: Any = 600, condition: str = "delivered") -> Any:
    return {**first, "failover": {"expiry_time": expiry, "condition_status": condition}}


DISPATCH_BODIES: list[dict[str, Any]] = [
    {"template": "failover", "workflow": [_item(V01_BODIES[4], 600, "read"), V01_BODIES[0]]},
    {
        "template": "failover",
        "workflow": [_item(V01_BODIES[2], "600"), _item(V01_BODIES[3], 15), V01_BODIES[0]],
    },
]

INBOUND_BODIES: list[dict[str, Any]] = [
    {"channel": "sms", "from": N1, "to": N2, "text": "Hello", "origin": {"network_code": "1"}},
    {"channel": "mms", "from": N1, "to": N2, "message_type": "image", "image": _media("i")},
    {
        "channel": "whatsapp",
        "from": N1,
        "to": N2,
        "message_type": "location",
        "location": {"lat": 51.5, "long": -0.1},
        "profile": {"name": "Alice"},
        "context": {"message_uuid": "00000000-0000-4000-8000-000000000000"},
    },
    {
        "channel": "whatsapp",
        "from": N1,
        "to": N2,
        "message_type": "reaction",
        "reaction": {"action": "react", "emoji": "x"},
    },
    {"channel": "whatsapp", "from": N1, "to": N2, "message_type": "contacts", "contacts": [{}]},
    {"channel": "whatsapp", "from": N1, "to": N2, "message_type": "order", "order": {"a": 1}},
    {"channel": "whatsapp", "from": N1, "message_type": "unsupported"},
    {"channel": "rcs", "from": N1, "to": AGENT, "message_type": "reply", "reply": {"id": "yes"}},
    {"channel": "messenger", "from": "1234567890", "to": "0987654321", "text": "Hi"},
    {
        "channel": "viber_service",
        "from": N1,
        "to": "16273",
        "message_type": "file",
        "file": _media("f"),
    },
    {
        "channel": "email",
        "from": CUSTOMER,
        "to": SHOP,
        "message_type": "html",
        "html": {"body": "<p>Thanks</p>"},
        "email": {"subject": "Re: Your order"},
    },
]

# Control bodies by route name; each list holds accepted shapes to mutate.
CONTROL_BODIES: dict[str, list[dict[str, Any]]] = {
    "status": [
        {"status": "delivered"},
        {"status": "read", "by": "user"},
        {"status": "rejected", "error_code": 1250, "reason": "Unroutable"},
        {"status": "undeliverable", "error_code": 1260},
    ],
    "tap": [{"suggestion": 0}, {"suggestion": 3}, {"postback_data": "yes"}],
    "inbound": INBOUND_BODIES,
    "clock": [{"mode": "manual"}, {"mode": "live"}],
    "advance": [{"seconds": 1}, {"seconds": 0.5}, {"to": "next"}, {"until": "idle"}],
    "application": [
        {
            "name": "App",
            "status_url": HOOK + "/status",
            "inbound_url": HOOK + "/inbound",
            "webhook_version": "v0.1",
            "signature_secret": "an-application-secret-of-32-bytes+",
            "api_key": "key",
        },
        {"public_key": None, "status_url": None, "webhook_version": None},
    ],
    "account": [
        {"api_secret": "s3cr3t", "signature_secret": "an-account-secret-of-32-bytes-or-more"}
    ],
    "config": [
        {"auto_deliver": 5, "auto_read": 10.5},
        {"status_url": HOOK + "/status", "inbound_url": None, "webhook_version": "v0.1"},
        {"failover_on_undeliverable": True, "strict_auth": False},
    ],
    "reset": [{"application_id": "no-such-app"}],
    "settle": [{}],
    "seen": [{"channel": "sms", "peer": N1}, {"channel": "whatsapp", "peer": N1}],
    "resend": [{}, {"url": HOOK + "/again"}],
}

# -- mutations ------------------------------------------------------------------------------

Path = tuple[Any, ...]


def paths(value: Any) -> list[Path]:
    """Every place in a JSON value, the root included (no recursion: values nest deep)."""
    out: list[Path] = []
    stack: list[tuple[Any, Path]] = [(value, ())]
    while stack:
        item, at = stack.pop()
        out.append(at)
        if isinstance(item, dict):
            stack.extend((v, (*at, k)) for k, v in reversed(item.items()))
        elif isinstance(item, list):
            stack.extend((v, (*at, i)) for i, v in reversed(list(enumerate(item))))
    return out


def depth(value: Any) -> int:
    return max((len(p) for p in paths(value)), default=0)


def _set(root: Any, path: Path, value: Any) -> Any:
    if not path:
        return value
    parent = root
    for step in path[:-1]:
        parent = parent[step]
    parent[path[-1]] = value
    return root


def _get(root: Any, path: Path) -> Any:
    for step in path:
        root = root[step]
    return root


@st.composite
def mutated(draw: st.DrawFn, bases: list[dict[str, Any]], most: int = 3) -> Any:
    """An accepted body with up to ``most`` mutations; ``(body, number of mutations)``."""
    # A copy that shares nothing (deepcopy keeps the bases' shared parts shared), and fresh
    # values only: a mutation must never make the body contain itself.
    body: Any = json.loads(json.dumps(draw(st.sampled_from(bases))))
    count = draw(st.integers(0, most))
    for _ in range(count):
        path = draw(st.sampled_from(paths(body)))
        target = _get(body, path)
        op = draw(st.sampled_from(["replace", "replace", "delete", "add", "wrap", "vocab"]))
        if op == "delete" and path:
            parent = _get(body, path[:-1])
            del parent[path[-1]]
        elif op == "add" and isinstance(target, dict):
            target[draw(json_keys)] = copy.deepcopy(draw(replacement))
        elif op == "add" and isinstance(target, list):
            target.append(copy.deepcopy(draw(replacement)))
        elif op == "wrap" and depth(target) <= 8:  # deep enough to cross the limit, no deeper
            wrapped = nest(target, draw(st.integers(1, MAX_DEPTH + 2)), draw(st.booleans()))
            body = _set(body, path, wrapped)
        elif op == "vocab":
            body = _set(body, path, draw(st.sampled_from(VOCAB)))
        else:
            body = _set(body, path, copy.deepcopy(draw(replacement)))
    return body, count


# -- serialising and judging ----------------------------------------------------------------


def _lone_surrogate(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def flaw(value: Any) -> str | None:
    """Why the sandbox must refuse this value as a JSON body (None: it may accept it)."""
    stack = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if depth > MAX_DEPTH:
            return "nesting"
        if isinstance(item, float) and not math.isfinite(item):
            return "non-finite"
        if isinstance(item, str) and _lone_surrogate(item):
            return "surrogate"
        if isinstance(item, dict):
            for key, inner in item.items():
                if _lone_surrogate(key):
                    return "surrogate"
                stack.append((inner, depth + 1))
        elif isinstance(item, list):
            stack.extend((inner, depth + 1) for inner in item)
    return None


def encode(value: Any, ascii_only: bool) -> bytes:
    """JSON bytes: `\\uXXXX` escapes (lone surrogates as `\\ud800`), or raw UTF-8 (a lone
    surrogate then becomes bytes that are not UTF-8)."""
    text = json.dumps(value, ensure_ascii=ascii_only, separators=(",", ":"))
    return text.encode("utf-8", "surrogatepass")


def must_refuse(raw: bytes) -> bool:
    """Whether a body is not a standard-JSON object as the sandbox defines it."""
    try:
        text = raw.decode("utf-8")
        value = json.loads(text, parse_constant=lambda c: math.nan)
    except (UnicodeDecodeError, ValueError, RecursionError):
        return True
    return not isinstance(value, dict) or flaw(value) is not None


# Bodies that are not JSON objects at all.
RAW_SAMPLES = [
    b"",
    b"   ",
    b"null",
    b"[]",
    b'"text"',
    b"123",
    b"{",
    b'{"a":1}}',
    b'{"a":1,}',
    b"{'a': 1}",
    b'\xef\xbb\xbf{"a":1}',  # a UTF-8 byte order mark
    '{"a":1}'.encode("utf-16"),
    b'{"a":"\xff"}',
    b'{"a":"\xed\xa0\x80"}',  # a surrogate written as UTF-8 bytes (CESU-8)
    b'{"a":NaN}',
    b'{"a":-Infinity}',
    b'{"a":1e400}',
    b'{"a":' + b"9" * 4301 + b"}",
    b'{"a":"\\ud800"}',
    b'{"\\udfff":1}',
    b'{"a":"\\u0000"}',
    b"[" * 100_000 + b"]" * 100_000,
    b'{"a":' * 5000 + b"1" + b"}" * 5000,
    b"channel=sms&to=447700900000",
    b"\x00\x01\x02",
]
raw_bodies = st.one_of(
    st.sampled_from(RAW_SAMPLES),
    st.binary(max_size=64),
    st.builds(
        lambda b, tail: b + tail,
        st.sampled_from([b'{"channel":"sms"', b"{"]),
        st.binary(max_size=16),
    ),
)

# -- query strings and path parameters ------------------------------------------------------

QUERY_KEYS = [
    "limit",
    "offset",
    "channel",
    "to",
    "from",
    "status",
    "direction",
    "application_id",
    "client_ref",
    "peer",
    "q",
    "message_uuid",
    "dispatch_uuid",
    "kind",
    "state",
    "event",
    "count",
    "timeout",
]
# Page sizes, offsets, counts and timeouts: what the number parsers read.
NUMBER_KEYS = ["limit", "offset", "count", "timeout"]
NUMBER_VALUES = [
    "0",
    "1",
    "-1",
    "00010",
    "1.5",
    "1e3",
    "1e999",
    "-0",
    "nan",
    "inf",
    "-inf",
    "1_000",
    "0x10",
    " 5",
    "9" * 5000,
    "0" * 4999 + "1",
    "9" * 30,
    "²",
    "\uff11\uff12",
    "٣",
]
QUERY_VALUES = [
    "",
    " ",
    "sms",
    "rcs",
    "whatsapp",
    "inbound",
    "outbound",
    "delivered",
    "status",
    "message",
    N1,
    "\x00",
    "%",
    "\ud800",
]


def _pct(text: str) -> str:
    # Lone surrogates become %ED%A0%80: percent-escapes of bytes that are not UTF-8.
    return quote(text, safe="", encoding="utf-8", errors="surrogatepass")


query_strings = st.lists(
    st.one_of(
        st.tuples(st.sampled_from(NUMBER_KEYS), st.sampled_from(NUMBER_VALUES)),
        st.tuples(
            st.one_of(st.sampled_from(QUERY_KEYS), odd_text),
            st.one_of(st.sampled_from(QUERY_VALUES + NUMBER_VALUES), odd_text),
        ),
    ),
    max_size=6,
).map(lambda pairs: "&".join(f"{_pct(k)}={_pct(v)}" for k, v in pairs))

path_params = st.one_of(
    st.uuids().map(str),
    st.sampled_from(["x", "%2F", "..", "%2e%2e", "%00", "%20", "%3F", "%23", "a%2Fb", "9" * 300]),
    st.text(ANY_CHAR, min_size=1, max_size=12).map(_pct),
)
