"""The example apps' own test suites pass, serially and under pytest-xdist, run the way their
READMEs say."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = {"order_alerts": 6, "delivery_tracking": 6}  # example -> how many tests it has


@pytest.mark.parametrize("extra", [[], ["-n", "2"]], ids=["serial", "xdist"])
@pytest.mark.parametrize("example", sorted(EXAMPLES))
def test_example_suite_passes(example: str, extra: list[str]) -> None:
    path = ROOT / "examples" / example
    proc = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(path), *extra],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stdout[-4000:] + proc.stderr[-2000:]
    assert f"{EXAMPLES[example]} passed" in proc.stdout
