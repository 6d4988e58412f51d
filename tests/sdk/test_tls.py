"""The certificate behind `serve --tls` and the real `nexmo-sandbox serve --tls` process."""

from __future__ import annotations

import datetime as dt
import ipaddress
import os
import signal
import ssl
import stat
import subprocess
import sys
import threading
from pathlib import Path

import httpx
import pytest
from cryptography import x509

from sandbox.settings import Settings
from sandbox.tls import RENEW_BEFORE, VALID_FOR, ensure_certificate
from tests.helpers import BASIC, sms


def _cert(path: Path) -> x509.Certificate:
    return x509.load_pem_x509_certificate(path.read_bytes())


def test_certificate_names_localhost_and_loopback_and_is_its_own_ca(tmp_path: Path) -> None:
    files = ensure_certificate(tmp_path / "state")
    cert = _cert(files.cert)
    sans = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    assert sans.get_values_for_type(x509.DNSName) == ["localhost"]
    assert set(sans.get_values_for_type(x509.IPAddress)) == {
        ipaddress.ip_address("127.0.0.1"),
        ipaddress.ip_address("::1"),
    }
    constraints = cert.extensions.get_extension_for_class(x509.BasicConstraints)
    assert constraints.critical and constraints.value.ca
    assert cert.issuer == cert.subject
    assert stat.S_IMODE(os.stat(files.key).st_mode) == 0o600
    ctx = ssl.create_default_context(cafile=str(files.ca_path))
    assert ctx.cert_store_stats()["x509_ca"] == 1  # loads as a trust anchor


def test_certificate_is_kept_across_restarts_and_renewed_near_expiry(tmp_path: Path) -> None:
    first = ensure_certificate(tmp_path)
    pem = first.cert.read_bytes()
    again = ensure_certificate(tmp_path)
    assert again == first and again.cert.read_bytes() == pem
    # Still valid for more than RENEW_BEFORE: kept.
    later = dt.datetime.now(dt.UTC) + VALID_FOR - RENEW_BEFORE - dt.timedelta(days=1)
    assert ensure_certificate(tmp_path, now=later).cert.read_bytes() == pem
    # Inside the renewal window: a new one, valid from then on.
    renewal = later + dt.timedelta(days=2)
    renewed = ensure_certificate(tmp_path, now=renewal).cert.read_bytes()
    assert renewed != pem
    assert _cert(first.cert).not_valid_after_utc > renewal + RENEW_BEFORE


def test_a_damaged_or_mismatched_pair_is_replaced(tmp_path: Path) -> None:
    files = ensure_certificate(tmp_path)
    files.cert.write_text("not a certificate")
    fixed = ensure_certificate(tmp_path)
    assert _cert(fixed.cert)  # parses again
    other = tmp_path / "other"
    files_b = ensure_certificate(other)
    files.key.write_bytes(files_b.key.read_bytes())  # key of another certificate
    pem = files.cert.read_bytes()
    ensure_certificate(tmp_path)
    assert files.cert.read_bytes() != pem


def test_running_with_tls_settings_serves_both_listeners(tmp_path: Path) -> None:
    from sandbox.server import running

    with running(Settings(clock="manual", tls=True, state_dir=str(tmp_path))) as server:
        assert server.tls_url is not None and server.ca_path == str(tmp_path / "cert.pem")
        # Verified with the strict X.509 checks Python 3.13 turns on by default.
        strict = ssl.create_default_context(cafile=server.ca_path)
        strict.verify_flags |= ssl.VERIFY_X509_STRICT
        with httpx.Client(verify=strict) as tls:
            sent = tls.post(
                server.tls_url + "/v1/messages", json=sms(), headers={"Authorization": BASIC}
            )
        assert sent.status_code == 202, sent.text
        uuid = sent.json()["message_uuid"]
        assert httpx.get(f"{server.url}/_sandbox/messages/{uuid}").json()["text"] == sms()["text"]


def _serve(state: Path) -> tuple[subprocess.Popen[str], list[str]]:
    env = {**os.environ, "NEXMO_SANDBOX_LOG_LEVEL": "warning"}
    proc = subprocess.Popen(
        [sys.executable, "-m", "sandbox", "serve", "--port", "0", "--tls", "--tls-port", "0",
         "--state-dir", str(state)],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env,
    )  # fmt: skip
    assert proc.stdout is not None
    banner: list[str] = []
    while not any("control API" in line for line in banner) and len(banner) < 20:
        line = proc.stdout.readline()
        if not line:
            break
        banner.append(line)
    return proc, banner


def _ready(url: str, verify: ssl.SSLContext, proc: subprocess.Popen[str]) -> httpx.Response:
    # The banner is printed just before uvicorn accepts: retry connection refusals only.
    with httpx.Client(verify=verify, timeout=5) as http:
        for _ in range(400):
            try:
                return http.get(url + "/_sandbox/health")
            except httpx.ConnectError:
                assert proc.poll() is None, "serve exited"
    raise AssertionError(f"{url} never answered")


def _stop(proc: subprocess.Popen[str]) -> str:
    proc.send_signal(signal.SIGINT)
    out, _ = proc.communicate(timeout=20)
    assert proc.returncode == 0, out
    return out


@pytest.mark.e2e
def test_serve_tls_prints_how_to_trust_it_and_keeps_the_certificate(tmp_path: Path) -> None:
    state = tmp_path / "state"
    fingerprints = []
    for _run in range(2):
        proc, banner = _serve(state)
        watchdog = threading.Timer(30, proc.kill)  # never outlive the test by much
        watchdog.start()
        try:
            text = "".join(banner)
            ca = str(state / "cert.pem")
            https = next(w for w in text.split() if w.startswith("https://"))
            assert f"REQUESTS_CA_BUNDLE={ca}" in text, text
            assert f"NODE_EXTRA_CA_CERTS={ca}" in text, text
            assert f"api_host={https.removeprefix('https://')}" in text, text
            health = _ready(https, ssl.create_default_context(cafile=ca), proc)
            assert health.json()["status"] == "ok"
            # Untrusted, the same listener is refused: the certificate is really checked.
            with pytest.raises(httpx.ConnectError, match="CERTIFICATE_VERIFY_FAILED"):
                httpx.get(https + "/_sandbox/health", verify=ssl.create_default_context())
            fingerprints.append(_cert(Path(ca)).fingerprint(_sha256()))
            assert "nexmo-sandbox stopped" in _stop(proc)
        finally:
            watchdog.cancel()
            if proc.poll() is None:
                proc.kill()
    assert fingerprints[0] == fingerprints[1], "a restart must keep the trusted certificate"


def _sha256():  # type: ignore[no-untyped-def]
    from cryptography.hazmat.primitives import hashes

    return hashes.SHA256()
