"""`--db PATH`: keep messages, applications and accounts in SQLite across restarts.

The store stays in memory (fast queries, one code path); this adapter listens on the bus and
writes every change through to SQLite, and loads the file back at start-up. What is not kept:
pending timers (auto-delivery, failover expiry, webhook retries) and the webhook ledger; after a
restart those start empty, and the clock starts from the later of the wall clock and the last
stored event.
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import asdict
from typing import Any

from sandbox.core.events import (
    AccountUpdated,
    ApplicationUpdated,
    ConversationSeen,
    Event,
    EventBus,
    MessageCreated,
    MessageInbound,
    MessageStatus,
    MessageUpdated,
    Reset,
)
from sandbox.core.models import Account, Application, Message, StatusChange, WorkflowRef
from sandbox.core.store import Store

KINDS: tuple[type[Event], ...] = (
    MessageCreated,
    MessageStatus,
    MessageUpdated,
    MessageInbound,
    ConversationSeen,
    ApplicationUpdated,
    AccountUpdated,
    Reset,
)

SCHEMA = """
CREATE TABLE IF NOT EXISTS messages (seq INTEGER PRIMARY KEY AUTOINCREMENT,
                                     uuid TEXT UNIQUE NOT NULL, application_id TEXT,
                                     data TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS applications (id TEXT PRIMARY KEY, data TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS accounts (api_key TEXT PRIMARY KEY, data TEXT NOT NULL);
"""


def message_to_json(m: Message) -> str:
    return json.dumps(asdict(m), separators=(",", ":"))


def message_from_json(text: str) -> Message:
    data: dict[str, Any] = json.loads(text)
    data["history"] = [StatusChange(**c) for c in data["history"]]
    if data.get("workflow") is not None:
        data["workflow"] = WorkflowRef(**data["workflow"])
    return Message(**data)


class UnusableDatabase(Exception):
    """`--db` names a file the sandbox cannot keep its state in (corrupt, not SQLite, read-only,
    in a folder that does not exist): said at start, never found out mid-run."""


class SqlitePersistence:
    def __init__(self, path: str, store: Store, bus: EventBus) -> None:
        self.store = store
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
        bus.on_any(self._on_event, KINDS)

    def load(self) -> float | None:
        """Fill the store from the file; returns the latest stored time, if any."""
        latest: float | None = None
        for (text,) in self.db.execute("SELECT data FROM applications"):
            app = Application(**json.loads(text))
            self.store.applications[app.id] = app
        for (text,) in self.db.execute("SELECT data FROM accounts"):
            account = Account(**json.loads(text))
            self.store.accounts[account.api_key] = account
        for (text,) in self.db.execute("SELECT data FROM messages ORDER BY seq"):
            message = message_from_json(text)
            self.store.add(message)
            at = message.history[-1].at
            latest = at if latest is None else max(latest, at)
        return latest

    def _on_event(self, event: Event) -> None:
        if isinstance(event, MessageCreated | MessageStatus | MessageUpdated | MessageInbound):
            self._message(event.message)
        elif isinstance(event, ConversationSeen):
            for m in event.messages:
                self._message(m)
        elif isinstance(event, ApplicationUpdated):
            self.db.execute(
                "INSERT INTO applications (id, data) VALUES (?, ?) "
                "ON CONFLICT(id) DO UPDATE SET data = excluded.data",
                (event.app.id, json.dumps(asdict(event.app))),
            )
        elif isinstance(event, AccountUpdated):
            self.db.execute(
                "INSERT INTO accounts (api_key, data) VALUES (?, ?) "
                "ON CONFLICT(api_key) DO UPDATE SET data = excluded.data",
                (event.account.api_key, json.dumps(asdict(event.account))),
            )
        elif isinstance(event, Reset):
            if event.scope is None:
                self.db.executescript(
                    "DELETE FROM messages; DELETE FROM applications; DELETE FROM accounts;"
                )
            else:
                self.db.execute("DELETE FROM messages WHERE application_id = ?", (event.scope,))
                self.db.execute("DELETE FROM applications WHERE id = ?", (event.scope,))

    def _message(self, m: Message) -> None:
        self.db.execute(
            "INSERT INTO messages (uuid, application_id, data) VALUES (?, ?, ?) "
            "ON CONFLICT(uuid) DO UPDATE SET data = excluded.data",
            (m.uuid, m.application_id, message_to_json(m)),
        )

    def close(self) -> None:
        self.db.close()
