"""`/handsets`: the handset profiles set in this sandbox (with their conversations) and the
built-in magic numbers, each with what it does and a way to open its conversation."""

from __future__ import annotations

from dataclasses import dataclass

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from sandbox.asgi.io import runtime
from sandbox.asgi.runtime import Runtime
from sandbox.core.conversations import newest_first, summarise
from sandbox.core.handsets import Handset
from ui.pages import base
from ui.person import SOURCES, Line, lines, rule_words
from ui.templating import render


@dataclass(frozen=True, slots=True)
class Chat:
    channel: str
    label: str
    peer: str
    count: int


@dataclass(frozen=True, slots=True)
class Entry:
    handset: Handset
    source: str  # in words
    lines: list[Line]
    rules: list[str]
    chats: list[Chat]
    replaced: bool  # a magic number a profile of its own replaces


def _chats(rt: Runtime) -> dict[str, list[Chat]]:
    """Each handset address's conversations, newest activity first."""
    out: dict[str, list[Chat]] = {}
    for row in summarise(newest_first(rt.store)):
        channel = rt.channels.get(row.channel)
        if channel is None:
            continue
        chat = Chat(row.channel, channel.label, row.peer, row.count)
        out.setdefault(channel.address(row.peer), []).append(chat)
    return out


def _entry(rt: Runtime, handset: Handset, chats: dict[str, list[Chat]]) -> Entry:
    return Entry(
        handset=handset,
        source=SOURCES.get(handset.source, handset.source),
        lines=lines(rt, handset),
        rules=[rule_words(r) for r in handset.persona],
        chats=chats.get(handset.address, []),
        replaced=handset.source == "magic" and handset.address in rt.handsets.profiles,
    )


async def handsets_page(request: Request) -> Response:
    rt = runtime(request)
    chats = _chats(rt)
    return render(
        "handsets.html",
        base(
            request,
            "handsets",
            profiles=[_entry(rt, h, chats) for h in rt.handsets.all()],
            magic=[_entry(rt, h, chats) for h in rt.handsets.magic.values()],
        ),
    )


routes = [Route("/handsets", handsets_page, methods=["GET"])]
