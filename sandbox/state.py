"""The state folder of `serve` (`--state-dir`, default `~/.nexmo-sandbox`): what the sandbox
generates once and must find again after a restart, the TLS certificate and the webhook
signature secret. Created when first needed; files are written atomically."""

from __future__ import annotations

import contextlib
import os
import secrets
import tempfile
from collections.abc import Iterator
from pathlib import Path

DEFAULT_STATE_DIR = "~/.nexmo-sandbox"
SECRET_NAME = "signature-secret"


def state_dir(path: str | os.PathLike[str] | None) -> Path:
    return Path(os.path.expanduser(os.fspath(path) if path else DEFAULT_STATE_DIR))


def signature_secret(directory: str | os.PathLike[str] | None = None) -> str:
    """The webhook signature secret kept in the state folder, made on first use: an app that
    verifies webhooks keeps working across restarts of the sandbox."""
    folder = state_dir(directory)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / SECRET_NAME
    with locked(folder, "secret"):
        with contextlib.suppress(OSError, UnicodeDecodeError):
            kept = path.read_text().strip()
            if len(kept) >= 32:
                return kept
        # 48 URL-safe characters (more than 32 bytes), as webhooks/signing.generate_secret.
        secret = secrets.token_urlsafe(36)
        write_atomic(path, secret.encode() + b"\n", mode=0o600)
        return secret


def write_atomic(path: Path, data: bytes, *, mode: int) -> None:
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        os.chmod(tmp, mode)
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


@contextlib.contextmanager
def locked(folder: Path, name: str) -> Iterator[None]:
    """An exclusive lock on ``folder/.<name>.lock`` (a no-op where fcntl is missing: Windows)."""
    try:
        import fcntl
    except ImportError:  # pragma: no cover - Windows
        yield
        return
    with open(folder / f".{name}.lock", "a") as fh:
        fcntl.flock(fh.fileno(), fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh.fileno(), fcntl.LOCK_UN)
