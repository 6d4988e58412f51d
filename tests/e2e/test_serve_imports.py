"""`serve` readies the webhook sender at start-up (its engine, PyJWT, one TLS context for
all lanes), not on the first webhooks.

They stay lazy for a test process (the fixture's start-up), so the check runs in a fresh
interpreter: importing the server must not load them, and `serve` must, before it listens (the
probe's port is taken, so `serve` stops at its bind, after start-up's work).
"""

from __future__ import annotations

import json
import pathlib
import socket
import ssl
import subprocess
import sys

from sandbox.webhooks.engine import NETWORK_IMPORTS, network_transport, tls_context

PROBE = """
import io, json, sys
from sandbox.server import serve
from sandbox.settings import Settings
from sandbox.webhooks import engine
watched = engine.NETWORK_IMPORTS + ("aiohttp",)
before = [m for m in watched if m in sys.modules]
code = serve(Settings(clock="manual", port=int(sys.argv[1]), state_dir=sys.argv[2]), io.StringIO())
after = [m for m in watched if m in sys.modules]
made = engine.tls_context.cache_info().currsize
print(json.dumps({"code": code, "before": before, "after": after, "tls": made}))
"""


def test_serve_makes_ready_what_the_first_webhook_would(tmp_path: pathlib.Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        out = subprocess.run(
            [sys.executable, "-c", PROBE, str(port), str(tmp_path)],
            capture_output=True,
            text=True,
            timeout=60,
            check=True,
        )
    seen = json.loads(out.stdout)
    assert seen["code"] == 1, "the probe's port was taken: serve must stop at its bind"
    assert seen["before"] == [], "importing the server must keep the fixture's start-up lean"
    assert seen["after"] == [*NETWORK_IMPORTS, "aiohttp"]
    assert seen["tls"] == 1, "the lanes' shared TLS context is made at start-up"


def test_every_lane_shares_one_tls_context() -> None:
    one, two = network_transport(), network_transport()
    assert one.ssl_context is two.ssl_context is tls_context()  # type: ignore[attr-defined]
    assert tls_context().verify_mode == ssl.CERT_REQUIRED
