"""`nexmo-sandbox serve`: argument parsing -> Settings -> uvicorn. No logic of its own."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Mapping, Sequence

from sandbox import __version__
from sandbox.settings import OPTIONS, SERVE_MAX_MESSAGES, Settings, parse_value


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="nexmo-sandbox",
        description="A local emulator of the Vonage Messages (v0.1, v1) and Dispatch APIs.",
    )
    parser.add_argument("--version", action="version", version=f"nexmo-sandbox {__version__}")
    sub = parser.add_subparsers(dest="command", required=True)
    serve = sub.add_parser(
        "serve",
        help="run the sandbox server",
        description="Every flag can also come from its NEXMO_SANDBOX_* "
        "environment variable; a flag wins over the variable.",
    )
    for opt in OPTIONS:
        help_text = f"{opt.help} [env {opt.env}]"
        if opt.flag_only_bool:
            serve.add_argument(
                opt.flag,
                dest=opt.name,
                action="store_const",
                const="true",
                default=None,
                help=help_text,
            )
        else:
            serve.add_argument(
                opt.flag,
                dest=opt.name,
                default=None,
                choices=opt.choices,
                metavar=opt.name.upper() if opt.choices is None else None,
                help=help_text,
            )
    return parser


def settings_from(args: argparse.Namespace, environ: Mapping[str, str]) -> Settings:
    # `serve` is for people: its clock follows the wall clock unless told otherwise.
    # It also keeps a bounded number of messages, so a shared sandbox runs for weeks.
    settings = Settings.from_env(environ, Settings(clock="live", max_messages=SERVE_MAX_MESSAGES))
    changes = {}
    for opt in OPTIONS:
        raw = getattr(args, opt.name, None)
        if raw is not None:
            changes[opt.name] = parse_value(opt, raw)
    return settings.replace(**changes)


def main(argv: Sequence[str] | None = None, environ: Mapping[str, str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        settings = settings_from(args, os.environ if environ is None else environ)
    except ValueError as exc:
        parser.error(str(exc))
    from sandbox.server import serve  # uvicorn only when serving

    return serve(settings, out=sys.stdout)
