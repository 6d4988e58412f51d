"""One receiver that accepts and never answers delays only its own webhooks (lanes are per
receiver), and its webhooks all arrive once it answers again."""

from __future__ import annotations

import pytest

from tests.harness import live_sandbox
from tests.helpers import sms
from tests.receiver import receiver

pytestmark = pytest.mark.e2e


def test_a_hung_receiver_holds_only_its_own_webhooks() -> None:
    """More hung deliveries than lanes at one receiver; another receiver's webhooks still
    arrive at once."""
    with (
        receiver() as hung,
        receiver() as healthy,
        live_sandbox(status_url=healthy.url + "/status") as sb,
    ):
        hung.held = ("/hung",)
        try:
            for i in range(10):  # more than the 6 lanes of one receiver
                body = {**sms(), "client_ref": f"hung-{i}", "webhook_url": hung.url + "/hung"}
                assert sb.send(body).status_code == 202
            hung.wait_for("/hung", 6)  # every lane to the hung receiver is now taken
            assert sb.send({**sms(), "client_ref": "healthy"}).status_code == 202
            arrived = healthy.wait_for("/status", 1)
            assert [b["client_ref"] for b in arrived] == ["healthy"]
            assert len(hung.bodies("/hung")) == 6  # the rest still wait for a free lane
        finally:
            hung.release.set()
        assert len(hung.wait_for("/hung", 10)) == 10  # answered again: every webhook arrives
