"""Every setting, declared once. The table feeds the CLI flags, the `NEXMO_SANDBOX_*`
environment variables, validation and the docs (a test checks the README lists them all)."""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Literal

ClockModeName = Literal["manual", "live"]
# The longest a handset may wait before acting on its own: a year and a bit. More is a typo,
# and a timer further out than the calendar can name could not be shown.
MAX_DELAY = 400 * 24 * 3600.0


def _rate(text: str) -> float | None:
    if text.strip().lower() in ("", "none", "off"):
        return None
    value = _finite(text)
    if value is None or not 0 < value <= 1_000_000:
        raise ValueError(f"{text!r} is not a number of sends per second above 0 (or off)")
    return value


def _float_or_none(text: str) -> float | None:
    if text.strip().lower() in ("", "none", "off"):
        return None
    value = _finite(text)
    if value is None or not 0 <= value <= MAX_DELAY:
        raise ValueError(f"{text!r} is not a number of seconds from 0 to {MAX_DELAY:.0f} (or off)")
    return value


# What `serve` keeps unless told otherwise: a day of heavy manual QA and then some, in about
# 100 MB (bench/retention.py); the library and the fixture keep everything.
SERVE_MAX_MESSAGES = 50_000


def _whole(text: str) -> int | None:
    """A whole number written with ASCII digits only (int() also takes `+8`, `8_0`, `٨`)."""
    digits = text.strip()
    if not (digits.isascii() and digits.isdigit()) or len(digits) > 12:
        return None
    return int(digits)


def _finite(text: str) -> float | None:
    try:
        value = float(text)
    except ValueError:
        return None
    return value if math.isfinite(value) else None


def _seed(text: str) -> int:
    value = _whole(text)
    if value is None:
        raise ValueError(f"{text!r} is not a whole number")
    return value


def _bound(text: str) -> int | None:
    if text.strip().lower() in ("0", "none", "off"):
        return None
    value = _whole(text)
    if value is None or not 1 <= value <= 10**9:
        raise ValueError(
            f"{text!r} is not a count of messages from 1 to 1000000000 (or 0 for no bound)"
        )
    return value


def _bool(text: str) -> bool:
    low = text.strip().lower()
    if low in ("1", "true", "yes", "on"):
        return True
    if low in ("0", "false", "no", "off", ""):
        return False
    raise ValueError(f"{text!r} is not a boolean (true/false, yes/no, on/off, 1/0)")


def _names(text: str) -> tuple[str, ...]:
    return tuple(p.strip() for p in text.split(",") if p.strip())


def _port(text: str) -> int:
    value = _whole(text)
    if value is None or not 0 <= value <= 65535:
        raise ValueError(f"{text!r} is not a port number (0-65535)")
    return value


# The longest a webhook may take to connect or answer: an hour is far past any real receiver.
MAX_WEBHOOK_TIMEOUT = 3600.0


def _timeout(text: str) -> float:
    value = _finite(text)
    if value is None or not 0 < value <= MAX_WEBHOOK_TIMEOUT:
        raise ValueError(
            f"{text!r} is not a number of seconds above 0 and up to {MAX_WEBHOOK_TIMEOUT:.0f}"
        )
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
    Option(
        "rate_limit",
        _rate,
        "Answer 429 beyond N sends per virtual second per application or API key (1: Vonage's "
        "hosted Messages sandbox).",
    ),
    Option(
        "retry_policy",
        str,
        "Which webhook answers are retried: production (429 and 5xx, as Vonage) or "
        "hosted-sandbox (anything but a 2xx, as Vonage's hosted Messages sandbox).",
        choices=("production", "hosted-sandbox"),
    ),
    Option(
        "preset",
        str,
        "hosted-sandbox: behave as Vonage's hosted Messages sandbox (1 send per second, "
        "webhooks retried on any answer but a 2xx); --rate-limit and --retry-policy win.",
        choices=("hosted-sandbox",),
    ),
    Option("chaos", str, "Chaos rules (faults on purpose) from a JSON or TOML file."),
    Option("chaos_seed", _seed, "Seed of the chaos rules' random draws (same seed, same run)."),
    Option(
        "ttl_expiry",
        _bool,
        "on|off: a message not delivered within its ttl expires (undeliverable, 1360).",
    ),
    Option(
        "whatsapp_window",
        _bool,
        "on|off: freeform WhatsApp outside the 24-hour customer-care window is rejected (1340).",
    ),
    Option(
        "messenger_window",
        _bool,
        "on|off: Messenger outside the 24-hour window without a message tag is rejected (1340).",
    ),
    Option(
        "handsets",
        str,
        "Handset profiles from a JSON or TOML file (kept through resets).",
    ),
    Option("status_url", str, "Default status webhook URL."),
    Option("inbound_url", str, "Default inbound webhook URL."),
    Option(
        "signature_secret",
        str,
        "Webhook signature secret (else generated once, kept in --state-dir).",
    ),
    Option("webhook_connect_timeout", _timeout, "Webhook connect timeout, real seconds."),
    Option("webhook_timeout", _timeout, "Webhook response timeout, real seconds."),
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
    rate_limit: float | None = None
    retry_policy: str | None = None  # None: production, or the preset's
    preset: str | None = None
    chaos: str | None = None
    chaos_seed: int = 0
    ttl_expiry: bool = True
    whatsapp_window: bool = True
    messenger_window: bool = True
    handsets: str | None = None
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
            changes[opt.name] = parse_value(opt, raw, opt.env)
        return (base or cls()).replace(**changes)


def check_value(opt: Option, raw: str) -> Any:
    """``raw`` parsed for ``opt``; a ValueError says what is wrong with it (naming the value
    and what the option takes, not where it came from)."""
    value = opt.parse(raw)
    if opt.choices is not None and value not in opt.choices:
        raise ValueError(f"{raw!r} is not one of {', '.join(opt.choices)}")
    return value


def parse_value(opt: Option, raw: str, source: str | None = None) -> Any:
    """:func:`check_value`, its error prefixed with ``source`` (by default the flag and the
    variable)."""
    try:
        return check_value(opt, raw)
    except ValueError as exc:
        raise ValueError(f"{source or f'{opt.flag} / {opt.env}'}: {exc}") from None


assert {o.name for o in OPTIONS} == {f.name for f in dataclasses.fields(Settings)}
