"""`--db PATH`: keep what the sandbox holds in SQLite, so a restart (even after kill -9)
resumes where it stopped.

The store stays in memory (fast queries, one code path); this adapter listens on the bus and
writes every change through to SQLite, and gives it all back at start-up. Kept: messages,
applications, accounts, v1 failover and Dispatch workflows, the webhook ledger (with pending
retries and deliveries still in flight), the handsets' own pending moves (auto-deliver,
auto-read) and the virtual time. Timers that belong to a workflow or a delivery are not kept as
such: the owner sets them again from its record (a Dispatch step's `due`, a delivery's
`next_attempt_at`), so there is one truth for each. Run-time config (`PUT /_sandbox/config`) is
not kept: the flags a restart is given say how it runs.

The file uses SQLite's write-ahead log; all that one cascade of events writes is one
transaction (the bus's unit of work: :meth:`begin` / :meth:`end`), so kill -9 loses at most the
cascade being written, and a write that fails takes the whole cascade back (StorageFailed).
"""

from __future__ import annotations

import contextlib
import json
import logging
import sqlite3
from dataclasses import asdict
from typing import TYPE_CHECKING

from sandbox.asgi.records import (
    delivery_from_json,
    delivery_to_json,
    message_from_json,
    message_to_json,
    workflow_from_json,
    workflow_to_json,
)
from sandbox.control.handsets import parse_handset
from sandbox.core.errors import StorageFailed
from sandbox.core.events import (
    AccountUpdated,
    ApplicationUpdated,
    ConversationSeen,
    Event,
    MessageCreated,
    MessageInbound,
    MessageStatus,
    MessageUpdated,
    Pruned,
    Reset,
    WebhookUpdated,
    WorkflowUpdated,
)
from sandbox.core.handsets import Handset
from sandbox.core.models import Account, Application, Message
from sandbox.core.scheduler import Timer, TimerKind
from sandbox.core.workflow import goes_with

if TYPE_CHECKING:
    from sandbox.asgi.runtime import Runtime

KINDS: tuple[type[Event], ...] = (
    MessageCreated,
    MessageStatus,
    MessageUpdated,
    MessageInbound,
    ConversationSeen,
    ApplicationUpdated,
    AccountUpdated,
    WorkflowUpdated,
    WebhookUpdated,
    Pruned,
    Reset,
)
log = logging.getLogger("nexmo_sandbox.persistence")
ALL_TABLES = (
    "messages",
    "applications",
    "accounts",
    "workflows",
    "deliveries",
    "timers",
    "handsets",
)
# Timers no record rebuilds: a handset's own move on a message.
KEPT_TIMERS: frozenset[TimerKind] = frozenset({"auto-deliver", "auto-read"})

SCHEMA = """
CREATE TABLE IF NOT EXISTS messages (seq INTEGER PRIMARY KEY AUTOINCREMENT,
                                     uuid TEXT UNIQUE NOT NULL, application_id TEXT,
                                     data TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS applications (id TEXT PRIMARY KEY, data TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS accounts (api_key TEXT PRIMARY KEY, data TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS workflows (seq INTEGER PRIMARY KEY AUTOINCREMENT,
                                      id TEXT UNIQUE NOT NULL, application_id TEXT,
                                      data TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS deliveries (seq INTEGER PRIMARY KEY AUTOINCREMENT,
                                       id TEXT UNIQUE NOT NULL, application_id TEXT,
                                       message_uuid TEXT, data TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS deliveries_by_message ON deliveries (message_uuid);
CREATE TABLE IF NOT EXISTS timers (kind TEXT NOT NULL, ref TEXT NOT NULL, due REAL NOT NULL,
                                   application_id TEXT, PRIMARY KEY (kind, ref));
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS handsets (address TEXT PRIMARY KEY, data TEXT NOT NULL);
"""


class UnusableDatabase(Exception):
    """`--db` names a file the sandbox cannot keep its state in (corrupt, not SQLite, read-only,
    in a folder that does not exist): said at start, never found out mid-run."""


