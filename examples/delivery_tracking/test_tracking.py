"""The tracker against Vonage's at-least-once, unordered webhooks, made to happen by chaos rules.
The happy path cannot tell the two trackers apart; a duplicate or a reordering can."""

from __future__ import annotations

import httpx
import pytest
from tracking import Tracker

BASIC = ("abcd1234", "s3cr3tS3cr3t")
SMS = {"channel": "sms", "message_type": "text", "to": "447700900123", "from": "447700900500"}


def send(nexmo_sandbox, text: str = "Your parcel is on its way") -> str:  # type: ignore[no-untyped-def]
    r = httpx.post(nexmo_sandbox.url + "/v1/messages", json={**SMS, "text": text}, auth=BASIC)
    assert r.status_code == 202, r.text
    return str(r.json()["message_uuid"])


def test_the_happy_path_cannot_tell_them_apart(tracker: Tracker, nexmo_sandbox) -> None:  # type: ignore[no-untyped-def]
    uuid = send(nexmo_sandbox)
    nexmo_sandbox.mark(uuid, "delivered")
    assert tracker.status[uuid] == "delivered"
    assert tracker.counted == {"submitted": 1, "delivered": 1}


@pytest.mark.nexmo_sandbox(chaos=[{"effect": "reorder", "events": ["submitted"]}])
def test_submitted_arriving_after_delivered(tracker: Tracker, nexmo_sandbox) -> None:  # type: ignore[no-untyped-def]
    uuid = send(nexmo_sandbox)
    nexmo_sandbox.mark(uuid, "delivered")  # delivered goes first, then the held submitted
    assert sorted(nexmo_sandbox.webhooks.events(uuid)) == ["delivered", "submitted"]
    if tracker.naive:
        assert tracker.status[uuid] == "submitted"  # caught: the later status was lost
    else:
        assert tracker.status[uuid] == "delivered"


@pytest.mark.nexmo_sandbox(chaos=[{"effect": "duplicate", "events": ["submitted"], "after": 30}])
def test_a_duplicate_arriving_late(tracker: Tracker, nexmo_sandbox) -> None:  # type: ignore[no-untyped-def]
    uuid = send(nexmo_sandbox)
    nexmo_sandbox.mark(uuid, "delivered")
    nexmo_sandbox.advance(30)  # the copy of `submitted` comes half a minute later
    if tracker.naive:
        assert tracker.status[uuid] == "submitted"  # caught again
        assert tracker.counted["submitted"] == 2  # and it counted one event twice
    else:
        assert tracker.status[uuid] == "delivered"
        assert tracker.counted == {"submitted": 1, "delivered": 1}
