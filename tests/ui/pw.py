"""What the browser tests share: Playwright's ``expect`` (imported when first used, so that a
machine without Playwright collects these files and skips them) and a conversation's URL."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from tests.harness import Live


def expect(target: Any) -> Any:
    from playwright.sync_api import expect as pw_expect

    return pw_expect(target)


def conversation_url(sb: Live, channel: str, peer: str) -> str:
    return f"{sb.url}/conversation?channel={channel}&peer={quote(peer)}"
