"""How far the sandbox agrees with Vonage's request schemas, in one figure and a list.

Starts a sandbox in-process (as tests/harness.py does), draws ``--cases`` bodies (positive and
negative) from tests/conformance/request_schemas.py across `POST /v1/messages`,
`PATCH /v1/messages/{uuid}`, `POST /v0.1/messages` and `POST /v0.1/dispatch`, sends each and
prints the agreement (overall and per operation) and every class of disagreement with a count
and one abridged example body.

    .venv/bin/python scripts/differential.py [--cases 1000] [--seed 1] [--json out.json]
"""

from __future__ import annotations

import argparse
import json
import random
import re
import sys
import time
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.conformance.request_schemas import (
    DISPATCH,
    OPERATIONS,
    PATHS,
    V1_PATCH,
    V1_SEND,
    VARIANTS,
)
from tests.conformance.request_schemas_cases import Case, cases
from tests.harness import Live, live_sandbox
from tests.helpers import BASIC, bearer

REFUSAL = {V1_SEND: 422, V1_PATCH: 422}  # v0.1 and Dispatch answer 400
ACCEPTED = "accepted, schema says invalid"
REFUSED = "refused, schema says valid"


def abridged(value: Any, width: int = 300) -> str:
    """A body short enough to print: long strings cut, the whole cut at ``width``."""

    def cut(v: Any) -> Any:
        if isinstance(v, str) and len(v) > 40:
            return f"{v[:30]}...({len(v)} chars)"
        if isinstance(v, dict):
            return {k: cut(x) for k, x in v.items()}
        if isinstance(v, list):
            return [cut(x) for x in v[:3]] + (["..."] if len(v) > 3 else [])
        return v

    text = json.dumps(cut(value), ensure_ascii=False)
    return text if len(text) <= width else text[: width - 3] + "..."


class Runner:
    def __init__(self, live: Live) -> None:
        self.live = live

    def target(self, body: Any) -> str:
        """A message a PATCH body can apply to: `read` marks an inbound WhatsApp message,
        anything else is aimed at an outbound RCS message (revocable until delivered)."""
        if isinstance(body, dict) and body.get("status") == "read":
            inbound = {"channel": "whatsapp", "from": "447700900000", "to": "447700900001"}
            made = self.live.control("POST", "/inbound", {**inbound, "text": "hi"})
            return str(made["message_uuid"])
        rcs = {"channel": "rcs", "message_type": "text", "to": "447700900000", "from": "Vonage"}
        return str(self.live.sent({**rcs, "text": "revoke me"})["message_uuid"])

    def send(self, case: Case) -> Any:
        method, path = PATHS[case.operation]
        if case.operation == V1_PATCH:
            path = path.replace("{message_uuid}", self.target(case.body))
        auth = BASIC if case.operation == V1_SEND else bearer()
        raw = json.dumps(case.body).encode()
        headers = {"Authorization": auth, "Content-Type": "application/json"}
        return self.live.http.request(method, path, content=raw, headers=headers)


INDEX = re.compile(r"\[\d+\]")


def names(data: Any) -> str:
    """The parameters a refusal names, indices folded (`failover[]`), each with its reason."""
    params = data.get("invalid_parameters") if isinstance(data, dict) else None
    found = {
        f"{INDEX.sub('[]', str(p.get('name')))} ({str(p.get('reason'))[:50]})"
        for p in params or []
        if isinstance(p, dict)
    }
    return ", ".join(sorted(found)) or "no parameter named"


def judge(case: Case, r: Any) -> str | None:
    """The class of disagreement between the answer ``r`` and the schema, or None."""
    where = f"[{case.operation} {case.variant}]"
    if r.status_code >= 500:
        return f"server error {r.status_code} {where}"
    data: Any = None
    if r.status_code >= 400:
        if r.headers.get("content-type") != "application/problem+json":
            return f"error answer not application/problem+json {where}"
        data = r.json()
        missing = [k for k in ("type", "title", "detail", "instance") if not data.get(k)]
        if missing:
            return f"problem body lacks {', '.join(missing)} {where}"
    if case.valid:
        if r.status_code == 202:
            if case.operation == V1_PATCH:
                return None
            answer = r.json()
            key = "dispatch_uuid" if case.operation == DISPATCH else "message_uuid"
            if not isinstance(answer.get(key), str):
                return f"202 without {key} {where}"
            is_failover = isinstance(case.body, dict) and "failover" in case.body
            if case.operation == V1_SEND and ("workflow_id" in answer) != is_failover:
                return f"workflow_id {'missing' if is_failover else 'unexpected'} {where}"
            return None
        title = data.get("title") if isinstance(data, dict) else r.status_code
        return f"{REFUSED}: {where} {r.status_code} {title}: {names(data)}"
    expected = REFUSAL.get(case.operation, 400)
    if r.status_code < 300:
        return f"{ACCEPTED}: {where} {case.label}"
    if r.status_code != expected:
        return f"refused with {r.status_code}, want {expected}: {where} {case.label}"
    if isinstance(case.body, dict) and case.operation != V1_PATCH and not names(data):
        return f"refusal names no parameter: {where} {case.label}"
    return None


