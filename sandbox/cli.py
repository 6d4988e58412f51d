"""`nexmo-sandbox serve`: argument parsing -> Settings -> uvicorn. No logic of its own."""

from __future__ import annotations

import argparse
import difflib
import os
import sys
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from sandbox import __version__
from sandbox.settings import OPTIONS, SERVE_MAX_MESSAGES, Option, Settings, check_value


def _checked(opt: Option) -> Callable[[str], Any]:
    """The option's parser as an argparse ``type``: a bad value is refused by `serve`'s own
    parser, as "argument --port: 'abc' is not a port number (0-65535)" under `serve`'s usage."""

    def parse(raw: str) -> Any:
        try:
            return check_value(opt, raw)
        except ValueError as exc:
            raise argparse.ArgumentTypeError(str(exc)) from None

    parse.__name__ = opt.name  # what argparse would name in a message of its own
    return parse


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
                const=True,
                default=argparse.SUPPRESS,  # absent unless given: None is a value
                help=help_text,
            )
        else:
            serve.add_argument(
                opt.flag,
                dest=opt.name,
                default=argparse.SUPPRESS,  # absent unless given: None is a value
                type=_checked(opt) if opt.choices is None else str,
                choices=opt.choices,
                metavar=opt.name.upper() if opt.choices is None else None,
                help=help_text,
            )
    parser.set_defaults(serve_parser=serve)
    return parser


def settings_from(args: argparse.Namespace, environ: Mapping[str, str]) -> Settings:
    # `serve` is for people: its clock follows the wall clock unless told otherwise.
    # It also keeps a bounded number of messages, so a shared sandbox runs for weeks.
    settings = Settings.from_env(environ, Settings(clock="live", max_messages=SERVE_MAX_MESSAGES))
    given = vars(args)  # values already checked by the parser (`_checked`); None is one
    changes = {opt.name: given[opt.name] for opt in OPTIONS if opt.name in given}
    return settings.replace(**changes)


def _unrecognized(extras: list[str]) -> str:
    """argparse's "unrecognized arguments", with "did you mean" for a flag close to one of
    `serve`'s."""
    flags = [opt.flag for opt in OPTIONS]
    guesses: list[tuple[str, str]] = []
    for arg in extras:
        if not arg.startswith("--"):
            continue
        given = arg.split("=", 1)[0]
        close = difflib.get_close_matches(given, flags, n=1, cutoff=0.6)
        if close:
            guesses.append((given, close[0]))
    message = f"unrecognized arguments: {' '.join(extras)}"
    if len(guesses) == 1:
        return f"{message} (did you mean {guesses[0][1]}?)"
    if guesses:
        return f"{message} (did you mean {', '.join(f'{c} for {g}' for g, c in guesses)}?)"
    return message


def main(argv: Sequence[str] | None = None, environ: Mapping[str, str] | None = None) -> int:
    parser = build_parser()
    args, extras = parser.parse_known_args(argv)
    serve: argparse.ArgumentParser = args.serve_parser
    if extras:  # `serve`'s usage, not the top level's: the flag belongs to `serve`
        serve.error(_unrecognized(extras))
    try:
        settings = settings_from(args, os.environ if environ is None else environ)
    except ValueError as exc:  # a NEXMO_SANDBOX_* variable
        serve.error(str(exc))
    from sandbox.server import serve as run  # uvicorn only when serving

    return run(settings, out=sys.stdout)
