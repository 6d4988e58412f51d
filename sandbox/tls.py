"""The certificate behind `serve --tls`: made once with `cryptography`, kept in the state folder.

Both Python SDKs hard-code ``https://``, so an app that changes nothing but the API host needs
an HTTPS listener it trusts. One self-signed certificate does both jobs: it is the server's
certificate (SANs ``localhost``, ``127.0.0.1``, ``::1``) and, being marked ``CA:TRUE``, its own
trust anchor, so pointing ``REQUESTS_CA_BUNDLE`` / ``NODE_EXTRA_CA_CERTS`` at ``cert.pem`` is
all a client needs (OpenSSL and Node accept a self-signed end certificate only as a CA).

The pair is reused across restarts while it is valid for at least :data:`RENEW_BEFORE`, so a
trust setting made once keeps working. Several processes (xdist workers, a server and its
tests) may reach for it at once: writers hold a lock file and rename complete files in place.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import os
from dataclasses import dataclass
from pathlib import Path

from sandbox.state import locked, state_dir, write_atomic

CERT_NAME = "cert.pem"
KEY_NAME = "key.pem"
VALID_FOR = dt.timedelta(days=365)
RENEW_BEFORE = dt.timedelta(days=30)
DNS_NAMES = ("localhost",)
IP_ADDRESSES = ("127.0.0.1", "::1")


@dataclass(frozen=True)
class TlsFiles:
    """The certificate (also the CA bundle clients trust) and its private key."""

    cert: Path
    key: Path

    @property
    def ca_path(self) -> Path:
        return self.cert


def ensure_certificate(
    directory: str | os.PathLike[str] | None = None, *, now: dt.datetime | None = None
) -> TlsFiles:
    """The certificate in ``directory`` (default ``~/.nexmo-sandbox``), made if missing,
    unreadable, not matching its key, missing a name, or within 30 days of expiry."""
    folder = state_dir(directory)
    folder.mkdir(parents=True, exist_ok=True)
    files = TlsFiles(folder / CERT_NAME, folder / KEY_NAME)
    moment = now or dt.datetime.now(dt.UTC)
    if _usable(files, moment):
        return files
    with locked(folder, "tls"):
        if _usable(files, moment):  # another process made it while we waited
            return files
        cert_pem, key_pem = make_certificate(moment)
        # Key first: a reader that sees the new certificate finds its key already in place.
        write_atomic(files.key, key_pem, mode=0o600)
        write_atomic(files.cert, cert_pem, mode=0o644)
    return files


def make_certificate(now: dt.datetime) -> tuple[bytes, bytes]:
    """(certificate PEM, PKCS#8 key PEM): self-signed, CA:TRUE, for localhost and loopback."""
    # cryptography is imported here, not at the top: only --tls needs it.
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

    # P-256: generated in a millisecond (RSA-2048 takes ~50 ms) and accepted everywhere.
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name(
        [
            x509.NameAttribute(NameOID.COMMON_NAME, "nexmo-sandbox localhost"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "nexmo-sandbox (local testing only)"),
        ]
    )
    sans: list[x509.GeneralName] = [x509.DNSName(n) for n in DNS_NAMES]
    sans += [x509.IPAddress(ipaddress.ip_address(a)) for a in IP_ADDRESSES]
    public = key.public_key()
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(public)
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(hours=1))  # tolerate a client clock a bit behind
        .not_valid_after(now + VALID_FOR)
        .add_extension(x509.SubjectAlternativeName(sans), critical=False)
        # CA:TRUE with pathlen 0: a trust anchor that can sign nothing but itself.
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        # Key identifiers: Python 3.13's strict X.509 checks want them on a CA.
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(public), critical=False)
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(public), critical=False)
        .sign(key, hashes.SHA256())
    )
    key_pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    return cert.public_bytes(serialization.Encoding.PEM), key_pem


def trust_hint(files: TlsFiles) -> list[str]:
    """Lines telling a person how to make the official clients trust the certificate."""
    ca = files.ca_path
    return [
        f"  TLS certificate: {ca}  (localhost, 127.0.0.1; self-signed, trust it explicitly)",
        f"    Python (requests, vonage): export REQUESTS_CA_BUNDLE={ca}",
        f"    Node (@vonage/server-sdk):  export NODE_EXTRA_CA_CERTS={ca}",
        f"    curl:                       curl --cacert {ca} ...",
    ]


def _usable(files: TlsFiles, now: dt.datetime) -> bool:
    from cryptography import x509
    from cryptography.hazmat.primitives import serialization

    try:
        cert = x509.load_pem_x509_certificate(files.cert.read_bytes())
        key = serialization.load_pem_private_key(files.key.read_bytes(), password=None)
    except (OSError, ValueError, TypeError):
        return False
    if cert.not_valid_after_utc - now < RENEW_BEFORE or cert.not_valid_before_utc > now:
        return False
    if cert.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    ) != key.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    ):
        return False
    try:
        sans = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    except x509.ExtensionNotFound:
        return False
    names = set(sans.get_values_for_type(x509.DNSName))
    ips = {str(a) for a in sans.get_values_for_type(x509.IPAddress)}
    return names >= set(DNS_NAMES) and ips >= set(IP_ADDRESSES)
