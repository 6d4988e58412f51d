"""One attempt at a webhook, and what follows it: signed, POSTed, recorded, and retried on the
virtual clock when the receiver failed in a way worth retrying.

429, 5xx, timeouts and connection errors are retried at 5, 10, 20 ... 640 s, then every 900 s,
and given up 24 h after the event; other 4xx and 3xx are not retried. (Vonage's webhook guide:
https://developer.vonage.com/en/getting-started/concepts/webhooks.)
"""

from __future__ import annotations

from collections.abc import Callable

import httpx

from sandbox.core.clock import VirtualClock, real_monotonic
from sandbox.core.ledger import RESPONSE_BODY_MAX, Attempt, Delivery
from sandbox.core.scheduler import Scheduler
from sandbox.webhooks.engine import failure
from sandbox.webhooks.lanes import HttpLanes
from sandbox.webhooks.routing import Routing
from sandbox.webhooks.signing import sign

RETRY_FIRST = 5.0
RETRY_CAP = 15 * 60.0
GIVE_UP_AFTER = 24 * 3600.0


def retry_delay(failed_attempts: int) -> float:
    """Delay after the n-th failed attempt: 5, 10, 20 ... 640, then 900 s for good."""
    return min(RETRY_FIRST * 2.0 ** (failed_attempts - 1), RETRY_CAP)


def is_retryable(status_code: int | None) -> bool:
    return status_code is None or status_code == 429 or status_code >= 500


class Attempts:
    def __init__(
        self,
        *,
        clock: VirtualClock,
        scheduler: Scheduler,
        routing: Routing,
        http: Callable[[], HttpLanes],
        requeue: Callable[[Delivery], None],
        changed: Callable[[Delivery], None],
        kept: Callable[[Delivery], bool] = lambda d: True,
        limit: Callable[[], float | None] = lambda: None,
    ) -> None:
        self.clock = clock
        self.scheduler = scheduler
        self.routing = routing
        self.http = http
        self.requeue = requeue  # a retry timer fired: attempt it again
        self.changed = changed
        self.kept = kept  # still in the ledger (a reset drops records, not running attempts)
        self.limit = limit  # real seconds one attempt may take in all, answer included
        # A chaos rule that has the receiver down: the attempt's error, or None (faults.py).
        self.down: Callable[[Delivery], str | None] = lambda d: None
        # The hosted Messages sandbox retries any answer but a 2xx; production only 429 and 5xx.
        self.retry_any: Callable[[], bool] = lambda: False

    async def attempt(self, delivery: Delivery) -> Attempt:
        assert delivery.url is not None
        secret, api_key = self.routing.secret_and_key(
            delivery.application_id, delivery.api_key or None
        )
        token = sign(
            delivery.body,
            secret,
            now=self.clock.wall(),  # verifiers check `iat` against their own, real clock
            api_key=api_key,
            application_id=delivery.application_id,
        )
        headers = {"Content-Type": "application/json", "Authorization": f"Bearer {token}"}
        delivery.headers = headers
        attempt = Attempt(n=len(delivery.attempts) + 1, at=self.clock.now(), url=delivery.url)
        started = real_monotonic()
        limit = self.limit()
        down = self.down(delivery)
        try:
            if down is not None:
                attempt.error = down
            else:
                response = await self.http().post(delivery.url, delivery.body, headers, limit)
                attempt.status_code = response.status_code
                attempt.response_body = response.text[:RESPONSE_BODY_MAX]
        except httpx.HTTPError as exc:
            attempt.error = failure(exc)  # engine.py: in the same words whatever the engine
        except TimeoutError:
            attempt.error = f"timeout: no whole answer within {limit:g} s"
        attempt.duration_ms = (real_monotonic() - started) * 1000
        delivery.attempts = (*delivery.attempts, attempt)
        self._outcome(delivery, attempt)
        return attempt

    def _outcome(self, delivery: Delivery, attempt: Attempt) -> None:
        code = attempt.status_code
        delivery.next_attempt_at = None
        if code is not None and 200 <= code < 300:
            delivery.state = "delivered"
        elif not is_retryable(code) and not self.retry_any():
            delivery.state = "failed"  # 3xx and 4xx other than 429: Vonage does not retry
        elif not self.kept(delivery):
            delivery.state = "failed"  # reset while in flight: nothing left to retry it for
        else:
            due = self.clock.now() + retry_delay(len(delivery.attempts))
            if due > delivery.created_at + GIVE_UP_AFTER:
                delivery.state = "failed"
            else:
                delivery.state = "retrying"
                self.arm_retry(delivery, due)
        self.changed(delivery)

    def arm_retry(self, delivery: Delivery, due: float) -> None:
        """Set the retry timer (after a failed attempt, or again after a restart)."""
        delivery.next_attempt_at = due
        delivery.timer = self.scheduler.at(
            due,
            "webhook-retry",
            f"retry {delivery.kind} webhook {delivery.id} ({delivery.event}) to {delivery.url}",
            lambda: self.requeue(delivery),
            owner=delivery.application_id,
            ref=delivery.id,
        )
