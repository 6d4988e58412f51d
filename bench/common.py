"""What every benchmark script shares: starting servers the way users do, wrk, RSS, medians.

Everything runs on loopback; every server is a child process that is stopped on the way out.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
VENV_BIN = Path(sys.executable).parent
BASIC = "Basic YmVuY2g6YmVuY2gtc2VjcmV0"  # bench:bench-secret
SMS_BODY = (
    b'{"channel":"sms","message_type":"text","to":"447700900000",'
    b'"from":"447700900001","text":"Your code is 123456"}'
)


@contextlib.contextmanager
def worktree(commit: str, prefix: str) -> Iterator[Path]:
    """``commit`` checked out into a temporary `git worktree`, removed afterwards: the code
    a benchmark compares against, served or imported from there."""
    path = Path(tempfile.mkdtemp(prefix=prefix))
    git = ["git", "-C", str(ROOT)]
    subprocess.run([*git, "worktree", "add", "-f", "-q", str(path), commit], check=True)
    try:
        yield path
    finally:
        subprocess.run([*git, "worktree", "remove", "--force", str(path)], check=False)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def get_json(url: str, timeout: float = 30.0) -> dict:
    with urllib.request.urlopen(url, timeout=timeout) as r:
        return json.loads(r.read())


def post_json(url: str, data: object, timeout: float = 120.0) -> dict:
    req = urllib.request.Request(
        url,
        data=json.dumps(data).encode(),
        headers={"Content-Type": "application/json"},
        method="POST",
    )
    with urllib.request.urlopen(req, timeout=timeout) as r:
        return json.loads(r.read() or b"{}")


@dataclass
class Server:
    name: str
    proc: subprocess.Popen[bytes]
    port: int

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def rss_kb(self) -> int:
        return rss_kb(self.proc.pid)


def wait_ready(url: str, proc: subprocess.Popen[bytes], timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"{proc.args} exited with {proc.returncode}")
        try:
            get_json(url, timeout=1.0)
            return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError(f"{url} did not answer within {timeout} s")


@contextlib.contextmanager
def started(
    name: str, argv: Sequence[str], health: str, port: int, cwd: Path = ROOT
) -> Iterator[Server]:
    proc = subprocess.Popen(list(argv), cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    server = Server(name, proc, port)
    try:
        wait_ready(server.url + health, proc)
        yield server
    finally:
        stop(proc)


def stop(proc: subprocess.Popen[bytes]) -> None:
    if proc.poll() is None:
        proc.send_signal(signal.SIGINT)
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


# The benchmarks send freeform WhatsApp and Messenger messages (and Dispatch workflows that
# start with one) to users who never wrote: with the 24-hour care windows on, as `serve` has
# them by default, every one would be rejected at once and no Dispatch timer would wait. The
# figures measure the sandbox's own work, so the windows are off, as they were before them.
NO_WINDOWS = ("--whatsapp-window", "off", "--messenger-window", "off")


def sandbox(*flags: str, tree: Path | None = None) -> contextlib.AbstractContextManager[Server]:
    """`nexmo-sandbox serve` as a user starts it: uvicorn, one process. With ``tree``, the
    code of another checkout (e.g. `git worktree add /tmp/before <commit>`) is served instead,
    with this venv's packages: before/after comparisons on one machine in one run."""
    port = free_port()
    argv = [
        str(VENV_BIN / "python"),
        "-m",
        "sandbox",
        "serve",
        "--port",
        str(port),
        "--log-level",
        "warning",
        *NO_WINDOWS,
        *flags,
    ]
    # `python -m` imports from the working directory first: the tree's own packages.
    return started("sandbox", argv, "/_sandbox/health", port, tree or ROOT)


def ceiling() -> contextlib.AbstractContextManager[Server]:
    port = free_port()
    argv = [sys.executable, str(BENCH / "ceiling_app.py"), "--port", str(port)]
    return started("ceiling", argv, "/_sandbox/health", port)


def receiver() -> contextlib.AbstractContextManager[Server]:
    port = free_port()
    argv = [sys.executable, str(BENCH / "receiver.py"), "--port", str(port)]
    return started("receiver", argv, "/stats", port)


def receiver_stats(url: str, enough: Callable[[dict], bool], timeout: float) -> dict:
    """The receiver's `/stats` once ``enough`` says so, or as they are after ``timeout``
    seconds: the last webhooks of a run are still on their way when the load stops."""
    deadline = time.monotonic() + timeout
    while not enough(stats := get_json(url + "/stats")) and time.monotonic() < deadline:
        time.sleep(0.1)
    return stats


