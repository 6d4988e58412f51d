"""The layers keep their directions (the import contracts in pyproject.toml) and the pure core
takes its time only from the Clock."""

from __future__ import annotations

import pathlib
import shutil
import subprocess
import sys

import pytest

from tests.conftest import need

ROOT = pathlib.Path(__file__).resolve().parents[2]
CORE = ROOT / "sandbox" / "core"


def test_import_contracts_hold() -> None:
    tool = shutil.which("lint-imports", path=str(pathlib.Path(sys.executable).parent))
    need(tool is not None, "import-linter is not installed (pip install -e '.[test]')")
    assert tool is not None
    done = subprocess.run([tool], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-2000:]
    assert "0 broken" in done.stdout


@pytest.mark.parametrize(
    "path", sorted(p.name for p in CORE.glob("*.py") if p.name != "clock.py"), ids=str
)
def test_the_core_reads_no_wall_clock(path: str) -> None:
    text = (CORE / path).read_text()
    for banned in ("time.time(", "time.monotonic(", "datetime.now(", "asyncio.sleep("):
        assert banned not in text, (path, banned)
