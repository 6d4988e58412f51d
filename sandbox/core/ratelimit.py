"""Send rate limits: a token bucket per sender (application, else API key) on the virtual
clock, so a test sees the 429 of a second send in the same virtual second, and the next one
accepted once it has advanced the clock.

Vonage publishes no production rate for the Messages API; its hosted Messages sandbox allows
one message per second (https://developer.vonage.com/en/messages/concepts/messages-api-sandbox),
which is what `rate_limit = 1` reproduces. Off (None) by default.
"""

from __future__ import annotations

import math

from sandbox.core.clock import Clock
from sandbox.core.errors import RateLimited
from sandbox.core.models import Sender


class SendLimiter:
    def __init__(self, clock: Clock) -> None:
        self.clock = clock
        # sender -> (tokens left, virtual time they were counted at)
        self._buckets: dict[str, tuple[float, float]] = {}

    def reset(self, application_id: str | None = None) -> None:
        if application_id is None:
            self._buckets.clear()
        else:
            self._buckets.pop(f"app:{application_id}", None)

    def take(self, sender: Sender, rate: float | None) -> None:
        """Count one send against ``rate`` sends per virtual second (a burst of as many, at
        least one); raise `RateLimited`, with the seconds until a send would pass, when the
        sender has none left."""
        if rate is None or rate <= 0:
            return
        key = f"app:{sender.application_id}" if sender.application_id else f"key:{sender.api_key}"
        burst = max(1.0, rate)
        now = self.clock.now()
        tokens, at = self._buckets.get(key, (burst, now))
        tokens = min(burst, tokens + max(0.0, now - at) * rate)
        if tokens < 1.0:
            self._buckets[key] = (tokens, now)
            raise RateLimited(max(1, math.ceil((1.0 - tokens) / rate)))
        self._buckets[key] = (tokens - 1.0, now)
