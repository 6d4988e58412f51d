"""`serve` readies the webhook sender at start-up (its engine, PyJWT, one TLS context for
all lanes), not on the first webhooks.

They stay lazy for a test process (the fixture's start-up), so the check runs in a fresh
interpreter: importing the sandbox's server must not load them, and serve's preload must.
"""

from __future__ import annotations

import json
import ssl
import subprocess
import sys

from sandbox.server import WEBHOOK_IMPORTS
from sandbox.webhooks.engine import network_transport, tls_context

PROBE = """
import json, sys
import sandbox.server as server
before = [m for m in server.WEBHOOK_IMPORTS if m in sys.modules]
server.preload_webhook_sender()
made = server.tls_context.cache_info().currsize
after = [m for m in server.WEBHOOK_IMPORTS if m in sys.modules]
print(json.dumps({"before": before, "after": after, "tls": made}))
"""


def test_serve_preloads_what_the_first_webhook_would_import() -> None:
    out = subprocess.run(
        [sys.executable, "-c", PROBE], capture_output=True, text=True, timeout=60, check=True
    )
    seen = json.loads(out.stdout)
    assert seen["before"] == [], "importing the server must keep the fixture's start-up lean"
    assert seen["after"] == list(WEBHOOK_IMPORTS)
    assert {"httpx_aiohttp", "jwt"} <= set(WEBHOOK_IMPORTS)
    assert seen["tls"] == 1, "the lanes' shared TLS context is made at start-up"


def test_every_lane_shares_one_tls_context() -> None:
    one, two = network_transport(), network_transport()
    assert one.ssl_context is two.ssl_context is tls_context()  # type: ignore[attr-defined]
    assert tls_context().verify_mode == ssl.CERT_REQUIRED
