"""What `nexmo-sandbox serve` says when it is used wrongly, as a QA person reads it: a bad
value names the flag and what it takes under `serve`'s usage, a misspelt flag gets a "did you
mean", an HTTPS request to the plain port gets a hint, and `--tls` announces the process once."""

from __future__ import annotations

import contextlib
import os
import pathlib
import signal
import socket
import ssl
import subprocess
import sys
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field

import httpx
import pytest

from sandbox.cli import main
from sandbox.settings import OPTIONS
from tests.e2e.banner import read_banner

SERVE_USAGE = "usage: nexmo-sandbox serve"


@pytest.fixture(autouse=True)
def no_serving(monkeypatch: pytest.MonkeyPatch) -> None:
    """A value wrongly accepted fails the test instead of serving on port 8000 for ever."""

    def serve(settings: object, out: object) -> int:
        raise AssertionError(f"serve started with {settings}")

    monkeypatch.setattr("sandbox.server.serve", serve)


def refused(
    capsys: pytest.CaptureFixture[str], *args: str, environ: dict[str, str] | None = None
) -> str:
    """`main(["serve", *args])` must exit 2 (argparse's usage error); its last stderr line."""
    with pytest.raises(SystemExit) as exc:
        main(["serve", *args], environ={} if environ is None else environ)
    assert exc.value.code == 2
    err = capsys.readouterr().err
    assert err.startswith(SERVE_USAGE), err  # `serve`'s usage, not the top level's
    assert "invalid literal" not in err and "could not convert" not in err, err
    return err.strip().splitlines()[-1]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--port", "abc"], "argument --port: 'abc' is not a port number (0-65535)"),
        (["--port", "70000"], "argument --port: '70000' is not a port number (0-65535)"),
        (["--port", "+80"], "argument --port: '+80' is not a port number (0-65535)"),
        (["--tls-port=-1"], "argument --tls-port: '-1' is not a port number (0-65535)"),
        (
            ["--auto-deliver", "soon"],
            "argument --auto-deliver: 'soon' is not a number of seconds from 0 to 34560000 "
            "(or off)",
        ),
        (
            ["--auto-read", "nan"],
            "argument --auto-read: 'nan' is not a number of seconds from 0 to 34560000 (or off)",
        ),
        (
            ["--max-messages", "-3"],
            "argument --max-messages: '-3' is not a count of messages from 1 to 1000000000 "
            "(or 0 for no bound)",
        ),
        (
            ["--webhook-timeout", "0"],
            "argument --webhook-timeout: '0' is not a number of seconds above 0 and up to 3600",
        ),
        (
            ["--webhook-connect-timeout", "inf"],
            "argument --webhook-connect-timeout: 'inf' is not a number of seconds above 0 and "
            "up to 3600",
        ),
        (["--accounts", "key-only"], "argument --accounts: 'key-only' is not API_KEY:API_SECRET"),
        (["--clock", "fast"], "argument --clock: invalid choice: 'fast' (choose from"),
        (["--log-level", "loud"], "argument --log-level: invalid choice: 'loud' (choose from"),
    ],
)
def test_a_bad_value_names_the_flag_and_what_it_takes(
    capsys: pytest.CaptureFixture[str], args: list[str], message: str
) -> None:
    assert refused(capsys, *args).startswith(f"nexmo-sandbox serve: error: {message}")


