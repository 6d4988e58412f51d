"""11. Sends against Prism: `POST /v1/messages` req/s with wrk (the same SMS body and Basic auth
as throughput.py) against Stoplight Prism 5.16 mocking the Messages and Dispatch API from an
OpenAPI document, and against the sandbox, alternately; fresh servers each round, median.

Prism is what a team reaches for when it has only the spec: it validates each request against
the document and answers the documented example. The document is the project's own OpenAPI
description of Vonage's requests (tests/conformance/request_schemas.py: Vonage's published
spec is not copied into the project, and this machine cannot fetch it); it is as strict as
Vonage's, so Prism does the same work per request.

    sh bench/setup.sh                        # installs Prism into bench/.prism (npm)
    .venv/bin/python bench/prism.py [--rounds 3] [--seconds 5]
"""

from __future__ import annotations

import argparse
import contextlib
import json
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

from common import BASIC, BENCH, ROOT, SMS_BODY, emit, free_port, median, sandbox, stop, wrk

PRISM = BENCH / ".prism" / "node_modules" / ".bin" / "prism"
PRISM_VERSION = "5.16.0"


def document_file() -> Path:
    sys.path.insert(0, str(ROOT))
    from tests.conformance.request_schemas import document

    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as f:
        json.dump(document(), f)
    return Path(f.name)


@contextlib.contextmanager
def prism(spec: Path) -> Iterator[str]:
    if not PRISM.exists():
        raise SystemExit(f"Prism is not installed at {PRISM}: run sh bench/setup.sh")
    port = free_port()
    argv = [str(PRISM), "mock", "--host", "127.0.0.1", "--port", str(port), "--errors", str(spec)]
    # Its log (a few lines per request, as it runs by default) goes to a file nobody reads: a
    # pipe left unread would fill and stall it.
    log = tempfile.TemporaryFile()  # noqa: SIM115 - closed in the finally below, after stop
    proc = subprocess.Popen(argv, stdout=log, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if proc.poll() is not None:
                log.seek(0)
                out = log.read().decode(errors="replace")
                raise RuntimeError(f"prism exited with {proc.returncode}: {out[-2000:]}")
            with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 1):
                break
            time.sleep(0.1)
        else:
            raise RuntimeError("prism did not listen within 60 s")
        url = f"http://127.0.0.1:{port}"
        # Prism builds its validators on the first request (about 20 s here for the 36-way
        # oneOf of /v1/messages): made before the clock starts, as a long-running mock has.
        first = urllib.request.Request(
            url + "/v1/messages",
            data=SMS_BODY,
            headers={"Content-Type": "application/json", "Authorization": BASIC},
            method="POST",
        )
        with urllib.request.urlopen(first, timeout=300) as answer:
            assert answer.status == 202, answer.status
        yield url
    finally:
        stop(proc)
        log.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--seconds", type=int, default=5)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--warmup", type=int, default=2)
    args = parser.parse_args()
    spec = document_file()
    runs: dict[str, list[float]] = {"sandbox": [], "prism": []}
    not_202: dict[str, int] = {"sandbox": 0, "prism": 0}
    try:
        for _ in range(args.rounds):
            for name in ("sandbox", "prism"):
                with sandbox() if name == "sandbox" else prism(spec) as started:
                    url = started if isinstance(started, str) else started.url
                    if args.warmup:
                        wrk(url, seconds=args.warmup, connections=args.connections)
                    r = wrk(url, seconds=args.seconds, connections=args.connections)
                    runs[name].append(round(r.rps, 1))
                    not_202[name] += r.not_202
    finally:
        spec.unlink()
    sb, pr = median(runs["sandbox"]), median(runs["prism"])
    emit(
        "prism",
        {
            "sandbox_rps": round(sb, 1),
            "prism_rps": round(pr, 1),
            "prism_version": PRISM_VERSION,
            "ratio": round(sb / pr, 2),
            "target": ">= 4",
            "met": sb / pr >= 4,
            "runs": runs,
            "not_202": not_202,
        },
    )


if __name__ == "__main__":
    main()
