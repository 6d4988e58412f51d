"""Every benchmark in one go (about 20 minutes on 2 cores, 10 of them the soak), one summary
table at the end.

    .venv/bin/python bench/run_all.py [--quick] [--json bench/results.json]

Each benchmark runs as its own process (bench/<name>.py), one after the other, never side by
side: on a 2-core machine the load generator, the sandbox and the receiver already share the
cores. --quick runs one short round of each (about 4 minutes) to check that everything works.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time

from common import BENCH, ROOT, machine

FULL: list[tuple[str, list[str]]] = [
    ("throughput", []),
    ("prism", []),
    ("chaos_cost", []),
    ("end_to_end", ["--seconds", "60", "--rounds", "2"]),
    ("latency", []),
    ("clock_scale", []),
    ("memory", []),
    ("queries", []),
    ("fixture_bench", ["--rounds", "500", "--startups", "5"]),
    ("per_test", ["--rounds", "200", "--tests", "300"]),
    ("soak", []),  # last: 10 minutes
]
QUICK: dict[str, list[str]] = {
    "throughput": ["--rounds", "1", "--seconds", "5"],
    "prism": ["--rounds", "1", "--seconds", "3"],
    "chaos_cost": ["--rounds", "1", "--seconds", "3"],
    "end_to_end": ["--rounds", "1", "--seconds", "10"],
    "latency": ["--rounds", "1", "--seconds", "10"],
    "clock_scale": ["--rounds", "1"],
    "memory": ["--messages", "50000"],
    "queries": ["--repeat", "0.1", "--before", "none"],
    "fixture_bench": ["--rounds", "100", "--startups", "3"],
    "per_test": ["--rounds", "50", "--tests", "60"],
    "soak": ["--minutes", "2", "--bound", "5000"],
}


def run(name: str, args: list[str]) -> dict:
    started = time.monotonic()
    proc = subprocess.run(
        [sys.executable, str(BENCH / f"{name}.py"), *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    took = round(time.monotonic() - started, 1)
    if proc.returncode != 0:
        print(proc.stderr, file=sys.stderr)
        return {"bench": name, "error": proc.stderr.strip().splitlines()[-1:], "took_s": took}
    out = proc.stdout.strip()
    if name == "fixture_bench":  # its own format: one JSON document
        result = {"bench": name, **json.loads(out)}
    else:
        result = json.loads(out.splitlines()[-1])
    result["took_s"] = took
    return result


def line(r: dict) -> str:
    name = r["bench"]
    if "error" in r:
        return f"{name:<13} ERROR {r['error']}"
    if name == "throughput":
        figure = (
            f"sandbox {r['sandbox_rps']:.0f} req/s, ceiling {r['ceiling_rps']:.0f} req/s, "
            f"ratio {r['ratio']:.2f}"
        )
    elif name == "prism":
        figure = (
            f"sandbox {r['sandbox_rps']:.0f} req/s, Prism {r['prism_version']} "
            f"{r['prism_rps']:.0f} req/s, ratio {r['ratio']:.2f}"
        )
    elif name == "chaos_cost":
        rps = r["rps"]
        figure = f"no rule {rps['off']:.0f} req/s, 8 idle rules {rps['idle_rules']:.0f} req/s"
        if "before" in rps:
            figure += f", before chaos {rps['before']:.0f} req/s"
    elif name == "end_to_end":
        figure = (
            f"{r['delivered_msgs_per_s']:.0f} msg/s with both webhooks, lost {r['lost']}, "
            f"duplicated {r['duplicated']}"
        )
    elif name == "latency":
        figure = f"p50 {r['p50_ms']:.2f} ms, p99 {r['p99_ms']:.2f} ms at {r['rate']:.0f} msg/s"
    elif name == "clock_scale":
        figure = f"{r['seconds']:.2f} s for {r['timers']} timers"
        if "bare_seconds" in r:  # the timeline's own part; the rest is the firings' work
            figure += f" (the clock's own part {r['bare_seconds']:.2f} s)"
    elif name == "memory":
        figure = f"{r['bytes_per_message']} bytes per stored message"
    elif name == "queries":
        small, large = r["sizes"]
        us = r["us_per_query"]["inbox_last"]
        figure = (
            f"inbox.last {us[str(large)]:.1f} us at {large:,} stored, "
            f"{us[str(small)]:.1f} at {small:,}"
        )
        if "speedup_at_large" in r:
            figure += f" ({r['speedup_at_large']['inbox_last']:.0f}x the scan before)"
    elif name == "soak":
        figure = (
            f"RSS {r['rss_minute_1_mb']} MB at minute 1, {r['rss_last_minute_mb']} MB at minute "
            f"{r['minutes']:g} ({r['rate']:g} msg/s, bound {r['bound']:,})"
        )
    elif name == "per_test":
        figure = (
            f"test {r['sandbox_ms']:.1f} ms vs mock {r['mock_ms']:.1f} ms = {r['ratio']:.2f}, "
            f"reset {r['reset_ms']:.2f} ms, {r['pytest_tests']} tests serial "
            f"{r['pytest_serial_s']:.1f} s / -n 2 {r['pytest_n2_s']:.1f} s"
        )
        r["met"] = r["ratio"] <= 1
        r["target"] = "as cheap as a mock (ratio <= 1)"
    else:
        figure = (
            f"start {r['startup']['median_ms']:.0f} ms, reset {r['reset_plain']['median_ms']:.2f}"
            f" ms (after a busy test {r['reset_dirty']['median_ms']:.2f} ms)"
        )
        r["met"] = r["startup"]["median_ms"] <= 300 and r["reset_plain"]["median_ms"] <= 10
        r["target"] = "start <= 300 ms, reset <= 10 ms"
    verdict = "met" if r.get("met") else "MISSED"
    return f"{name:<13} {figure:<70} target {r.get('target')}: {verdict}  ({r['took_s']} s)"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--json", help="also write every result here")
    parser.add_argument("--only", nargs="*", help="run only these benchmarks")
    args = parser.parse_args()
    results = []
    for name, full in FULL:
        if args.only and name not in args.only:
            continue
        extra = QUICK[name] if args.quick else full
        print(f"running {name} {' '.join(extra)} ...", file=sys.stderr, flush=True)
        result = run(name, extra)
        results.append(result)
        print(line(result), flush=True)
    if args.json:
        with open(args.json, "w") as fh:
            json.dump({"machine": machine(), "results": results}, fh, indent=2)


if __name__ == "__main__":
    main()
