"""Every snippet of the README's "Use with the official SDKs" section runs, as written but for
the ports (a test server listens on free ones), against a real server with its TLS listener."""

from __future__ import annotations

import re
import sys
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from sandbox.tls import TlsFiles
from tests.conftest import need
from tests.helpers import rsa_pair
from tests.sdk import toolchain
from tests.sdk.conftest import TlsLive, tls_sandbox

pytestmark = pytest.mark.e2e

SECTION = "## Use with the official SDKs"


def snippets() -> list[tuple[str, str]]:
    text = (toolchain.ROOT / "README.md").read_text()
    assert SECTION in text
    section = text.split(SECTION, 1)[1].split("\n## ", 1)[0]
    found = re.findall(r"```(python|js)\n(.*?)```", section, flags=re.S)
    assert len(found) == 5, found
    return found


def _id(item: tuple[str, str]) -> str:
    lang, code = item
    if lang == "js":
        return "nexmo-beta" if "require('nexmo')" in code else "vonage-server-sdk"
    if "failover=" in code:
        return "vonage4-rcs-failover"
    return "vonage3" if "vonage.Client(" in code else "vonage4"


@pytest.fixture
def open_live(tls_files: TlsFiles) -> Iterator[TlsLive]:
    # The README's credentials are placeholders: the default (open) auth takes any.
    with tls_sandbox(tls_files, strict_auth=False) as live:
        yield live


@pytest.mark.parametrize("snippet", snippets(), ids=_id)
def test_readme_snippet_sends_a_message(
    snippet: tuple[str, str], open_live: TlsLive, tmp_path: Path
) -> None:
    live = open_live
    lang, code = snippet
    port = urlsplit(live.url).port
    key = tmp_path / "private.key"
    key.write_text(rsa_pair("app")[0])
    code = (
        code.replace("127.0.0.1:8443", live.tls_host)
        .replace("http://127.0.0.1:8000", live.url)
        .replace("port: 8000", f"port: {port}")
        .replace("'./private.key'", repr(str(key)))
    )
    script = tmp_path / ("snippet.py" if lang == "python" else "snippet.js")
    script.write_text(code)
    kind = _id(snippet)
    env = live.env()
    try:
        if kind.startswith("vonage4"):
            cmd = [sys.executable, str(script)]
        elif kind == "vonage3":
            cmd = [str(toolchain.vonage3_python()), str(script)]
        else:
            env["NODE_PATH"] = str(toolchain.node_modules())
            cmd = [toolchain.node_binary(), str(script)]
    except toolchain.Unavailable as exc:
        need(False, str(exc))
        return
    uuid, *workflow = toolchain.run(cmd, env).split()  # each snippet prints the message_uuid
    record = live.control("GET", f"/messages/{uuid}")
    if kind != "vonage4-rcs-failover":
        assert (record["channel"], record["to"], record["text"]) == ("sms", "447700900000", "Hi")
        return
    assert (record["channel"], record["from"], record["text"]) == ("rcs", "Vonage", "Hi via RCS")
    assert workflow == [record["workflow"]["id"]]
    live.mark(uuid, "rejected")
    (sms,) = live.control("GET", "/messages?channel=sms")["messages"]
    assert (sms["text"], sms["workflow"]["items_number"]) == ("Hi via SMS", 2)
