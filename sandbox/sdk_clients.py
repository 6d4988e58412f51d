"""Official Vonage clients, ready-configured for a sandbox: the same objects an app builds, with
nothing changed but where they send (and, over TLS, which certificate they trust).

* :func:`vonage_client`: Python ``vonage`` 4.x (``Vonage(...).messages.send``).
* :func:`vonage3_client`: Python ``vonage`` 3.x (``Client(...).messages.send_message``).
* :func:`sdk_env`: environment variables that make a child process (a Node app, a Python app
  using the SDK unchanged) trust the sandbox's certificate.

Both Python SDKs hard-code ``https://``. Given the sandbox's ``https://`` URL (``serve --tls``,
or the fixture's ``tls_url``) and ``ca_path``, the client is pointed there with ``api_host``
and trusts the certificate for that one host only. Given a plain ``http://`` URL, requests to
that host are rewritten to plain HTTP (the SDKs have no option for it).

The process-wide way, with an unmodified client, is ``REQUESTS_CA_BUNDLE=<ca_path>``: requests
lets that variable override ``Session.verify``, so this module trusts per host with a transport
adapter instead, which also leaves every other HTTPS call of the process alone.

JWT clients sign with a key parsed once (:func:`_reuse_parsed_key`): both SDKs hand the PEM
text to PyJWT for every request, and parsing it (cryptography checks the RSA key) took 40-60 ms
in bench/per_test.py, where signing is ~1 ms.

Imports nothing from the sandbox server and no third-party package at module level, so it also
works inside an environment that has only the SDK installed.
"""

from __future__ import annotations

import os
from functools import lru_cache
from typing import Any
from urllib.parse import urlsplit


def api_host(url: str) -> str:
    """``host:port`` (what the Python SDKs call the API host) of a sandbox URL."""
    parts = urlsplit(url if "://" in url else f"https://{url}")
    if not parts.hostname:
        raise ValueError(f"not a URL with a host: {url!r}")
    host = f"[{parts.hostname}]" if ":" in parts.hostname else parts.hostname
    return f"{host}:{parts.port}" if parts.port else host


def sdk_env(ca_path: str | os.PathLike[str], base: dict[str, str] | None = None) -> dict[str, str]:
    """``base`` (default: this process's environment) plus the variables that make Python
    (requests) and Node clients trust the sandbox certificate at ``ca_path``.

    Replaces any bundle already set: requests reads exactly one file, so the sandbox's
    certificate alone is trusted by clients started with this environment."""
    env = dict(os.environ if base is None else base)
    ca = os.fspath(ca_path)
    env["REQUESTS_CA_BUNDLE"] = ca
    env["NODE_EXTRA_CA_CERTS"] = ca
    env.pop("CURL_CA_BUNDLE", None)  # requests' fallback; never wins over REQUESTS_CA_BUNDLE
    return env


def vonage_client(
    url: str,
    *,
    ca_path: str | os.PathLike[str] | None = None,
    application_id: str | None = None,
    private_key: str | None = None,
    api_key: str | None = None,
    api_secret: str | None = None,
) -> Any:
    """A ``vonage`` 4.x ``Vonage`` client whose API calls go to the sandbox at ``url``.

    JWT auth with ``application_id`` + ``private_key`` (PEM text or a path), otherwise Basic
    with ``api_key`` + ``api_secret`` (the SDK's own rule)."""
    from vonage import Auth, HttpClientOptions, Vonage

    host = api_host(url)
    auth = Auth(
        application_id=application_id,
        private_key=private_key,
        api_key=api_key,
        api_secret=api_secret,
    )
    _reuse_parsed_key(getattr(auth, "_jwt_client", None))
    client = Vonage(auth, HttpClientOptions(api_host=host))
    # The SDK's requests.Session: private, but the same attribute throughout 4.x.
    _aim(client.http_client._session, url, host, ca_path)
    return client


