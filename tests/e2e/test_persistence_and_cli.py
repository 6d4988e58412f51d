"""`--db` keeps state across restarts; `nexmo-sandbox serve` runs as a real process and stops
cleanly on Ctrl-C."""

from __future__ import annotations

import os
import pathlib
import signal
import subprocess
import sys
import threading
from typing import Any

import httpx
import pytest

from sandbox.app import create_app
from sandbox.settings import Settings
from tests.conftest import Api
from tests.e2e.banner import read_banner
from tests.helpers import BASIC, bearer, sms


def test_db_keeps_messages_applications_and_accounts(tmp_path: pathlib.Path) -> None:
    db = str(tmp_path / "sandbox.db")
    settings = Settings(clock="manual", db=db)
    with Api(create_app(settings)) as api:
        kept = api.send_v1(sms(text="kept"), auth=bearer("persisted-app")).json()["message_uuid"]
        api.mark(kept, "delivered")
        api.put("/_sandbox/applications/persisted-app", json={"status_url": "http://127.0.0.1:1/s"})
        api.send_v1(sms(text="basic"), auth=BASIC)
        api.advance(3600)
        later = api.get("/_sandbox/clock").json()["now_ts"]
    with Api(create_app(settings)) as api:
        msg = api.get(f"/_sandbox/messages/{kept}").json()
        assert msg["text"] == "kept" and msg["status"] == "delivered"
        assert [h["status"] for h in msg["history"]] == ["submitted", "delivered"]
        assert api.get("/_sandbox/messages").json()["total"] == 2
        app = api.get("/_sandbox/applications/persisted-app").json()
        assert app["status_url"] == "http://127.0.0.1:1/s"
        assert "abcd1234" in {
            a["api_key"] for a in api.get("/_sandbox/accounts").json()["accounts"]
        }
        # The wrong secret for a remembered key is refused after the restart too.
        wrong = "Basic YWJjZDEyMzQ6d3Jvbmc="
        assert api.send_v1(sms(), auth=wrong).status_code == 401
        assert api.get("/_sandbox/clock").json()["now_ts"] >= later - 3600
        api.post("/_sandbox/reset", json={})
    with Api(create_app(settings)) as api:
        assert api.get("/_sandbox/messages").json()["total"] == 0


def test_serve_prints_where_it_listens_and_exits_on_ctrl_c(tmp_path: pathlib.Path) -> None:
    state = tmp_path / "state"
    first = _serve_once(state)
    # A restart signs with the same generated secret (kept in the state folder, mode 0600), so
    # an app's verification keeps working; another state folder has its own.
    assert _serve_once(state) == first
    assert (state / "signature-secret").read_text().strip() == first
    assert (state / "signature-secret").stat().st_mode & 0o777 == 0o600
    assert _serve_once(tmp_path / "other") != first


def _serve_once(state: pathlib.Path) -> str:
    """Start `serve`, check its banner and one request, stop it with Ctrl-C; its secret."""
    env = {
        **os.environ,
        "NEXMO_SANDBOX_PORT": "0",
        "NEXMO_SANDBOX_LOG_LEVEL": "warning",
        "NEXMO_SANDBOX_STATE_DIR": str(state),
    }
    proc = subprocess.Popen(
        [sys.executable, "-m", "sandbox", "serve", "--auto-deliver", "1"],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env=env,
    )
    # Whatever goes wrong below, the child never outlives the test by more than 30 s.
    watchdog = threading.Timer(30, proc.kill)
    watchdog.start()
    try:
        url, banner, secret_line = read_banner(proc)
        assert any("inbox UI" in line and url in line for line in banner), banner
        assert f"kept in {state}" in secret_line, secret_line
        secret = secret_line.split("signature secret: ", 1)[1].split()[0]
        # The socket listens before the banner is printed: a request now waits in its backlog
        # until uvicorn accepts it, never refused, so no readiness loop is needed.
        with httpx.Client(base_url=url, timeout=10) as http:
            health = http.get("/_sandbox/health")
            assert health.json()["status"] == "ok"
            assert health.json()["clock"] == "live"
            r = http.post("/v1/messages", json=sms(), headers={"Authorization": BASIC})
            assert r.status_code == 202
        proc.send_signal(signal.SIGINT)
        out, _ = proc.communicate(timeout=15)
        assert proc.returncode == 0, out
        assert "nexmo-sandbox stopped" in out
        assert "Traceback" not in out
        return secret
    finally:
        watchdog.cancel()
        if proc.poll() is None:
            proc.kill()
        proc.wait(timeout=10)


