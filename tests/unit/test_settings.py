"""Settings are declared once, documented, and parsed from flags and the environment."""

from __future__ import annotations

import pathlib

import pytest

from sandbox.cli import build_parser, settings_from
from sandbox.settings import OPTIONS, Settings

ROOT = pathlib.Path(__file__).resolve().parents[2]


def test_readme_documents_every_setting() -> None:
    readme = (ROOT / "README.md").read_text()
    for opt in OPTIONS:
        assert f"`{opt.flag}`" in readme, opt.flag
        assert f"`{opt.env}`" in readme, opt.env


def test_flags_and_environment() -> None:
    parser = build_parser()
    args = parser.parse_args(["serve", "--port", "9001", "--auto-deliver", "2.5", "--strict-auth"])
    s = settings_from(
        args,
        {
            "NEXMO_SANDBOX_PORT": "7000",
            "NEXMO_SANDBOX_CLOCK": "manual",
            "NEXMO_SANDBOX_STATUS_URL": "http://127.0.0.1:1/s",
        },
    )
    assert s.port == 9001  # the flag wins
    assert s.clock == "manual"  # the variable applies
    assert s.auto_deliver == 2.5 and s.strict_auth
    assert s.status_url == "http://127.0.0.1:1/s"
    assert settings_from(parser.parse_args(["serve"]), {}).clock == "live"
    assert settings_from(parser.parse_args(["serve"]), {}).host == "127.0.0.1"


@pytest.mark.parametrize(
    ("env", "value"),
    [
        ("NEXMO_SANDBOX_PORT", "http"),
        ("NEXMO_SANDBOX_CLOCK", "fast"),
        ("NEXMO_SANDBOX_AUTO_DELIVER", "-1"),
    ],
)
def test_bad_values_are_refused(env: str, value: str) -> None:
    with pytest.raises(ValueError, match=env):
        Settings.from_env({env: value})
