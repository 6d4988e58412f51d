"""The SDKs that cannot live in .venv, built once into `.cache/` (not committed) and reused.

* Node packages: `npm install --prefix .cache/node <NODE_PACKAGES>`; scripts find them through
  NODE_PATH.
* vonage 3.x: its own venv in `.cache/vonage3` (same distribution name as the 4.x in .venv).

A stamp file records what was installed, so a changed list reinstalls and an unchanged one
costs a file read. Building happens under a lock so parallel xdist workers build once.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
CACHE = ROOT / ".cache"
NODE_DIR = CACHE / "node"
VONAGE3_DIR = CACHE / "vonage3"
SCRIPTS = Path(__file__).resolve().parent

# The versions the compatibility suite is about (README and docs/compatibility.md name them).
NODE_PACKAGES = (
    "@vonage/server-sdk@3",
    "@vonage/messages@^1.27",  # 1.27 brought EmailText / EmailHTML
    "@vonage/jwt@1",
    "nexmo@2.7.0-beta-1",
)
VONAGE3_SPEC = "vonage>=3,<4"


class Unavailable(Exception):
    """A toolchain could not be built here (no node/npm, no registry): the test skips or,
    in CI, fails with this message."""


@contextlib.contextmanager
def _lock(name: str) -> Iterator[None]:
    CACHE.mkdir(exist_ok=True)
    with open(CACHE / f".{name}.lock", "a") as fh:
        fcntl.flock(fh.fileno(), fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh.fileno(), fcntl.LOCK_UN)


def _run(cmd: list[str], what: str, timeout: float = 600) -> None:
    try:
        done = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, check=False)
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise Unavailable(f"{what}: {exc}") from None
    if done.returncode != 0:
        raise Unavailable(f"{what} failed ({done.returncode}):\n{done.stderr[-2000:]}")


def node_binary() -> str:
    return shutil.which("node") or "node"


def node_modules() -> Path:
    """`.cache/node/node_modules` holding NODE_PACKAGES (installed on first use)."""
    node, npm = shutil.which("node"), shutil.which("npm")
    if node is None or npm is None:
        raise Unavailable("Node.js and npm are needed for the Node SDK tests")
    stamp = NODE_DIR / ".installed.json"
    wanted = {"packages": list(NODE_PACKAGES)}
    with _lock("node"):
        if not (stamp.exists() and json.loads(stamp.read_text()) == wanted):
            NODE_DIR.mkdir(parents=True, exist_ok=True)
            _run(
                [
                    npm,
                    "install",
                    "--prefix",
                    str(NODE_DIR),
                    "--no-audit",
                    "--no-fund",
                    "--loglevel=error",
                    "--save-exact",
                    *NODE_PACKAGES,
                ],
                "npm install",
            )
            stamp.write_text(json.dumps(wanted))
    return NODE_DIR / "node_modules"


def node_version(package: str) -> str:
    data = json.loads((node_modules() / package / "package.json").read_text())
    return str(data["version"])


def vonage3_python() -> Path:
    """The interpreter of a venv with vonage 3.x (built on first use)."""
    python = VONAGE3_DIR / "bin" / "python"
    stamp = VONAGE3_DIR / ".installed.json"
    wanted = {"spec": VONAGE3_SPEC, "base": sys.base_prefix}
    with _lock("vonage3"):
        if not (stamp.exists() and python.exists() and json.loads(stamp.read_text()) == wanted):
            shutil.rmtree(VONAGE3_DIR, ignore_errors=True)
            _run([sys.executable, "-m", "venv", str(VONAGE3_DIR)], "python -m venv")
            _run(
                [
                    str(python),
                    "-m",
                    "pip",
                    "install",
                    "--quiet",
                    "--disable-pip-version-check",
                    VONAGE3_SPEC,
                ],
                f"pip install {VONAGE3_SPEC!r}",
            )
            stamp.write_text(json.dumps(wanted))
    return python


def run(cmd: list[str], env: dict[str, str], stdin: object = None, timeout: float = 60) -> str:
    """Run an SDK script to the end; its stdout (a non-zero exit fails the test, with output)."""
    done = subprocess.run(
        cmd,
        input=None if stdin is None else json.dumps(stdin),
        capture_output=True,
        text=True,
        env=env,
        timeout=timeout,
        check=False,
        cwd=SCRIPTS,
    )
    if done.returncode != 0:
        raise AssertionError(
            f"{' '.join(cmd)} exited {done.returncode}\nstdout:\n{done.stdout}\n"
            f"stderr:\n{done.stderr}"
        )
    return done.stdout


def run_json(cmd: list[str], env: dict[str, str], stdin: object = None) -> Any:
    """Run an SDK script that prints one JSON document on stdout."""
    out = run(cmd, env, stdin)
    try:
        return json.loads(out)
    except ValueError:
        raise AssertionError(f"{' '.join(cmd)} printed no JSON:\n{out}") from None


def node(script: str, env: dict[str, str], stdin: object, modules: Path) -> Any:
    """Run tests/sdk/node/<script> with the cached packages on NODE_PATH."""
    return run_json(
        [node_binary(), str(SCRIPTS / "node" / script)], {**env, "NODE_PATH": str(modules)}, stdin
    )