def rss_kb(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise RuntimeError("no VmRSS")


@dataclass
class WrkResult:
    requests: int
    seconds: float
    rps: float
    not_202: int
    errors: str
    latency_p50_ms: float | None
    latency_p99_ms: float | None


def need_wrk() -> str:
    path = shutil.which("wrk")
    if path is None:
        raise SystemExit("wrk is not installed: run sh bench/setup.sh")
    return path


def _ms(text: str) -> float:
    m = re.match(r"([\d.]+)(us|ms|s)", text)
    if not m:
        return float("nan")
    value, unit = float(m.group(1)), m.group(2)
    return value / 1000 if unit == "us" else value * 1000 if unit == "s" else value


def wrk(
    url: str,
    script: str = "send_sms.lua",
    *,
    seconds: int = 10,
    connections: int = 32,
    threads: int = 1,
    script_args: Sequence[str] = (),
) -> WrkResult:
    argv = [
        need_wrk(),
        f"-t{threads}",
        f"-c{connections}",
        f"-d{seconds}s",
        "--latency",
        "-s",
        str(BENCH / script),
        url + "/v1/messages",
    ]
    if script_args:
        argv += ["--", *script_args]
    out = subprocess.run(argv, capture_output=True, text=True, check=True).stdout
    return parse_wrk(out)


def accepted(url: str) -> int:
    """Messages the sandbox took in so far: those stored and those the retention bound
    dropped since."""
    health = get_json(url + "/_sandbox/health")
    return int(health["messages"]) + int(health.get("retention", {}).get("pruned", 0))


def wrk_until(url: str, script: str, count: int, *, connections: int = 32) -> WrkResult:
    """Run wrk until the sandbox has stored ``count`` messages. The Lua script stops sending
    after that many answers (wrk.thread:stop()); wrk itself still waits out its duration, so
    it is interrupted once the sandbox's health shows them all."""
    base = accepted(url)
    argv = [
        need_wrk(),
        "-t1",
        f"-c{connections}",
        "-d600s",
        "-s",
        str(BENCH / script),
        url + "/v1/messages",
        "--",
        str(count),
    ]
    proc = subprocess.Popen(argv, stdout=subprocess.PIPE, text=True)
    try:
        while proc.poll() is None:
            time.sleep(0.5)
            if accepted(url) - base >= count:
                break
    finally:
        if proc.poll() is None:
            proc.send_signal(signal.SIGINT)  # wrk prints its summary on SIGINT
        out, _ = proc.communicate(timeout=30)
    return parse_wrk(out)


def parse_wrk(out: str) -> WrkResult:
    # wrk says "in 10.00s", "in 850.00ms", and from a minute on "in 1.00m".
    m = re.search(r"(\d+) requests in ([\d.]+)(ms|m|s)\b", out)
    if not m:
        raise RuntimeError("cannot read wrk output:\n" + out)
    n = int(m.group(1))
    secs = float(m.group(2)) * {"ms": 0.001, "m": 60.0, "s": 1.0}[m.group(3)]
    bad = re.search(r"NOT_202 (\d+)", out)
    errs = re.search(r"Socket errors: (.*)", out)
    p50 = re.search(r"^\s+50%\s+(\S+)", out, re.M)
    p99 = re.search(r"^\s+99%\s+(\S+)", out, re.M)
    return WrkResult(
        requests=n,
        seconds=secs,
        rps=n / secs,
        not_202=int(bad.group(1)) if bad else -1,
        errors=errs.group(1).strip() if errs else "",
        latency_p50_ms=_ms(p50.group(1)) if p50 else None,
        latency_p99_ms=_ms(p99.group(1)) if p99 else None,
    )


def median(values: Sequence[float]) -> float:
    return float(statistics.median(values))


def percentile(values: Sequence[float], p: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    k = max(0, min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1))))
    return ordered[k]


def emit(name: str, result: dict) -> None:
    """Print one benchmark's result as a JSON line (run_all.py collects them)."""
    print(json.dumps({"bench": name, **result}), flush=True)


def machine() -> dict[str, object]:
    return {
        "cpus": os.cpu_count(),
        "python": sys.version.split()[0],
        "date": time.strftime("%Y-%m-%d %H:%M %Z"),
    }