def vonage3_client(
    url: str,
    *,
    ca_path: str | os.PathLike[str] | None = None,
    application_id: str | None = None,
    private_key: str | None = None,
    api_key: str | None = None,
    api_secret: str | None = None,
) -> Any:
    """A ``vonage`` 3.x ``Client`` whose Messages calls go to the sandbox at ``url``
    (``client.api_host(...)``, the documented setter); auth as the SDK picks it."""
    import vonage

    kwargs: dict[str, Any] = {}
    if application_id is not None:
        kwargs.update(application_id=application_id, private_key=private_key)
    if api_key is not None:
        kwargs.update(key=api_key, secret=api_secret)
    client = vonage.Client(**kwargs)
    _reuse_parsed_key(getattr(client, "_jwt_client", None))
    host = api_host(url)
    client.api_host(host)
    _aim(client.session, url, host, ca_path)
    return client


def _reuse_parsed_key(jwt_client: Any) -> None:
    """Make the SDK's JWT generator sign with a key object instead of the PEM text.

    Both SDKs (4.x through ``Auth``, 3.x through ``Client``) keep a ``vonage_jwt.JwtClient``
    in the private attribute ``_jwt_client``; it keeps the PEM (the text, or the bytes of the
    file it was given a path to) in its private ``_private_key`` and passes that to
    ``jwt.encode(..., algorithm="RS256")`` on every request. PyJWT's
    ``RSAAlgorithm.prepare_key`` then calls cryptography's ``load_pem_private_key``, which
    checks the RSA key's consistency: 40-60 ms per request, where the signature is ~1 ms.
    ``prepare_key`` takes an ``RSAPrivateKey`` object as it is, so handing it one parsed here
    (once per distinct PEM, with the same checks) gives the same RS256 tokens, verifiable with
    the same public key, without the parse.

    Anything unexpected (no ``_jwt_client`` in another SDK version, no ``_private_key``, a
    key that does not load as an RSA private key) leaves the SDK as it was: it then parses per
    request, and reports a bad key its own way, as an unmodified client does."""
    pem = getattr(jwt_client, "_private_key", None)
    if not isinstance(pem, str | bytes):
        return  # not the JwtClient this knows (or already a key object)
    try:
        key = _rsa_private_key(pem.encode() if isinstance(pem, str) else pem)
    except Exception:
        return
    if key is not None:
        jwt_client._private_key = key


@lru_cache(maxsize=8)
def _rsa_private_key(pem: bytes) -> Any:
    """The RSA private key in ``pem``, parsed once per process (the fixture builds a client
    per test, all with the session's one key); None if it is another kind of key."""
    from cryptography.hazmat.primitives.asymmetric.rsa import RSAPrivateKey
    from cryptography.hazmat.primitives.serialization import load_pem_private_key

    key = load_pem_private_key(pem, password=None)
    return key if isinstance(key, RSAPrivateKey) else None


def _aim(session: Any, url: str, host: str, ca_path: str | os.PathLike[str] | None) -> None:
    """Mount on ``session`` an adapter for ``https://{host}`` that trusts ``ca_path`` (TLS
    sandbox) or speaks plain HTTP (``http://`` sandbox). Other hosts are untouched."""
    import requests.adapters

    plain = urlsplit(url).scheme == "http"
    ca = None if ca_path is None else os.fspath(ca_path)

    class _Sandbox(requests.adapters.HTTPAdapter):
        def send(self, request: Any, *args: Any, **kwargs: Any) -> Any:
            if plain and request.url and request.url.startswith("https://"):
                request.url = "http://" + request.url[len("https://") :]
            elif ca is not None:
                # Decided here, after requests merged REQUESTS_CA_BUNDLE into the call.
                kwargs["verify"] = ca
            return super().send(request, *args, **kwargs)

    if plain or ca is not None:
        session.mount(f"https://{host}/", _Sandbox())  # the slash: :80 must not match :8000
