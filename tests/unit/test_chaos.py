"""The chaos book and the rule parser, without HTTP (core/chaos.py, control/chaos.py)."""

from __future__ import annotations

import random
from typing import Any

import pytest

from fake_channels import default_registry
from sandbox.control.chaos import parse_rule, parse_rules
from sandbox.core.chaos import ChaosBook, Delay, Rule, Scope, Target, digits
from sandbox.core.clock import VirtualClock
from sandbox.core.errors import BadControlRequest

CHANNELS = default_registry()


def book(seed: int = 0) -> ChaosBook:
    return ChaosBook(VirtualClock("manual"), seed)


def parsed(**body: Any) -> Rule:
    return parse_rule(body, CHANNELS)


def test_numbers_compare_as_digits() -> None:
    assert digits("+44 7700-900001") == "447700900001"
    assert digits("Ada@Example.com") == "ada@example.com"
    scope = parsed(effect="drop", scope={"number": "+447700900001"}).scope
    assert scope.matches(Target(numbers=("447700900001",)))
    assert not scope.matches(Target(numbers=("447700900002",)))


@pytest.mark.parametrize(
    ("kind", "value", "target", "hit"),
    [
        ("application_id", "a", Target(application_id="a"), True),
        ("application_id", "a", Target(application_id="b"), False),
        ("api_key", "k", Target(api_key="k"), True),
        ("channel", "sms", Target(channel="mms"), False),
        ("sandbox", "", Target(), True),
    ],
)
def test_scopes(kind: Any, value: str, target: Target, hit: bool) -> None:
    assert Scope(kind, value).matches(target) is hit


def test_parser_names_every_mistake() -> None:
    with pytest.raises(BadControlRequest) as err:
        parsed(
            effect="reject",
            scope={"channel": "pigeon"},
            probability=-1,
            times=0,
            error_code=42,
            after="soon",
            delay=3,
        )
    names = {name for name, _ in err.value.invalid}
    assert names == {"scope.channel", "probability", "times", "error_code", "after", "delay"}
    with pytest.raises(BadControlRequest) as err:
        parse_rules(
            [{"effect": "drop"}, {"effect": "delay", "delay": {"uniform": [5, 1]}}], CHANNELS
        )
    assert [name for name, _ in err.value.invalid] == ["rules[1].delay"]


def test_delays_draw_within_their_distribution() -> None:
    rng = random.Random(1)
    assert Delay("fixed", 5).draw(rng) == 5
    draws = [Delay("uniform", 10, 20).draw(rng) for _ in range(200)]
    assert min(draws) >= 10 and max(draws) <= 20
    mean = sum(Delay("exponential", 30).draw(rng) for _ in range(2000)) / 2000
    assert 25 < mean < 35
    assert parsed(effect="delay", delay={"exponential": 30}).params["delay"] == Delay(
        "exponential", 30
    )


def test_times_spends_a_rule_and_probability_draws_per_rule() -> None:
    b = book(seed=9)
    once = b.add(parsed(effect="drop", times=2))
    hits = [b.pick(("drop",), Target()) for _ in range(4)]
    assert hits == [once, once, None, None] and once.hits == 2
    b.clear()
    half = b.add(parsed(effect="drop", probability=0.5))
    first = [b.pick(("drop",), Target()) is not None for _ in range(50)]
    b.set_seed(9)  # restarts every rule's stream
    assert [b.pick(("drop",), Target()) is not None for _ in range(50)] == first
    assert 10 < sum(first) < 40 and half.hits == 2 * sum(first)


def test_a_rules_stream_does_not_depend_on_other_rules_or_its_id() -> None:
    def draws(before: int) -> list[bool]:
        b = book(seed=4)
        for i in range(before):  # other tests' rules, added first, in another scope
            b.add(parsed(effect="drop", scope={"application_id": f"other{i}"}, probability=0.5))
        b.add(parsed(effect="drop", scope={"application_id": "mine"}, probability=0.5))
        mine = Target(application_id="mine")
        return [b.pick(("drop",), mine) is not None for _ in range(40)]

    assert draws(0) == draws(3)


def test_the_same_seed_draws_the_same_whatever_application_the_rule_is_scoped_to() -> None:
    """A test's application is new on every run (and differs per test on a shared server), so
    the application's id must not enter the stream; other scopes' values do."""

    def draws(scope: dict[str, str], target: Target) -> list[bool]:
        b = book(seed=4)
        b.add(parsed(effect="drop", scope=scope, probability=0.5))
        return [b.pick(("drop",), target) is not None for _ in range(40)]

    run1 = draws({"application_id": "app-1"}, Target(application_id="app-1"))
    assert run1 == draws({"application_id": "app-2"}, Target(application_id="app-2"))
    one = draws({"number": "447700900001"}, Target(numbers=("447700900001",)))
    assert one != draws({"number": "447700900002"}, Target(numbers=("447700900002",)))


def test_clear_by_application_and_the_listing() -> None:
    b = book()
    b.add(parsed(effect="drop", scope={"application_id": "a"}))
    kept = b.add(parsed(effect="drop", scope={"application_id": "b"}))
    everywhere = b.add(parsed(effect="throttle"))
    assert b.clear("a") == 1
    assert [r["id"] for r in b.listing("b")["rules"]] == [kept.id, everywhere.id]
    b.record(kept, "did it", application_id="b")
    assert b.listing("a")["effects"] == []
    assert b.listing("b")["effects"][0]["detail"] == "did it"
    assert b.clear() == 2 and not b.active and b.listing()["effects"] == []


def test_receiver_down_ends_after_its_minutes() -> None:
    clock = VirtualClock("manual")
    b = ChaosBook(clock)
    down = b.add(parsed(effect="receiver_down", minutes=2))
    assert b.pick(("receiver_down",), Target()) is down
    clock.move_to(clock.now() + 120)
    assert b.pick(("receiver_down",), Target()) is None


def test_webhook_filters() -> None:
    b = book()
    rule = b.add(parsed(effect="duplicate", events=["delivered"], kinds=["status"]))
    assert b.pick(("duplicate",), Target(kind="status", event="delivered")) is rule
    assert b.pick(("duplicate",), Target(kind="status", event="submitted")) is None
    assert b.pick(("duplicate",), Target(kind="inbound", event="delivered")) is None
    assert rule.to_dict()["events"] == ["delivered"]


def test_the_clients_delivery_says_what_chaos_did_and_why_it_is_retried() -> None:
    from sandbox.testing.client_types import Delivery

    raw = {"id": "wh_000001", "chaos": "chaos_0001: held 5 s", "retry": "attempt 1 failed"}
    delivery = Delivery.from_json(raw)
    assert delivery.chaos == "chaos_0001: held 5 s"
    assert delivery.retry == "attempt 1 failed"
    plain = Delivery.from_json({"id": "wh_000002", "chaos": None})
    assert plain.chaos is None and plain.retry is None
