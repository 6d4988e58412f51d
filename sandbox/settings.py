"""Every setting, declared once. The table feeds the CLI flags, the `NEXMO_SANDBOX_*`
environment variables, validation and the docs (a test checks the README lists them all)."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Literal

ClockModeName = Literal["manual", "live"]
# The longest a handset may wait before acting on its own: a year and a bit. More is a typo,
# and a timer further out than the calendar can name could not be shown.
MAX_DELAY = 400 * 24 * 3600.0


def _float_or_none(text: str) -> float | None:
    if text.strip().lower() in ("", "none", "off"):
        return None
    value = float(text)
    if not 0 <= value <= MAX_DELAY:  # also refuses nan and inf
        raise ValueError(f"must be a number of seconds from 0 to {MAX_DELAY:.0f}")
    return value


# What `serve` keeps unless told otherwise: a day of heavy manual QA and then some, in about
# 100 MB (bench/retention.py); the library and the fixture keep everything.
SERVE_MAX_MESSAGES = 50_000


def _bound(text: str) -> int | None:
    if text.strip().lower() in ("0", "none", "off"):
        return None
    value = int(text)
    if not 1 <= value <= 10**9:
        raise ValueError("must be a count of messages from 1 to 1000000000, or 0 for no bound")
    return value


def _bool(text: str) -> bool:
    low = text.strip().lower()
    if low in ("1", "true", "yes", "on"):
        return True
    if low in ("0", "false", "no", "off", ""):
        return False
    raise ValueError(f"not a boolean: {text!r}")


def _names(text: str) -> tuple[str, ...]:
    return tuple(p.strip() for p in text.split(",") if p.strip())


def _port(text: str) -> int:
    value = int(text)
    if not 0 <= value <= 65535:
        raise ValueError("must be 0..65535")
    return value


def _accounts(text: str) -> tuple[str, ...]:
    items = tuple(p.strip() for p in text.split(",") if p.strip())
    for item in items:
        if ":" not in item:
            raise ValueError(f"{item!r} is not API_KEY:API_SECRET")
    return items


@dataclass(frozen=True)
class Option:
    name: str  # the Settings field; flag --name-with-dashes; env NEXMO_SANDBOX_NAME
    parse: Callable[[str], Any]
    help: str
    choices: tuple[str, ...] | None = None
    flag_only_bool: bool = False  # a store_true flag on the CLI

    @property
    def flag(self) -> str:
        return "--" + self.name.replace("_", "-")

    @property
    def env(self) -> str:
        return "NEXMO_SANDBOX_" + self.name.upper()


OPTIONS: tuple[Option, ...] = (
    Option("host", str, "Interface to listen on (keep 127.0.0.1 unless you mean it)."),
    Option("port", _port, "HTTP port (0 picks a free one)."),
    Option(
        "allowed_hosts",
        _names,
        "More Host names the sandbox answers to, NAME[,NAME] (a DNS-rebinding guard refuses "
        "others; loopback names always work, * allows any).",
    ),
    Option(
        "clock",
        str,
        "Virtual clock: live follows the wall clock, manual stands still.",
        choices=("live", "manual"),
    ),
    Option(
        "strict_auth", _bool, "Verify JWT signatures and Basic credentials.", flag_only_bool=True
    ),
    Option("accounts", _accounts, "Known API keys, API_KEY:API_SECRET[,...] (strict auth)."),
    Option("auto_deliver", _float_or_none, "Handsets mark messages delivered after N virtual s."),
    Option("auto_read", _float_or_none, "Handsets mark delivered messages read after N virtual s."),
    Option("status_url", str, "Default status webhook URL."),
    Option("inbound_url", str, "Default inbound webhook URL."),
    Option(
        "signature_secret",
        str,
        "Webhook signature secret (else generated once, kept in --state-dir).",
    ),
    Option("webhook_connect_timeout", float, "Webhook connect timeout, real seconds."),
    Option("webhook_timeout", float, "Webhook response timeout, real seconds."),
    Option(
        "failover_on_undeliverable",
        _bool,
        "v1 failover also moves on when a message is undeliverable (Vonage: rejected only).",
        flag_only_bool=True,
    ),
    Option(
        "control_token",
        str,
        "Require this token (Bearer, or ?token= once in the browser) for the control API and "
        "the inbox; under --strict-auth it is what allows weakening auth at run time.",
    ),
    Option("db", str, "Keep state in this SQLite file across restarts."),
    Option(
        "max_messages",
        _bound,
        f"Keep at most N messages, dropping the conversations quiet longest with their webhook "
        f"records (serve: {SERVE_MAX_MESSAGES}; 0: no bound).",
    ),
    Option(
        "tls", _bool, "Also listen with HTTPS using a generated certificate.", flag_only_bool=True
    ),
    Option("tls_port", _port, "HTTPS port for --tls."),
    Option("state_dir", str, "Folder for generated state (TLS certificate, secrets)."),
    Option("log_level", str, "Log level.", choices=("debug", "info", "warning", "error")),
)


@dataclass(frozen=True)
class Settings:
    host: str = "127.0.0.1"
    port: int = 8000
    allowed_hosts: tuple[str, ...] = ()
    clock: ClockModeName = "manual"  # `serve` defaults to live; tests and the library to manual
    strict_auth: bool = False
    accounts: tuple[str, ...] = ()
    auto_deliver: float | None = None
    auto_read: float | None = None
    status_url: str | None = None
    inbound_url: str | None = None
    signature_secret: str | None = None
    webhook_connect_timeout: float = 3.0
    webhook_timeout: float = 15.0
    failover_on_undeliverable: bool = False
    control_token: str | None = None
    db: str | None = None
    max_messages: int | None = None  # `serve` starts from SERVE_MAX_MESSAGES
    tls: bool = False
    tls_port: int = 8443
    state_dir: str | None = None
    log_level: str = "info"

    def replace(self, **changes: Any) -> Settings:
        return dataclasses.replace(self, **changes)

    @classmethod
    def from_env(cls, environ: Mapping[str, str], base: Settings | None = None) -> Settings:
        """Settings from `NEXMO_SANDBOX_*` variables on top of ``base``."""
        changes: dict[str, Any] = {}
        for opt in OPTIONS:
            raw = environ.get(opt.env)
            if raw is None:
                continue
            changes[opt.name] = parse_value(opt, raw)
        return (base or cls()).replace(**changes)


def parse_value(opt: Option, raw: str) -> Any:
    try:
        value = opt.parse(raw)
    except ValueError as exc:
        raise ValueError(f"{opt.flag} / {opt.env}: {exc}") from None
    if opt.choices is not None and value not in opt.choices:
        raise ValueError(f"{opt.flag} / {opt.env}: must be one of {', '.join(opt.choices)}")
    return value


assert {o.name for o in OPTIONS} == {f.name for f in dataclasses.fields(Settings)}