def _serve_exit(*args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "NEXMO_SANDBOX_PORT": "0"}
    return subprocess.run(
        [sys.executable, "-m", "sandbox", "serve", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )


def test_an_unusable_db_is_refused_at_start_with_a_clear_message(tmp_path: pathlib.Path) -> None:
    corrupt = tmp_path / "corrupt.db"
    corrupt.write_bytes(b"this is not a database" * 100)
    readonly = tmp_path / "readonly.db"
    create_app(Settings(db=str(readonly)))  # a real sandbox file
    readonly.chmod(0o444)
    for path in (corrupt, readonly, tmp_path / "no-such-dir" / "x.db"):
        if path == readonly and os.geteuid() == 0:
            continue  # root writes through file modes; the corrupt and missing cases still run
        done = _serve_exit("--db", str(path))
        assert done.returncode == 1, done.stdout + done.stderr
        out = done.stdout + done.stderr
        assert f"--db {path}: cannot keep state there" in out
        assert "Traceback" not in out


def test_a_write_that_fails_leaves_nothing_half_done(tmp_path: pathlib.Path) -> None:
    """The file stops growing (as on a full disk): the send is answered 503 and is not kept in
    memory either, so a client that retries creates no duplicate; a status mark is taken
    back the same way; once there is room again everything works."""
    settings = Settings(clock="manual", db=str(tmp_path / "full.db"))
    app = create_app(settings)
    with Api(app) as api:
        kept = api.send_v1(sms(text="kept"), auth=BASIC).json()["message_uuid"]
        db = app.state.runtime.persistence.db
        pages = db.execute("PRAGMA page_count").fetchone()[0]
        db.execute(f"PRAGMA max_page_count = {pages}")  # SQLITE_FULL from the next new page
        for i in range(40):  # until a page is needed
            r = api.send_v1(sms(text="x" * 900 + str(i)), auth=BASIC)
            if r.status_code != 202:
                break
        assert r.status_code == 503, r.text
        assert r.headers["content-type"] == "application/problem+json"
        assert r.json()["type"].endswith("#storage")
        assert "nothing of this request was kept" in r.json()["detail"]
        total = api.get("/_sandbox/messages").json()["total"]
        assert total == i + 1  # the refused send is not in memory
        db.execute("PRAGMA max_page_count = 1073741823")
        db.execute("PRAGMA query_only = ON")  # any write fails, small updates included
        marked = api.post(f"/_sandbox/messages/{kept}/status", json={"status": "delivered"})
        assert marked.status_code == 503
        assert api.get(f"/_sandbox/messages/{kept}").json()["status"] == "submitted"
        db.execute("PRAGMA query_only = OFF")
        assert api.send_v1(sms(text="room again"), auth=BASIC).status_code == 202
        assert api.post(
            f"/_sandbox/messages/{kept}/status", json={"status": "delivered"}
        ).is_success
    with Api(create_app(settings)) as api:  # what memory held is what the file holds
        assert api.get("/_sandbox/messages").json()["total"] == total + 1
        assert api.get(f"/_sandbox/messages/{kept}").json()["status"] == "delivered"


def _fail_inserts(db: Any, table: str) -> None:
    """Every insert into ``table`` fails, as a full disk would fail it mid-request."""
    db.execute(
        f"CREATE TRIGGER full_{table} BEFORE INSERT ON {table} "
        "BEGIN SELECT RAISE(ABORT, 'disk full'); END;"
    )


@pytest.mark.parametrize("table", ["deliveries", "timers"])
def test_a_write_failing_late_in_a_send_takes_the_whole_send_back(
    tmp_path: pathlib.Path, table: str
) -> None:
    """Not the message's own row but one written after it (its webhook record, its handset's
    auto-delivery): the send still answers 503 and nothing of it stays, on disk or in memory."""
    settings = Settings(
        clock="manual",
        db=str(tmp_path / "late.db"),
        status_url="http://127.0.0.1:9/s",
        auto_deliver=5,
    )
    app = create_app(settings)
    with Api(app) as api:
        db = app.state.runtime.persistence.db
        _fail_inserts(db, table)
        r = api.send_v1(sms(text="refused"), auth=BASIC)
        assert r.status_code == 503, r.text
        assert api.get("/_sandbox/messages").json()["total"] == 0
        assert len(app.state.runtime.webhooks.ledger) == 0
        assert db.execute("SELECT count(*) FROM messages").fetchone()[0] == 0
        db.execute(f"DROP TRIGGER full_{table}")
        assert api.send_v1(sms(text="kept"), auth=BASIC).status_code == 202
    with Api(create_app(settings)) as api:
        texts = [m["text"] for m in api.get("/_sandbox/messages").json()["messages"]]
        assert texts == ["kept"]
        api.advance(5)  # the kept message's auto-delivery was kept with it
        assert api.get("/_sandbox/messages").json()["messages"][0]["status"] == "delivered"


def test_a_refused_dispatch_leaves_no_workflow_to_come_back(tmp_path: pathlib.Path) -> None:
    from tests.e2e.test_restart_resumes import dispatch_body

    settings = Settings(clock="manual", db=str(tmp_path / "d.db"))
    app = create_app(settings)
    with Api(app) as api:
        db = app.state.runtime.persistence.db
        _fail_inserts(db, "messages")
        r = api.post("/v0.1/dispatch", json=dispatch_body(), headers={"Authorization": bearer("d")})
        assert r.status_code == 503, r.text
        assert db.execute("SELECT count(*) FROM workflows").fetchone()[0] == 0
        assert api.get("/_sandbox/dispatches").json()["total"] == 0
        db.execute("DROP TRIGGER full_messages")
    with Api(create_app(settings)) as api:
        assert api.get("/_sandbox/dispatches").json()["total"] == 0
        api.advance(700)  # no expiry of a refused request sends its fallback
        assert api.get("/_sandbox/messages").json()["total"] == 0


def test_a_fired_timer_whose_row_cannot_be_dropped_does_not_stop_the_clock(
    tmp_path: pathlib.Path,
) -> None:
    """Deleting a fired handset move's row fails (the file refuses deletes): the move still
    happens, later ones too, and nothing is recorded as a sandbox error."""
    settings = Settings(clock="manual", db=str(tmp_path / "t.db"), auto_deliver=5)
    app = create_app(settings)
    with Api(app) as api:
        db = app.state.runtime.persistence.db
        db.execute(
            "CREATE TRIGGER keep_timers BEFORE DELETE ON timers "
            "BEGIN SELECT RAISE(ABORT, 'disk I/O error'); END;"
        )
        first = api.send_v1(sms(text="one"), auth=BASIC).json()["message_uuid"]
        api.advance(5)
        assert api.get(f"/_sandbox/messages/{first}").json()["status"] == "delivered"
        second = api.send_v1(sms(text="two"), auth=BASIC).json()["message_uuid"]
        api.advance(5)
        assert api.get(f"/_sandbox/messages/{second}").json()["status"] == "delivered"
        assert api.get("/_sandbox/errors").json()["total"] == 0
