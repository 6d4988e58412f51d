"""Wire the app to the sandbox: its Vonage client points at the fixture's server, and the
sandbox delivers status and inbound webhooks straight into the app object (no port)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from order_alerts import Config, create_app
from starlette.testclient import TestClient

WHATSAPP_NUMBER = "447700900500"
SMS_SENDER = "447700900501"
CUSTOMER = "447700900123"


@pytest.fixture
def shop(nexmo_sandbox) -> Iterator[TestClient]:  # type: ignore[no-untyped-def]
    app = create_app(
        nexmo_sandbox.vonage_client(),  # the official SDK, aimed at the sandbox
        Config(WHATSAPP_NUMBER, SMS_SENDER, nexmo_sandbox.signature_secret),
    )
    nexmo_sandbox.mount(app, status_url="/webhooks/status", inbound_url="/webhooks/inbound")
    with TestClient(app) as client:
        yield client
