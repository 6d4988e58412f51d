"""10. What chaos rules cost a send that no rule concerns: `POST /v1/messages` req/s with wrk
(SMS, Basic auth, webhooks off), alternating in each round

- `before`: the code before chaos rules existed (`--before-tree`, a `git worktree` of it),
- `off`: this code with no rule (every hook is one test of an empty table),
- `idle_rules`: this code with eight rules in force, of every effect, all scoped to an
  application that never sends (each send asks them all and none applies),

fresh servers each, median of the rounds.

    .venv/bin/python bench/chaos_cost.py [--before c487ac1 | --before-tree DIR] [--rounds 3]

`--before` (by default c487ac1, the last commit without chaos rules) is checked out into a
temporary `git worktree`, removed afterwards; `--before none` leaves the comparison out.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import tempfile
from pathlib import Path

from common import emit, median, sandbox, worktree, wrk

BEFORE = "c487ac1"  # the last commit before chaos rules

ELSEWHERE = {"application_id": "00000000-0000-4000-8000-000000000000"}
RULES = [
    {"effect": "throttle", "scope": ELSEWHERE},
    {"effect": "server_error", "scope": ELSEWHERE},
    {"effect": "slow", "scope": ELSEWHERE, "seconds": 1},
    {"effect": "reject", "scope": ELSEWHERE},
    {"effect": "duplicate", "scope": ELSEWHERE},
    {"effect": "drop", "scope": ELSEWHERE},
    {"effect": "delay", "scope": ELSEWHERE, "delay": 60},
    {"effect": "reorder", "scope": ELSEWHERE},
]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--before-tree", type=Path, help="a checkout of the code before chaos")
    parser.add_argument("--before", default=BEFORE, help="a commit to check out for it, or none")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--seconds", type=int, default=5)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--warmup", type=int, default=2)
    args = parser.parse_args()
    with contextlib.ExitStack() as stack:
        if args.before_tree is None and args.before != "none":
            args.before_tree = stack.enter_context(worktree(args.before, "before-chaos-"))
        measure(args)


def measure(args: argparse.Namespace) -> None:
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as f:
        json.dump({"rules": RULES}, f)
    variants: list[tuple[str, dict]] = [("off", {}), ("idle_rules", {"flags": ("--chaos", f.name)})]
    if args.before_tree is not None:
        variants.insert(0, ("before", {"tree": args.before_tree}))
    runs: dict[str, list[float]] = {name: [] for name, _ in variants}
    for _ in range(args.rounds):
        for name, how in variants:
            with sandbox(*how.get("flags", ()), tree=how.get("tree")) as server:
                if args.warmup:
                    wrk(server.url, seconds=args.warmup, connections=args.connections)
                r = wrk(server.url, seconds=args.seconds, connections=args.connections)
                assert r.not_202 == 0, f"{name}: {r.not_202} answers were not 202"
                runs[name].append(round(r.rps, 1))
    Path(f.name).unlink()
    rps = {name: median(v) for name, v in runs.items()}
    out: dict = {"rps": rps, "runs": runs, "seconds": args.seconds}
    if "before" in rps:
        out["off_vs_before"] = round(rps["off"] / rps["before"], 3)
    out["idle_rules_vs_off"] = round(rps["idle_rules"] / rps["off"], 3)
    # "Costs nothing measurable": within 5 %, this machine's round-to-round noise or less.
    out["target"] = "no rule: >= 0.95 x the code before chaos"
    out["met"] = out.get("off_vs_before", 1.0) >= 0.95
    emit("chaos_cost", out)


if __name__ == "__main__":
    main()