class SqlitePersistence:
    def __init__(self, path: str, rt: Runtime) -> None:
        self.rt = rt
        try:
            # One connection, used only from the server's event loop thread.
            self.db = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
            self.db.execute("PRAGMA journal_mode=WAL")
            self.db.execute("PRAGMA synchronous=NORMAL")
            self.db.executescript(SCHEMA)
            # A read-only file opens and reads fine; find out now that it cannot be written.
            self.db.execute("BEGIN IMMEDIATE")
            self.db.execute("ROLLBACK")
        except sqlite3.Error as exc:
            raise UnusableDatabase(
                f"--db {path}: cannot keep state there ({exc}). Give a writable SQLite file "
                "(a new name is created), or leave out --db."
            ) from None
        self.path = path
        self._now_kept: float | None = None  # the virtual time the file holds

    # -- start-up ---------------------------------------------------------------------------
    def load(self) -> float | None:
        """Give back everything kept, then start writing changes through; returns the latest
        virtual time the file knew, if any."""
        try:
            latest = self._load()
        except (sqlite3.Error, ValueError, TypeError, KeyError) as exc:
            raise UnusableDatabase(
                f"--db {self.path}: its content cannot be read back ({exc!r}). Move the file "
                "aside to start afresh, or give another --db."
            ) from None
        self.rt.bus.on_any(self._write, KINDS, first=True)
        self.rt.bus.unit = self
        self.rt.scheduler.observer = self
        self.rt.handsets.on_change = self._handset
        return latest

    def _load(self) -> float | None:
        rt = self.rt
        latest: float | None = None

        def later(at: float | None) -> None:
            nonlocal latest
            if at is not None:
                latest = at if latest is None else max(latest, at)

        store = rt.store
        for (text,) in self.db.execute("SELECT data FROM applications"):
            app = Application(**json.loads(text))
            store.applications[app.id] = app
        for (text,) in self.db.execute("SELECT data FROM accounts"):
            account = Account(**json.loads(text))
            store.accounts[account.api_key] = account
        for address, text in self.db.execute("SELECT address, data FROM handsets"):
            data = json.loads(text)
            for key in ("address", "source"):
                data.pop(key, None)
            rt.handsets.put(parse_handset(address, data, rt.channels))
        for (text,) in self.db.execute("SELECT data FROM messages ORDER BY seq"):
            message = message_from_json(text)
            store.add(message)
            later(message.history[-1].at)
        row = self.db.execute("SELECT value FROM meta WHERE key = 'now'").fetchone()
        if row is not None:
            later(float(row[0]))
        if latest is not None:
            # Before anything is re-armed: timers due in the past fire at the next move.
            rt.clock.move_to(max(latest, rt.clock.now()))
        for (text,) in self.db.execute("SELECT data FROM deliveries ORDER BY seq"):
            rt.webhooks.resume(delivery_from_json(text))
        for (text,) in self.db.execute("SELECT data FROM workflows ORDER BY seq"):
            wf = workflow_from_json(text)
            (rt.failover if wf.kind == "v1" else rt.dispatches).resume(wf)
        # What handsets and TTLs still have to do is planned again from the messages' times.
        for message in list(store):
            rt.handset_life.resume(message)
        gone = []
        for kind, ref, due in self.db.execute("SELECT kind, ref, due FROM timers").fetchall():
            if kind not in KEPT_TIMERS or not rt.engine.resume_auto(kind, ref, due):
                gone.append((kind, ref))
        self.db.executemany("DELETE FROM timers WHERE kind = ? AND ref = ?", gone)
        return latest

    # -- one transaction per cascade of events (the bus's unit of work) ---------------------------
    def begin(self) -> None:
        self._run("BEGIN")

    def end(self, failed: BaseException | None) -> None:
        if isinstance(failed, StorageFailed):
            with contextlib.suppress(sqlite3.Error):
                self.db.execute("ROLLBACK")
            return
        # The virtual time goes with every change (a clock move is a cascade of its own; a live
        # clock publishes none), so a restart never starts before what it last did. Written
        # only when it moved: a manual clock stands still across most sends.
        now = self.rt.clock.now()
        if now != self._now_kept:
            self._run(
                "INSERT INTO meta (key, value) VALUES ('now', ?) "
                "ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                (repr(now),),
            )
        try:
            self.db.execute("COMMIT")
        except sqlite3.Error as exc:
            with contextlib.suppress(sqlite3.Error):
                self.db.execute("ROLLBACK")
            raise self._failed(exc) from None
        self._now_kept = now

    def _run(self, sql: str, args: tuple[object, ...] = ()) -> None:
        try:
            self.db.execute(sql, args)
        except sqlite3.Error as exc:
            raise self._failed(exc) from None

    def _failed(self, exc: sqlite3.Error) -> StorageFailed:
        return StorageFailed(
            f"--db {self.path} could not be written ({exc}); nothing of this request was "
            "kept. Free disk space (or fix the file) and send it again."
        )

    # -- writing through ----------------------------------------------------------------------
    def _write(self, event: Event) -> None:
        """First of every subscriber: a change that cannot be written raises before anything
        reacted to it, and the engine takes it back (StorageFailed)."""
        try:
            self._on_event(event)
        except sqlite3.Error as exc:
            raise self._failed(exc) from None

    def _on_event(self, event: Event) -> None:
        db = self.db
        if isinstance(event, MessageCreated | MessageStatus | MessageUpdated | MessageInbound):
            self._message(event.message)
        elif isinstance(event, ConversationSeen):
            for m in event.messages:
                self._message(m)
        elif isinstance(event, WebhookUpdated):
            d = event.delivery
            if not self.rt.webhooks.ledger.holds(d):
                return  # an attempt that outlived a reset or a prune: its record is gone
            db.execute(
                "INSERT INTO deliveries (id, application_id, message_uuid, data) "
                "VALUES (?, ?, ?, ?) ON CONFLICT(id) DO UPDATE SET data = excluded.data",
                (d.id, d.application_id, d.message_uuid, delivery_to_json(d)),
            )
        elif isinstance(event, WorkflowUpdated):
            wf = event.workflow
            db.execute(
                "INSERT INTO workflows (id, application_id, data) VALUES (?, ?, ?) "
                "ON CONFLICT(id) DO UPDATE SET data = excluded.data",
                (wf.id, wf.sender.application_id, workflow_to_json(wf)),
            )
        elif isinstance(event, ApplicationUpdated):
            db.execute(
                "INSERT INTO applications (id, data) VALUES (?, ?) "
                "ON CONFLICT(id) DO UPDATE SET data = excluded.data",
                (event.app.id, json.dumps(asdict(event.app))),
            )
        elif isinstance(event, AccountUpdated):
            db.execute(
                "INSERT INTO accounts (api_key, data) VALUES (?, ?) "
                "ON CONFLICT(api_key) DO UPDATE SET data = excluded.data",
                (event.account.api_key, json.dumps(asdict(event.account))),
            )
        elif isinstance(event, Reset):
            self._reset(event.scope)
        elif isinstance(event, Pruned):
            self._pruned(event.messages)

    def _pruned(self, messages: tuple[Message, ...]) -> None:
        uuids = [(m.uuid,) for m in messages]
        self.db.executemany("DELETE FROM messages WHERE uuid = ?", uuids)
        self.db.executemany("DELETE FROM deliveries WHERE message_uuid = ?", uuids)
        # Written before the runners drop them (this subscriber comes first), by their rule.
        tables = {"v1": self.rt.failover.table, "dispatch": self.rt.dispatches.table}
        gone = set()
        for m in messages:
            ref = m.workflow
            if ref is not None:
                wf = tables[ref.kind].get(ref.id)
                if wf is None or goes_with(wf, m.uuid):
                    gone.add((ref.id,))
        self.db.executemany("DELETE FROM workflows WHERE id = ?", gone)

    def _reset(self, scope: str | None) -> None:
        if scope is None:
            # Statement by statement: executescript would commit the transaction under way.
            for table in ALL_TABLES:
                self.db.execute(f"DELETE FROM {table}")
            return
        for table in ("messages", "workflows", "deliveries", "timers"):
            self.db.execute(f"DELETE FROM {table} WHERE application_id = ?", (scope,))
        self.db.execute("DELETE FROM applications WHERE id = ?", (scope,))

    def _message(self, m: Message) -> None:
        self.db.execute(
            "INSERT INTO messages (uuid, application_id, data) VALUES (?, ?, ?) "
            "ON CONFLICT(uuid) DO UPDATE SET data = excluded.data",
            (m.uuid, m.application_id, message_to_json(m)),
        )

    # -- the scheduler's observer (handset moves only) -------------------------------------------
    def added(self, timer: Timer) -> None:
        if timer.kind in KEPT_TIMERS and timer.ref is not None:
            self._run(
                "INSERT OR REPLACE INTO timers (kind, ref, due, application_id) "
                "VALUES (?, ?, ?, ?)",
                (timer.kind, timer.ref, timer.due, timer.owner),
            )

    def removed(self, timer: Timer) -> None:
        if timer.kind in KEPT_TIMERS and timer.ref is not None:
            self._forget("DELETE FROM timers WHERE kind = ? AND ref = ?", (timer.kind, timer.ref))

    def cleared(self, owner: str | None) -> None:
        if owner is None:
            self._forget("DELETE FROM timers")
        else:
            self._forget("DELETE FROM timers WHERE application_id = ?", (owner,))

    def _forget(self, sql: str, args: tuple[object, ...] = ()) -> None:
        """A row left behind here is harmless (a restart re-arms a handset move only while the
        message still waits for it), and this runs inside the clock's loop, which must never
        stop for it: a failure is logged, not raised."""
        try:
            self.db.execute(sql, args)
        except sqlite3.Error as exc:
            log.warning("--db %s: could not drop a fired timer's row (%s)", self.path, exc)

    def _handset(self, address: str, handset: Handset | None) -> None:
        """A profile set through the control API is kept; one removed (or reset) is not."""
        if handset is None:
            self._run("DELETE FROM handsets WHERE address = ?", (address,))
        else:
            self._run(
                "INSERT INTO handsets (address, data) VALUES (?, ?) "
                "ON CONFLICT(address) DO UPDATE SET data = excluded.data",
                (address, json.dumps(handset.to_dict())),
            )

    def close(self) -> None:
        self.rt.handsets.on_change = None
        self.rt.scheduler.observer = None
        self.rt.bus.unit = None
        self.db.close()
