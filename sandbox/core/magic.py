"""Built-in magic numbers: handsets with a fixed outcome that need no setup, one per outcome a
team tests for. Listed by `GET /_sandbox/handsets/magic`, in the inbox and in the README. A
profile set for the same address replaces the built-in one; every other address is ordinary.

They sit in 447700900800-899, in Ofcom's range of numbers reserved for drama (never a real
subscriber), away from the numbers examples use most (447700900000, ...001)."""

from __future__ import annotations

from sandbox.core.handsets import ANY_CHANNEL, Behaviour, Handset, Rule

# (address, what it does, the profile)
_TABLE: tuple[tuple[str, str, Handset], ...] = (
    (
        "447700900801",
        "delivered after 1 s, read after 2 s more (channels with read receipts)",
        Handset("", {ANY_CHANNEL: Behaviour(deliver_after=1, read_after=2)}),
    ),
    (
        "447700900802",
        "delivered after 1 s, never read",
        Handset("", {ANY_CHANNEL: Behaviour(deliver_after=1)}),
    ),
    (
        "447700900803",
        "rejected at once on every channel (the channel's own code: 1300 on WhatsApp)",
        Handset("", {ANY_CHANNEL: Behaviour(has=False)}),
    ),
    (
        "447700900804",
        "SMS only: no WhatsApp, RCS, Viber or Messenger (rejected 1300), so failover moves on; "
        "SMS delivered after 1 s",
        Handset(
            "",
            {
                ANY_CHANNEL: Behaviour(has=False),
                "sms": Behaviour(deliver_after=1),
            },
        ),
    ),
    (
        "447700900805",
        "undeliverable after 1 s (1260 Destination unreachable)",
        Handset("", {ANY_CHANNEL: Behaviour(deliver_after=1, fail="undeliverable")}),
    ),
    (
        "447700900806",
        "slow delivery receipt: delivered after 1 hour",
        Handset("", {ANY_CHANNEL: Behaviour(deliver_after=3600)}),
    ),
    (
        "447700900807",
        "no delivery receipt, ever: the message stays submitted",
        Handset("", {ANY_CHANNEL: Behaviour(deliver_after=1, receipts=False)}),
    ),
    (
        "447700900808",
        "replies STOP 5 s after each message is delivered (delivered after 1 s)",
        Handset(
            "",
            {ANY_CHANNEL: Behaviour(deliver_after=1)},
            persona=(Rule(reply="STOP", after=5),),
        ),
    ),
    (
        "447700900809",
        "OTP: replies with the code (4 to 8 digits) of each message, 5 s after delivery",
        Handset(
            "",
            {ANY_CHANNEL: Behaviour(deliver_after=1)},
            persona=(Rule(match=r"\d{4,8}", reply="{code}", after=5),),
        ),
    ),
    (
        "447700900810",
        "switched off for a day: each message is delivered 24 h after it is sent, unless its "
        "TTL ends first (then undeliverable, 1360)",
        Handset("", {ANY_CHANNEL: Behaviour(deliver_after=24 * 3600.0)}),
    ),
    (
        "447700900811",
        "reads and taps the first suggestion 2 s after delivery (RCS); replies 'OK' to a "
        "message without suggestions",
        Handset(
            "",
            {ANY_CHANNEL: Behaviour(deliver_after=1)},
            persona=(Rule(tap="first", reply="OK", read=True, after=2),),
        ),
    ),
    (
        "447700900812",
        "reads each message and replies 'Thanks!' 5 s after delivery",
        Handset(
            "",
            {ANY_CHANNEL: Behaviour(deliver_after=1)},
            persona=(Rule(reply="Thanks!", read=True, after=5),),
        ),
    ),
)


def _magic() -> dict[str, Handset]:
    out: dict[str, Handset] = {}
    for address, what, handset in _TABLE:
        out[address] = Handset(
            address, handset.channels, handset.offline_until, handset.persona, what, "magic"
        )
    return out


MAGIC: dict[str, Handset] = _magic()
