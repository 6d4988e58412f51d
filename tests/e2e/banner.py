"""Reading `nexmo-sandbox serve`'s banner from a child process, as a user reads it."""

from __future__ import annotations

import subprocess


def read_banner(proc: subprocess.Popen[str]) -> tuple[str, list[str], str]:
    """(the URL it listens on, the banner's lines, the signature secret it prints)."""
    assert proc.stdout is not None
    first = proc.stdout.readline()
    assert first.startswith("nexmo-sandbox listening on http://127.0.0.1:"), first
    url = first.split()[-1]
    banner: list[str] = []
    while not any("signature secret" in line for line in banner) and len(banner) < 12:
        banner.append(proc.stdout.readline())
    (secret_line,) = [line for line in banner if "signature secret" in line]
    return url, banner, secret_line
