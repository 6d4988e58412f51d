"""Webhooks: from engine events to signed POSTs, retried on the virtual clock, all recorded.

    bus event ──> Delivery (ledger) ──> POST via the injected httpx client ──> Attempt
                                            │  429 / 5xx / timeout / connection error
                                            └──> retry timer on the virtual clock
                                                 (5 s doubling to 15 min, then every 15 min,
                                                 given up 24 h after the event; ref §6)

First attempts of one message's (or one dispatch's) webhooks go out one after another in the
order their events happened; retries are independent, as Vonage retries each event on its own.
:meth:`Webhooks.settle` is what the timeline and the control API await, so a call that caused a
webhook answers only after that webhook was attempted once.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Callable
from functools import partial
from typing import Any

import httpx

from fake_channels import Channel, Registry
from sandbox.core.clock import VirtualClock
from sandbox.core.events import Event, EventBus
from sandbox.core.ledger import RESPONSE_BODY_MAX, Attempt, Delivery, DeliveryKind, Ledger
from sandbox.core.models import Application, Message, StatusChange
from sandbox.core.scheduler import Scheduler
from sandbox.core.store import Store
from sandbox.webhooks.lanes import DEFAULT_LANES as LANES
from sandbox.webhooks.lanes import HttpLanes
from sandbox.webhooks.signing import generate_secret, sign
from sandbox.wire import webhooks as render

log = logging.getLogger("nexmo_sandbox.webhooks")

# Sends wait (up to BACKPRESSURE_WAIT real seconds) while more attempts than this are in flight.
BACKLOG_HIGH = 1000
BACKPRESSURE_WAIT = 1.0
RETRY_FIRST = 5.0
RETRY_CAP = 15 * 60.0
GIVE_UP_AFTER = 24 * 3600.0
USER_AGENT = "nexmo-sandbox webhooks"
DEFAULT_API_KEY = "sandbox"  # the `api_key` claim when nothing better is known


def retry_delay(failed_attempts: int) -> float:
    """Delay after the n-th failed attempt: 5, 10, 20 ... 640, then 900 s for good."""
    return min(RETRY_FIRST * 2.0 ** (failed_attempts - 1), RETRY_CAP)


def is_retryable(status_code: int | None) -> bool:
    return status_code is None or status_code == 429 or status_code >= 500


# Payloads are rendered when first needed (see Delivery.render); a partial of one of these
# costs less memory per stored delivery than a closure over the same values.
def _status_payload(
    message: Message,
    change: StatusChange,
    channel: Channel,
    version: str,
    dispatch_uuid: str | None,
) -> dict[str, Any]:
    if version == "v0.1":
        out = render.status_v01(message, change, channel)
    else:
        out = render.status_v1(message, change, channel)
    if dispatch_uuid is not None:
        link = {"dispatch_uuid": dispatch_uuid, "href": f"/workflows/{dispatch_uuid}"}
        out["_links"] = {"workflow": link}
    return out


def _inbound_payload(
    message: Message, channel: Channel, version: str, self_base: str
) -> dict[str, Any]:
    if version == "v0.1":
        return render.inbound_v01(message, channel)
    return render.inbound_v1(message, channel, self_base)


class Webhooks:
    def __init__(
        self,
        *,
        bus: EventBus,
        clock: VirtualClock,
        scheduler: Scheduler,
        store: Store,
        channels: Registry,
        defaults: Callable[[], Any],
        signature_secret: str | None = None,
        connect_timeout: float = 3.0,
        timeout: float = 15.0,
        transport: httpx.AsyncBaseTransport | None = None,
        self_base: Callable[[], str] = lambda: "http://127.0.0.1:8000",
    ) -> None:
        self.bus = bus
        self.clock = clock
        self.scheduler = scheduler
        self.store = store
        self.channels = channels
        self.defaults = defaults
        self.signature_secret = signature_secret or generate_secret()
        self.timeouts = httpx.Timeout(timeout, connect=connect_timeout, pool=None)
        self.transport = transport
        self.self_base = self_base
        self.ledger = Ledger()
        self._lanes: HttpLanes | None = None
        self._queued: list[Delivery] = []
        # Every started attempt gets a ticket; a caller settles only what it caused (tickets
        # after its checkpoint), so a webhook receiver that calls back into the control API
        # while its own webhook is in flight does not wait for itself.
        self._tasks: dict[asyncio.Task[None], int] = {}
        self._ticket = 0
        self._room: asyncio.Event | None = None  # set when the backlog falls below half
        self._tails: dict[str, asyncio.Future[None]] = {}
        bus.subscribe(
            self._on_event, ("message.status", "message.inbound", "dispatch.report", "reset")
        )

    # -- configuration -----------------------------------------------------------------------
    def set_transport(self, transport: httpx.AsyncBaseTransport | None) -> None:
        """Send future webhooks through ``transport`` (e.g. httpx.ASGITransport(app))."""
        self.transport = transport
        old, self._lanes = self._lanes, None
        if old is not None:
            with contextlib.suppress(RuntimeError):
                asyncio.get_running_loop().create_task(old.aclose())

    def _client(self) -> httpx.AsyncClient:
        # An injected transport (an app object, a mock) carries every webhook in one client;
        # the network gets lanes of one keep-alive connection each (see lanes.py).
        return httpx.AsyncClient(
            transport=self.transport,
            timeout=self.timeouts,
            follow_redirects=False,
            trust_env=False,  # a proxy from the environment must not swallow loopback
            limits=httpx.Limits(max_connections=1 if self.transport is None else None),
            headers={"User-Agent": USER_AGENT},
        )

    def _http(self) -> HttpLanes:
        if self._lanes is None:
            self._lanes = HttpLanes(self._client, 0 if self.transport is not None else LANES)
        return self._lanes

    async def aclose(self) -> None:
        for task in list(self._tasks):
            task.cancel()
        if self._lanes is not None:
            await self._lanes.aclose()
            self._lanes = None

    # -- routing -----------------------------------------------------------------------------
    def _app(self, application_id: str | None) -> Application | None:
        return None if application_id is None else self.store.applications.get(application_id)

    def _secret_and_key(self, app: Application | None, api_key: str | None) -> tuple[str, str]:
        account = self.store.accounts.get(api_key) if api_key else None
        if app is not None and app.api_key and account is None:
            account = self.store.accounts.get(app.api_key)
        secret = (
            (app.signature_secret if app is not None else None)
            or (account.signature_secret if account is not None else None)
            or self.signature_secret
        )
        key = api_key or (app.api_key if app is not None else None) or DEFAULT_API_KEY
        return secret, key

    def status_version(self, message: Message, app: Application | None) -> str:
        if message.webhook_version:
            return message.webhook_version
        if app is not None and app.webhook_version:
            return app.webhook_version
        # Messages sent through the 2018 APIs report in the 2018 format by default.
        if message.api in ("v0.1", "dispatch"):
            return "v0.1"
        return str(self.defaults().webhook_version)

    # -- events ------------------------------------------------------------------------------
    def _on_event(self, event: Event) -> None:
        if event.kind == "message.status":
            self._status(event.data, event.extra["change"])
        elif event.kind == "message.inbound":
            self._inbound(event.data)
        elif event.kind == "dispatch.report":
            self._report(event)
        elif event.kind == "reset":
            self._reset(event.application_id)

    def _status(self, message: Message, change: StatusChange) -> None:
        app = self._app(message.application_id)
        version = self.status_version(message, app)
        channel = self.channels[message.channel]
        workflow = message.workflow
        dispatch_uuid = (
            workflow.id if workflow is not None and workflow.kind == "dispatch" else None
        )

        payload = partial(_status_payload, message, change, channel, version, dispatch_uuid)
        url = message.webhook_url or (app.status_url if app else None)
        url = url or self.defaults().status_url
        self.enqueue(
            "status",
            change.status,
            payload,
            url=url,
            version=version,
            message_uuid=message.uuid,
            application_id=message.application_id,
            api_key=message.api_key,
            dispatch_uuid=dispatch_uuid,
            chain=workflow.id if workflow is not None else None,
        )

    def _inbound(self, message: Message) -> None:
        app = self._app(message.application_id)
        version = (app.webhook_version if app and app.webhook_version else None) or str(
            self.defaults().webhook_version
        )
        channel = self.channels[message.channel]
        payload = partial(_inbound_payload, message, channel, version, self.self_base())
        url = (app.inbound_url if app else None) or self.defaults().inbound_url
        self.enqueue(
            "inbound",
            "inbound",
            payload,
            url=url,
            version=version,
            message_uuid=message.uuid,
            application_id=message.application_id,
            api_key=message.api_key,
        )

    def _report(self, event: Event) -> None:
        app = self._app(event.application_id)
        url = (app.status_url if app else None) or self.defaults().status_url
        report: dict[str, Any] = event.data
        self.enqueue(
            "report",
            str(report.get("status")),
            lambda: report,
            url=url,
            version="v0.1",
            dispatch_uuid=str(report.get("dispatch_uuid")),
            application_id=event.application_id,
            api_key=event.extra.get("api_key"),
            chain=str(report.get("dispatch_uuid")),
        )

    def enqueue(
        self,
        kind: DeliveryKind,
        event: str,
        payload: Callable[[], dict[str, Any]],
        *,
        url: str | None,
        version: str,
        message_uuid: str | None = None,
        dispatch_uuid: str | None = None,
        application_id: str | None = None,
        api_key: str | None = None,
        chain: str | None = None,
    ) -> Delivery:
        delivery = Delivery(
            id=self.ledger.new_id(),
            kind=kind,
            event=event,
            url=url,
            version=version,
            render=payload,
            created_at=self.clock.now(),
            message_uuid=message_uuid,
            dispatch_uuid=dispatch_uuid,
            application_id=application_id,
            api_key=api_key or "",
            chain=chain,
        )
        self.ledger.add(delivery)
        if url is None:
            # Nowhere to send it: recorded, visible, never lost, and never retried.
            delivery.state = "no_url"
            self._changed(delivery)
            return delivery
        self._queued.append(delivery)
        self._changed(delivery)
        self._kick()
        return delivery

    # -- sending -----------------------------------------------------------------------------
    def _kick(self) -> None:
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            return  # not inside the server's loop: settle() starts them
        queued, self._queued = self._queued, []
        for delivery in queued:
            first = not delivery.attempts
            key = delivery.chain or delivery.message_uuid or delivery.dispatch_uuid or delivery.id
            previous = self._tails.get(key) if first else None
            done: asyncio.Future[None] = loop.create_future()
            if first:
                self._tails[key] = done
            task = loop.create_task(self._run(delivery, previous, done, key))
            self._ticket += 1
            self._tasks[task] = self._ticket
            task.add_done_callback(self._forget)

    async def _run(
        self,
        delivery: Delivery,
        previous: asyncio.Future[None] | None,
        done: asyncio.Future[None],
        key: str,
    ) -> None:
        try:
            if previous is not None:
                await asyncio.shield(previous)
            await self._attempt(delivery)
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # a bug here must not kill the loop or lose the record
            log.exception("webhook %s failed unexpectedly", delivery.id)
            self.bus.publish(
                Event("error", {"where": f"webhook {delivery.id}", "error": repr(exc)})
            )
        finally:
            if not done.done():
                done.set_result(None)
            if self._tails.get(key) is done:
                del self._tails[key]

    async def _attempt(self, delivery: Delivery) -> Attempt:
        assert delivery.url is not None
        app = self._app(delivery.application_id)
        secret, api_key = self._secret_and_key(app, delivery.api_key or None)
        token = sign(
            delivery.body,
            secret,
            now=self.clock.wall(),
            api_key=api_key,
            application_id=delivery.application_id,
        )
        headers = {
            "Content-Type": "application/json",
            "Authorization": f"Bearer {token}",
        }
        delivery.headers = headers
        attempt = Attempt(n=len(delivery.attempts) + 1, at=self.clock.now(), url=delivery.url)
        started = time.perf_counter()
        try:
            response = await self._http().post(delivery.url, delivery.body, headers)
            attempt.status_code = response.status_code
            attempt.response_body = response.text[:RESPONSE_BODY_MAX]
        except httpx.TimeoutException as exc:
            attempt.error = f"timeout: {type(exc).__name__}"
        except httpx.HTTPError as exc:
            attempt.error = f"{type(exc).__name__}: {exc}"
        attempt.duration_ms = (time.perf_counter() - started) * 1000
        delivery.attempts = (*delivery.attempts, attempt)
        self._outcome(delivery, attempt)
        return attempt

    def _outcome(self, delivery: Delivery, attempt: Attempt) -> None:
        code = attempt.status_code
        delivery.next_attempt_at = None
        if code is not None and 200 <= code < 300:
            delivery.state = "delivered"
        elif not is_retryable(code):
            delivery.state = "failed"  # 3xx and 4xx other than 429: Vonage does not retry
        else:
            due = self.clock.now() + retry_delay(len(delivery.attempts))
            if due > delivery.created_at + GIVE_UP_AFTER:
                delivery.state = "failed"
            else:
                delivery.state = "retrying"
                delivery.next_attempt_at = due
                delivery.timer = self.scheduler.at(
                    due,
                    "webhook-retry",
                    f"retry {delivery.kind} webhook {delivery.id} ({delivery.event}) "
                    f"to {delivery.url}",
                    lambda: self._retry(delivery),
                    owner=delivery.application_id,
                    ref=delivery.id,
                )
        self._changed(delivery)

    def _retry(self, delivery: Delivery) -> None:
        if self.ledger.get(delivery.id) is not delivery or delivery.state != "retrying":
            return
        delivery.timer = None
        self._queued.append(delivery)
        self._kick()

    async def resend(self, delivery: Delivery, url: str | None = None) -> Delivery:
        """One more attempt now (to ``url`` if given), whatever state it was in."""
        self.scheduler.cancel(delivery.timer)
        delivery.timer = None
        if url is not None:
            delivery.url = url
        if delivery.url is None:
            delivery.url = (
                self.defaults().status_url
                if delivery.kind != "inbound"
                else (self.defaults().inbound_url)
            )
        if delivery.url is None:
            return delivery
        delivery.state = "pending"
        await self._attempt(delivery)
        return delivery

    def _forget(self, task: asyncio.Task[None]) -> None:
        self._tasks.pop(task, None)
        if self._room is not None and len(self._tasks) <= BACKLOG_HIGH // 2:
            self._room.set()

    async def backpressure(self, most: float = BACKPRESSURE_WAIT) -> None:
        """Slow a sender down while too many attempts are in flight: an app sending faster
        than its receiver takes webhooks would otherwise grow the queue (and the sandbox's
        memory) without bound. Waits at most ``most`` real seconds, so a receiver that sends
        from inside its own webhook handler is slowed, never stuck."""
        if len(self._tasks) <= BACKLOG_HIGH:
            return
        if self._room is None:
            self._room = asyncio.Event()
        self._room.clear()
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._room.wait(), most)

    def checkpoint(self) -> int:
        """Take before an action; `settle(after=...)` then waits for what the action caused."""
        self._kick()
        return self._ticket

    async def settle(self, after: int = 0) -> None:
        """Return once every attempt started after checkpoint ``after`` is done (by default
        everything in flight), including attempts those cause in turn."""
        self._kick()
        while pending := self._since(after):
            await asyncio.gather(*pending, return_exceptions=True)
            self._kick()

    def _since(self, after: int) -> list[asyncio.Task[None]]:
        # Tasks are kept in ticket order: walk back from the newest, stop at the checkpoint,
        # so settling costs what the caller caused, not everything in flight.
        newer: list[asyncio.Task[None]] = []
        for task in reversed(self._tasks):
            if self._tasks[task] <= after:
                break
            newer.append(task)
        return newer

    @property
    def in_flight(self) -> int:
        return len(self._tasks) + len(self._queued)

    def _changed(self, delivery: Delivery) -> None:
        self.bus.publish(Event("webhook.updated", delivery, delivery.application_id))

    def _reset(self, application_id: str | None) -> None:
        dropped = self.ledger.clear(application_id)
        if application_id is None:
            for task in list(self._tasks):
                task.cancel()
            self._queued.clear()
            self._tails.clear()
            return
        gone = {d.id for d in dropped}
        self._queued = [d for d in self._queued if d.id not in gone]