def run(count: int, seed: int) -> dict[str, Any]:
    rng = random.Random(seed)
    # Each operation gets cases in proportion to how many variants its body has, at least 40.
    weights = {op: max(len(VARIANTS[op]), 4) for op in OPERATIONS}
    total = sum(weights.values())
    plan = {op: max(40, count * w // total) for op, w in weights.items()}
    plan[V1_SEND] += max(0, count - sum(plan.values()))
    drawn = [c for op in OPERATIONS for c in cases(op, plan[op], rng)]
    per_op: dict[str, Counter[str]] = defaultdict(Counter)
    classes: Counter[str] = Counter()
    examples: dict[str, Any] = {}
    started = time.monotonic()
    with live_sandbox() as live:
        runner = Runner(live)
        for case in drawn:
            r = runner.send(case)
            verdict = judge(case, r)
            side = "positive" if case.valid else "negative"
            per_op[case.operation][f"{side}_agree" if verdict is None else f"{side}_disagree"] += 1
            if verdict is not None:
                classes[verdict] += 1
                examples.setdefault(verdict, {"body": case.body, "answer": r.text[:400]})
    agree = sum(c["positive_agree"] + c["negative_agree"] for c in per_op.values())
    return {
        "seed": seed,
        "cases": len(drawn),
        "seconds": round(time.monotonic() - started, 1),
        "agreement": round(100 * agree / max(1, len(drawn)), 1),
        "operations": {
            op: {**dict(c), "agreement": round(100 * _agreed(c) / max(1, sum(c.values())), 1)}
            for op, c in per_op.items()
        },
        "disagreements": [
            {"class": k, "count": n, "example": examples[k]} for k, n in classes.most_common()
        ],
    }


def _agreed(c: Counter[str]) -> int:
    return c["positive_agree"] + c["negative_agree"]


def report(figures: dict[str, Any]) -> None:
    print(
        f"{figures['cases']} cases, seed {figures['seed']}, {figures['seconds']} s: "
        f"the sandbox agrees with the spec on {figures['agreement']} % of bodies"
    )
    for op, c in figures["operations"].items():
        pos = c.get("positive_agree", 0) + c.get("positive_disagree", 0)
        neg = c.get("negative_agree", 0) + c.get("negative_disagree", 0)
        print(
            f"  {op:9} {c['agreement']:5} %  (positive {c.get('positive_agree', 0)}/{pos}, "
            f"negative {c.get('negative_agree', 0)}/{neg})"
        )
    groups = (
        ("Sandbox accepts what the spec refuses", lambda k: k.startswith(ACCEPTED)),
        ("Sandbox refuses what the spec accepts", lambda k: k.startswith(REFUSED)),
        ("Other", lambda k: not k.startswith((ACCEPTED, REFUSED))),
    )
    for title, keep in groups:
        rows = [d for d in figures["disagreements"] if keep(d["class"])]
        print(f"\n{title}: {sum(d['count'] for d in rows)} cases, {len(rows)} classes")
        for d in rows:
            what = d["class"].split(": ", 1)[-1] if keep is not groups[2][1] else d["class"]
            print(f"  {d['count']:4} x {what}")
            print(f"         e.g. {abridged(d['example']['body'])}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cases", type=int, default=1000, help="how many bodies (about)")
    parser.add_argument(
        "--seed", type=int, default=1, help="the random seed (same seed, same bodies)"
    )
    parser.add_argument("--json", type=Path, help="also write the figures to this file")
    args = parser.parse_args(argv)
    figures = run(args.cases, args.seed)
    report(figures)
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2, ensure_ascii=False) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
