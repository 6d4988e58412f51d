"""The async client has every call the sync one has: same names, same parameters, and one
table of calls run through both against a real sandbox gives the same answers."""

from __future__ import annotations

import asyncio
import inspect
from collections.abc import Callable
from typing import Any

import pytest

from sandbox.client import AsyncSandboxClient, SandboxClient
from tests.harness import Live, live_sandbox
from tests.helpers import bearer, sms

pytestmark = pytest.mark.e2e

SYNC_ONLY = {"call"}  # the plumbing each has in its own flavour


def public(cls: type) -> dict[str, Any]:
    return {n: getattr(cls, n) for n in dir(cls) if not n.startswith("_") and n not in SYNC_ONLY}


def test_every_sync_call_has_an_async_twin_with_the_same_parameters() -> None:
    sync, asynchronous = public(SandboxClient), public(AsyncSandboxClient)
    missing = sorted(set(sync) - set(asynchronous))
    assert missing == [], f"AsyncSandboxClient lacks {missing}"
    for name, fn in sync.items():
        twin = asynchronous[name]
        assert inspect.iscoroutinefunction(twin), f"{name} is not async"
        assert inspect.signature(twin).parameters.keys() == inspect.signature(fn).parameters.keys()


# (call, arguments from the set-up, how to compare what it answers)
Case = tuple[str, Callable[[dict[str, str]], tuple[tuple[Any, ...], dict[str, Any]]]]
CASES: list[Case] = [
    ("health", lambda s: ((), {})),
    ("messages", lambda s: ((), {"channel": "sms"})),
    ("count", lambda s: ((), {"channel": "sms"})),
    ("message", lambda s: ((s["uuid"],), {})),
    ("clock", lambda s: ((), {})),
    ("config", lambda s: ((), {})),
    ("configure", lambda s: ((), {"auto_read": None})),
    ("applications", lambda s: ((), {})),
    ("application", lambda s: (("parity-app",), {})),
    ("put_application", lambda s: (("parity-app",), {"name": "Parity"})),
    ("accounts", lambda s: ((), {})),
    ("put_account", lambda s: (("parity-key",), {"signature_secret": "x" * 32})),
    ("webhooks", lambda s: ((), {"message_uuid": s["uuid"]})),
    ("webhook", lambda s: ((s["delivery"],), {})),
    ("workflows", lambda s: ((), {})),
    ("workflow", lambda s: ((s["workflow"],), {})),
    ("dispatches", lambda s: ((), {})),
    ("errors", lambda s: ((), {})),
    ("settle", lambda s: ((), {})),
    ("wait_for_messages", lambda s: ((), {"count": 1, "timeout": 0.1, "channel": "sms"})),
    ("set_clock_mode", lambda s: (("manual",), {})),
    ("advance", lambda s: ((0,), {})),
]


def setup(sb: Live) -> dict[str, str]:
    uuid = sb.sent(sms(text="parity"))["message_uuid"]
    r = sb.send(
        {**sms(channel="whatsapp", text="wa"), "failover": [sms(text="fallback")]},
        auth=bearer("parity-app"),
    )
    assert r.status_code == 202, r.text
    workflow = sb.message(r.json()["message_uuid"])["workflow"]["id"]
    sb.control("POST", "/settle")
    delivery = sb.webhooks(message_uuid=uuid)[0]["id"]
    return {"uuid": uuid, "workflow": workflow, "delivery": delivery}


def comparable(value: Any) -> Any:
    """What both must agree on: the data, not the moment (`now`, timings, timestamps)."""
    if isinstance(value, list):
        return [comparable(v) for v in value]
    if isinstance(value, tuple):
        return tuple(comparable(v) for v in value)
    if isinstance(value, dict):
        return {k: comparable(v) for k, v in value.items() if k not in ("now", "now_ts")}
    return value


@pytest.mark.parametrize(("name", "args"), CASES, ids=[c[0] for c in CASES])
def test_both_clients_answer_the_same(name: str, args: Any) -> None:
    with live_sandbox() as sb:
        state = setup(sb)
        positional, keywords = args(state)
        with SandboxClient(sb.url) as sync:
            got_sync = getattr(sync, name)(*positional, **keywords)

        async def run() -> Any:
            async with AsyncSandboxClient(sb.url) as client:
                return await getattr(client, name)(*positional, **keywords)

        got_async = asyncio.run(run())
        assert type(got_async) is type(got_sync)
        assert comparable(got_async) == comparable(got_sync)


def test_a_message_is_named_by_message_uuid_as_everywhere_in_vonage() -> None:
    with live_sandbox() as sb, SandboxClient(sb.url) as client:
        uuid = sb.sent(sms())["message_uuid"]
        got = client.message(uuid)
        assert got.message_uuid == uuid
        assert got.uuid == uuid  # the earlier name still works
        (newest,) = client.messages(limit=1)
        assert newest == got
