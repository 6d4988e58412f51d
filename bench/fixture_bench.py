"""How fast the pytest fixture is: session start-up and the per-test reset.

    .venv/bin/python bench/fixture_bench.py [--rounds 500]

Start-up: from nothing imported to a server answering `/_sandbox/health` (what the first test
that asks for `nexmo_sandbox` waits for), in a fresh interpreter each time, so imports count.
Reset: what the fixture does before every test (`SandboxHandle.begin()`: `POST /_sandbox/reset`
over the keep-alive client), after a test that left messages, webhooks and timers behind, with
and without per-test options. Targets (issue 6): start-up < 0.3 s, reset < 10 ms.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time

STARTUP = """
import time
t0 = time.perf_counter()
from sandbox.testing.fixture import SandboxServer
import sandbox.app, sandbox.server
t1 = time.perf_counter()
server = SandboxServer.start()
server.client.health()
t2 = time.perf_counter()
server.stop()
print(t2 - t0, t1 - t0, t2 - t1)
"""


def startup(rounds: int) -> dict[str, list[float]]:
    """Total, and its two parts: importing the sandbox, then building and serving the app."""
    out: dict[str, list[float]] = {"startup": [], "startup_imports": [], "startup_serve": []}
    for _ in range(rounds):
        proc = subprocess.run(
            [sys.executable, "-c", STARTUP], capture_output=True, text=True, check=True
        )
        total, imports, serve = map(float, proc.stdout.strip().splitlines()[-1].split())
        out["startup"].append(total)
        out["startup_imports"].append(imports)
        out["startup_serve"].append(serve)
    return out


def resets(rounds: int) -> dict[str, list[float]]:
    import httpx

    from sandbox.testing.fixture import Options, SandboxHandle, SandboxServer

    server = SandboxServer.start()
    body = {
        "channel": "sms",
        "message_type": "text",
        "to": "447700900000",
        "from": "447700900001",
        "text": "hi",
    }
    results: dict[str, list[float]] = {"plain": [], "with_options": [], "dirty": []}
    try:
        with httpx.Client(base_url=server.url, auth=("k", "secret")) as http:
            for name, options in (
                ("plain", Options()),
                ("with_options", Options(auto_deliver=1, status_url="http://127.0.0.1:9/x")),
            ):
                for _ in range(rounds):
                    handle = SandboxHandle(server, options)
                    t0 = time.perf_counter()
                    handle.begin()
                    results[name].append(time.perf_counter() - t0)
            # A test that left 20 messages, their timers and webhooks behind.
            server.client.configure(auto_deliver=5, status_url="http://127.0.0.1:9/s")
            for _ in range(max(1, rounds // 10)):
                for _ in range(20):
                    http.post("/v1/messages", json=body).raise_for_status()
                server.client.settle()
                handle = SandboxHandle(server, Options())
                t0 = time.perf_counter()
                handle.begin()
                results["dirty"].append(time.perf_counter() - t0)
                server.client.configure(auto_deliver=5, status_url="http://127.0.0.1:9/s")
    finally:
        server.stop()
    return results


def summary(values: list[float]) -> dict[str, float]:
    """Milliseconds: median, 95th percentile, worst."""
    ms = sorted(v * 1000 for v in values)
    return {
        "n": len(ms),
        "median_ms": round(statistics.median(ms), 3),
        "p95_ms": round(ms[int(len(ms) * 0.95) - 1 if len(ms) > 1 else 0], 3),
        "max_ms": round(ms[-1], 3),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=500)
    parser.add_argument("--startups", type=int, default=5)
    args = parser.parse_args()
    report = {name: summary(values) for name, values in startup(args.startups).items()}
    for name, values in resets(args.rounds).items():
        report[f"reset_{name}"] = summary(values)
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