def test_every_checked_option_refuses_a_bad_value_by_name(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """Every option that takes a number, a choice or a list with a shape, not only those above."""
    checked = [o for o in OPTIONS if not o.flag_only_bool and o.parse not in (str,)]
    checked = [o for o in checked if o.name != "allowed_hosts"]  # any names are names
    assert {o.name for o in checked} >= {"port", "tls_port", "auto_deliver", "max_messages"}
    for opt in checked:
        line = refused(capsys, opt.flag, "bogus!")
        assert line.startswith(f"nexmo-sandbox serve: error: argument {opt.flag}: "), line
        assert "'bogus!'" in line, line


def test_a_bad_environment_variable_is_named(capsys: pytest.CaptureFixture[str]) -> None:
    line = refused(capsys, environ={"NEXMO_SANDBOX_PORT": "abc"})
    assert line == "nexmo-sandbox serve: error: NEXMO_SANDBOX_PORT: 'abc' is not a port number " + (
        "(0-65535)"
    )
    line = refused(capsys, environ={"NEXMO_SANDBOX_CLOCK": "fast"})
    assert (
        line == "nexmo-sandbox serve: error: NEXMO_SANDBOX_CLOCK: 'fast' is not one of live, manual"
    )


def test_a_misspelt_flag_gets_serves_usage_and_a_suggestion(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert refused(capsys, "--auto-delivr", "5") == (
        "nexmo-sandbox serve: error: unrecognized arguments: --auto-delivr 5 "
        "(did you mean --auto-deliver?)"
    )
    assert refused(capsys, "--clok=live").endswith("--clok=live (did you mean --clock?)")
    two = refused(capsys, "--prot", "1", "--tls-prot", "2")
    assert two.endswith("(did you mean --port for --prot, --tls-port for --tls-prot?)"), two
    # Nothing close: no guess.
    assert refused(capsys, "--zzzzzz") == (
        "nexmo-sandbox serve: error: unrecognized arguments: --zzzzzz"
    )


def test_the_installed_entry_point_says_the_same() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "sandbox", "serve", "--port", "abc"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 2
    assert done.stderr.startswith(SERVE_USAGE), done.stderr
    assert "argument --port: 'abc' is not a port number (0-65535)" in done.stderr


# -- a real `serve` process -----------------------------------------------------------------


@dataclass
class Served:
    url: str
    banner: list[str]
    log: list[str] = field(default_factory=list)  # stderr, once the process stopped


@contextlib.contextmanager
def serving(state: pathlib.Path, *args: str) -> Iterator[Served]:
    """`serve` as a child process on free ports; stopped with Ctrl-C at the end, when its log
    (uvicorn's lines, on stderr) is filled in."""
    env = {**os.environ, "NEXMO_SANDBOX_PORT": "0", "NEXMO_SANDBOX_STATE_DIR": str(state)}
    env.pop("NEXMO_SANDBOX_LOG_LEVEL", None)  # uvicorn's info lines are what is checked
    proc = subprocess.Popen(
        [sys.executable, "-m", "sandbox", "serve", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    watchdog = threading.Timer(30, proc.kill)  # the child never outlives the test by much
    watchdog.start()
    try:
        url, banner, _ = read_banner(proc)
        served = Served(url, banner)
        yield served
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=15)
        assert proc.returncode == 0, out + err
        served.log = err.splitlines()
    finally:
        watchdog.cancel()
        if proc.poll() is None:
            proc.kill()
        proc.wait(timeout=10)


def tls_handshake(url: str) -> None:
    """What a browser or an SDK does with https://<the plain port>: a TLS ClientHello."""
    port = int(url.rsplit(":", 1)[1])
    context = ssl.create_default_context()
    with (
        socket.create_connection(("127.0.0.1", port), timeout=10) as raw,
        pytest.raises((ssl.SSLError, OSError)),
    ):
        context.wrap_socket(raw, server_hostname="localhost")


def test_https_to_the_plain_port_is_explained_once(tmp_path: pathlib.Path) -> None:
    with serving(tmp_path) as served:
        tls_handshake(served.url)
        tls_handshake(served.url)  # a browser tries again: one hint is enough
        assert httpx.get(served.url + "/_sandbox/health").status_code == 200  # HTTP still works
    port = served.url.rsplit(":", 1)[1]
    hint = (
        f"a TLS (HTTPS) request reached the plain-HTTP port {port}: use {served.url}, "
        "or start with --tls for https on its own port"
    )
    hints = [line for line in served.log if "TLS (HTTPS)" in line]
    assert hints == [f"WARNING:  {hint}"], served.log
    # uvicorn's own line stays, after the hint.
    invalid = [i for i, line in enumerate(served.log) if "Invalid HTTP request received" in line]
    assert len(invalid) == 2 and served.log.index(hints[0]) < invalid[0], served.log


def test_https_to_the_plain_port_points_at_the_tls_listener(tmp_path: pathlib.Path) -> None:
    with serving(tmp_path, "--tls", "--tls-port", "0") as served:
        tls_handshake(served.url)
        (https_line,) = [line for line in served.banner if "with HTTPS on" in line]
    tls_url = https_line.split()[-1]
    hints = [line for line in served.log if "TLS (HTTPS)" in line]
    assert len(hints) == 1 and hints[0].endswith(f"or {tls_url} for https"), served.log


def test_a_plain_http_request_gets_no_hint(tmp_path: pathlib.Path) -> None:
    with serving(tmp_path) as served:
        port = int(served.url.rsplit(":", 1)[1])
        with socket.create_connection(("127.0.0.1", port), timeout=10) as raw:
            raw.sendall(b"\x17 not http\r\n\r\n")  # garbage, but not a TLS handshake
            assert raw.recv(100).startswith(b"HTTP/1.1 400")
    assert any("Invalid HTTP request received" in line for line in served.log), served.log
    assert not any("TLS (HTTPS)" in line for line in served.log), served.log


@pytest.mark.parametrize("tls", [False, True])
def test_the_process_is_announced_once(tmp_path: pathlib.Path, tls: bool) -> None:
    args = ("--tls", "--tls-port", "0") if tls else ()
    with serving(tmp_path, *args) as served:
        assert httpx.get(served.url + "/_sandbox/health").status_code == 200
    for announcement in ("Started server process", "Shutting down", "Finished server process"):
        lines = [line for line in served.log if announcement in line]
        assert len(lines) == 1, (announcement, served.log)
    # One server's story, in its order: the process finishes last.
    assert "Finished server process" in served.log[-1], served.log


# -- the test run's own summary (tests/conftest.py) -----------------------------------------


def test_a_test_run_says_how_many_tests_were_skipped_and_why(tmp_path: pathlib.Path) -> None:
    """Even under -q, where pytest shows only a count: `make test` without Chromium must say
    that the browser tests did not run."""
    (tmp_path / "test_some.py").write_text(
        "import pytest\n"
        "@pytest.mark.parametrize('i', range(3))\n"
        "def test_browser(i):\n"
        "    pytest.skip('Chromium not found')\n"
        "def test_node():\n"
        "    pytest.skip('node not found')\n"
        "def test_ok():\n"
        "    pass\n"
    )
    root = pathlib.Path(__file__).resolve().parents[2]
    env = {**os.environ, "PYTHONPATH": str(root)}
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "tests.conftest", "-p", "no:cacheprovider"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    lines = [line.strip() for line in done.stdout.splitlines()]
    at = next(i for i, line in enumerate(lines) if "4 tests skipped" in line)
    assert lines[at + 1 : at + 3] == ["Chromium not found (x3)", "node not found (x1)"], lines
    assert lines[-1].startswith("1 passed, 4 skipped"), lines
