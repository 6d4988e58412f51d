"""Wire a tracker to the sandbox: status webhooks go straight into the app object (no port)."""

from __future__ import annotations

import pytest
from tracking import Tracker, create_app


@pytest.fixture(params=[False, True], ids=["fixed", "naive"])
def tracker(request, nexmo_sandbox) -> Tracker:  # type: ignore[no-untyped-def]
    tracker = Tracker(naive=request.param)
    nexmo_sandbox.mount(
        create_app(nexmo_sandbox.signature_secret, tracker), status_url="/webhooks/status"
    )
    return tracker
