"""Building blocks of the webhook-body schemas (JSON Schema draft 2020-12, as plain dicts).

The schemas are our own compact restatement of the structure Vonage publishes: types,
required fields, enums, formats and lengths. Objects stay open (`additionalProperties` is
left out) because Vonage adds fields to webhooks without notice; a schema here says what a
body must have, never what it must not.
"""

from __future__ import annotations

from typing import Any

Schema = dict[str, Any]

DRAFT = "https://json-schema.org/draft/2020-12/schema"

STRING: Schema = {"type": "string"}
NUMBER: Schema = {"type": "number"}
UUID: Schema = {"type": "string", "format": "uuid"}
# Vonage's `format: url` is not a JSON Schema format; `uri` (absolute URI) is what it means.
URL: Schema = {"type": "string", "format": "uri"}
# A count or an index carried as a string (`sms.count_total`, `workflow.items_number`).
COUNT: Schema = {"type": "string", "pattern": "^[1-9][0-9]*$"}
# The 2018 APIs document their timestamps as "ISO 8601"; UTC, with or without fractions.
ISO8601: Schema = {
    "type": "string",
    "pattern": r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:?\d{2})$",
}
# A phone number as the v1 webhooks name one (`ToNumber`: 7 to 15 digits' worth).
NUMBER_ADDRESS: Schema = {"type": "string", "minLength": 7, "maxLength": 15}
# A page-scoped or service id (`ToId` / `FromId`).
ID_ADDRESS: Schema = {"type": "string", "minLength": 1, "maxLength": 50}
PRICE: Schema = {"type": "string"}
USAGE: Schema = {
    "type": "object",
    "properties": {"currency": {"type": "string", "enum": ["EUR"]}, "price": PRICE},
}


def obj(properties: dict[str, Schema] | None = None, required: tuple[str, ...] = ()) -> Schema:
    """An open object with these properties; ``required`` lists the ones it must have."""
    out: Schema = {"type": "object"}
    if properties:
        out["properties"] = properties
    if required:
        out["required"] = list(required)
    return out


def enum(*values: str) -> Schema:
    return {"type": "string", "enum": list(values)}


def const(value: str) -> Schema:
    return {"type": "string", "const": value}


def media(url: Schema = URL, **more: Schema) -> Schema:
    """A media object: `url` required, anything else optional."""
    return obj({"url": url, **more}, ("url",))


def document(title: str, schema: Schema) -> Schema:
    """A top-level schema: the draft it is written in and a title a failure can name."""
    return {"$schema": DRAFT, "title": title, **schema}


def all_of(*parts: Schema) -> Schema:
    return {"allOf": list(parts)}
