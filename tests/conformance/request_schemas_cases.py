"""Bodies drawn from the request document, positive and negative, with a label for each.

A positive body is built by walking a variant's schema (required fields always, optional ones
by chance, lengths and ranges at and between their bounds). A negative body is a positive one
with one thing broken on purpose (a required field gone, a `null`, a URL that is not one, a
length past its bound ...), labelled with what was broken. Whether a body is valid is decided
by the document (`validator`), never by how it was made: a mutation that lands on another
valid shape is counted as positive.
"""

from __future__ import annotations

import copy
import random
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import jsonschema_rs

from tests.conformance import request_schemas_parts as parts
from tests.conformance import request_schemas_rich as rich
from tests.conformance.request_schemas import SCHEMAS, VARIANTS, body_ref, standalone
from tests.conformance.request_schemas_parts import SUBJECT, Schema

Path = tuple[str | int, ...]

# A few valid values per pattern of the document, and one that breaks it.
SAMPLES: dict[str, tuple[list[str], str]] = {
    parts.E164: (["447700900000", "14155550100", "4915112345678", "3312345"], "+447700900000"),
    parts.ALPHA_SENDER: (["Vonage", "Acme 2", "A"], "TooLongSender1"),
    parts.RCS_AGENT: (["Vonage", "my-agent_1&co"], "has space"),
    parts.BSUID: (["US.13491208655302741918", "US.ENT.abc123"], "us.123"),
    parts.EMAIL_ADDRESS: (["alice@example.com", "b.ob@mail.example.org"], "not-an-email"),
    parts.EMAIL_SENDER: (["Alice <alice@example.com>", "alice@example.com"], "Alice <nope>"),
    parts.BCP47: (["en_GB", "en-US", "pt_BR", "en"], "english please"),
    "^[0-9]{5,6}$": (["12345", "654321"], "12"),
    "^([1-9][0-9]?|[1-5][0-9]{2}|600)$": (["1", "59", "600"], "601"),
    "^([1-9][0-9]?|1[0-9]{2}|200)$": (["1", "10", "200"], "0"),
    rich.LATITUDE["anyOf"][1]["pattern"]: (["51.5", "-0.13", "90", "-089.9"], "91"),
    rich.LONGITUDE["anyOf"][1]["pattern"]: (["-0.13", "179.9", "-097.31"], "181"),
    SUBJECT: (["Your order", "Re: parcel 42"], "two\nlines"),
}
NOT_URLS = {"not a URL": "not a url", "relative, not a URL": "example.com/a.jpg"}


def http_url(length: int) -> str:
    base = "https://example.com/m/"
    if length <= len(base):
        return "https://" + "e" * max(1, length - 12) + ".com"[: max(0, length - 8)]
    return base + "a" * (length - len(base))


def resolve(schema: Schema) -> Schema:
    while "$ref" in schema:
        schema = SCHEMAS[schema["$ref"].rsplit("/", 1)[1]]
    return schema


def merge(a: Schema, b: Schema) -> Schema:
    """``a`` with ``b``'s properties and requirements folded in (a variant's `anyOf` layout)."""
    out = copy.deepcopy(a)
    for key, sub in b.get("properties", {}).items():
        have = out.setdefault("properties", {}).get(key)
        out["properties"][key] = merge(resolve(have), sub) if have else sub
    out["required"] = sorted({*out.get("required", []), *b.get("required", [])})
    if "not" in b:
        out["not"] = b["not"]
    return out


@dataclass
class Site:
    """One place in a generated body that a mutation can break."""

    path: Path
    schema: Schema
    required: bool


class Generator:
    def __init__(self, rng: random.Random, optional: float = 0.35) -> None:
        self.rng = rng
        self.optional = optional
        self.sites: list[Site] = []

    def value(self, schema: Schema, path: Path = (), required: bool = True) -> Any:
        schema = resolve(schema)
        for key in ("oneOf", "anyOf"):
            if key in schema and schema.get("type") != "object" and "prefixItems" not in schema:
                if schema.get("type") == "array":
                    branch = {**schema, **self.rng.choice(schema[key])}
                    branch.pop(key)
                    return self.value(branch, path, required)
                return self.value(self.rng.choice(schema[key]), path, required)
        if schema.get("type") == "object" and "anyOf" in schema:
            schema = merge(
                {k: v for k, v in schema.items() if k != "anyOf"}, self.rng.choice(schema["anyOf"])
            )
        self.sites.append(Site(path, schema, required))
        kind = schema.get("type")
        if "enum" in schema:
            return self.rng.choice(schema["enum"])
        if kind == "object":
            return self.object(schema, path)
        if kind == "array":
            return self.array(schema, path)
        if kind == "string":
            return self.string(schema)
        if kind == "integer":
            lo, hi = schema.get("minimum", 1), schema.get("maximum", 10**6)
            return self.rng.choice([lo, hi, self.rng.randint(lo, hi)])
        if kind == "number":
            return round(self.rng.uniform(-90, 90), 4)
        if kind == "boolean":
            return self.rng.random() < 0.5
        return {}

    def object(self, schema: Schema, path: Path) -> dict[str, Any]:
        props = schema.get("properties", {})
        if not props:  # `custom`: a provider's own payload, passed through
            return {"type": "location", "location": {"lat": 51.5, "long": -0.13}}
        required = set(schema.get("required", []))
        out: dict[str, Any] = {}
        for key, sub in props.items():
            chance = 0.15 if key == "failover" else self.optional
            if key in required or self.rng.random() < chance:
                out[key] = self.value(sub, (*path, key), key in required)
        return out

    def array(self, schema: Schema, path: Path) -> list[Any]:
        if "prefixItems" in schema:
            return [self.value(s, (*path, i)) for i, s in enumerate(schema["prefixItems"])]
        lo = schema.get("minItems", 0)
        hi = min(schema.get("maxItems", lo + 2), lo + 2)
        return [self.value(schema["items"], (*path, i)) for i in range(self.rng.randint(lo, hi))]

    def string(self, schema: Schema) -> str:
        lo, hi = schema.get("minLength", 0), schema.get("maxLength")
        if schema.get("format") == "uri":
            top = hi or 2000
            return http_url(
                self.rng.choice([max(lo, 24), max(lo, 24), top, self.rng.randint(max(lo, 24), top)])
            )
        if "pattern" in schema:
            return self.rng.choice(SAMPLES[schema["pattern"]][0])
        if schema.get("format") == "uuid":
            return "aaaaaaaa-bbbb-4ccc-8ddd-0123456789ab"
        top = hi if hi is not None else max(lo, 1) + 30
        n = self.rng.choice([max(lo, 1), top, self.rng.randint(max(lo, 1), top)])
        return ("Hello from the sandbox. " * (n // 24 + 1))[:n]


def _set(body: Any, path: Path, value: Any) -> Any:
    if not path:
        return value
    out = copy.deepcopy(body)
    node = out
    for key in path[:-1]:
        node = node[key]
    node[path[-1]] = value
    return out


def _delete(body: Any, path: Path) -> Any:
    out = copy.deepcopy(body)
    node = out
    for key in path[:-1]:
        node = node[key]
    del node[path[-1]]
    return out


def _get(body: Any, path: Path) -> Any:
    for key in path:
        body = body[key]
    return body


Mutation = tuple[str, Callable[[Any], Any]]


def mutations(site: Site, gen: Generator) -> list[Mutation]:
    """What can break at ``site``, each as (label, body -> broken body)."""
    s, p = site.schema, site.path
    out: list[Mutation] = []
    if p:
        out.append(("null", lambda b: _set(b, p, None)))
        if site.required:
            out.append(("missing (required)", lambda b: _delete(b, p)))
    kind = s.get("type")
    wrong = {"string": 12345, "integer": "12", "boolean": "true", "object": "x", "array": {"0": 1}}
    if kind in wrong:
        out.append(
            (
                f"not {'an' if kind in ('integer', 'object', 'array') else 'a'} {kind}",
                lambda b: _set(b, p, wrong[kind]),
            )
        )
    if "enum" in s:
        out.append(("not one of the enum", lambda b: _set(b, p, "bogus-value")))
    if kind == "integer":
        if "minimum" in s:
            out.append((f"below minimum {s['minimum']}", lambda b: _set(b, p, s["minimum"] - 1)))
        if "maximum" in s:
            out.append((f"above maximum {s['maximum']}", lambda b: _set(b, p, s["maximum"] + 1)))
    if kind == "string" and "enum" not in s:
        is_url = s.get("format") == "uri"
        lo, hi = s.get("minLength", 0), s.get("maxLength")
        if lo == 1:
            out.append(("empty string", lambda b: _set(b, p, "")))
        elif lo > 1:
            short = http_url(lo - 1) if is_url else "x" * (lo - 1)
            out.append((f"shorter than {lo}", lambda b: _set(b, p, short)))
        if hi is not None:
            long = http_url(hi + 1) if is_url else "x" * (hi + 1)
            out.append((f"longer than {hi}", lambda b: _set(b, p, long)))
        if is_url:
            for label, bad in NOT_URLS.items():
                out.append((label, lambda b, bad=bad: _set(b, p, bad)))
            out.append(("not http(s)", lambda b: _set(b, p, "ftp://example.com/a.jpg")))
        elif "pattern" in s:
            out.append(
                ("does not match its pattern", lambda b: _set(b, p, SAMPLES[s["pattern"]][1]))
            )
    if kind == "array":
        lo, hi = s.get("minItems"), s.get("maxItems")
        if lo:
            out.append((f"fewer than {lo} items", lambda b: _set(b, p, _get(b, p)[: lo - 1])))
        if hi is not None and "items" in s:
            out.append(
                (
                    f"more than {hi} items",
                    lambda b: _set(
                        b,
                        p,
                        [
                            *_get(b, p),
                            *[gen.value(s["items"]) for _ in range(hi + 1 - len(_get(b, p)))],
                        ],
                    ),
                )
            )
    for key in (s.get("not") or {}).get("required", []):
        out.append(
            (f"has `{key}` (not allowed here)", lambda b, key=key: _set(b, (*p, key), _sample(key)))
        )
    return out


def _sample(key: str) -> Any:
    samples = {
        "failover": [
            {
                "channel": "sms",
                "message_type": "text",
                "to": "447700900000",
                "from": "Vonage",
                "text": "x",
            }
        ],
        "id": "a-sticker-id",
        "url": "https://example.com/s.webp",
    }
    return samples.get(key, {"expiry_time": 60, "condition_status": "delivered"})


def dotted(path: Path) -> str:
    out = ""
    for key in path:
        out += "[]" if isinstance(key, int) else (f".{key}" if out else str(key))
    return out or "(body)"


@dataclass
class Case:
    operation: str
    variant: str
    body: Any
    valid: bool
    label: str  # what was broken, for a negative case; "" for a positive one


def validator(operation: str) -> jsonschema_rs.Validator:
    return jsonschema_rs.validator_for(standalone(body_ref(operation)), validate_formats=True)


def cases(operation: str, count: int, rng: random.Random) -> list[Case]:
    """``count`` cases for ``operation``, about a third positive, round-robin over variants."""
    check = validator(operation)
    names = VARIANTS[operation]
    out: list[Case] = []
    for i in range(count * 4):
        if len(out) >= count:
            break
        name = names[i % len(names)]
        negative = i % 3 != 0
        gen = Generator(rng, optional=0.6 if negative else 0.35)
        body = gen.value(SCHEMAS[name])
        label = ""
        if negative:
            options = [(site, m) for site in gen.sites for m in mutations(site, gen)]
            if not options:
                continue
            site, (what, broken) = rng.choice(options)
            body = broken(body)
            label = f"`{dotted(site.path)}` {what}"
        valid = check.is_valid(body)
        if not negative and not valid:
            continue  # a draw that broke a cross-field rule (`not`); draw again
        out.append(Case(operation, name.split(".", 1)[-1], body, valid, "" if valid else label))
    return out
