"""The control-API clients, at their documented import path (``from sandbox.client import
SandboxClient``); they live in :mod:`sandbox.testing`."""

from sandbox.testing.client import (
    AsyncSandboxClient,
    SandboxAPIError,
    SandboxClient,
    _Call,
    vonage_client,
)

__all__ = ["AsyncSandboxClient", "SandboxAPIError", "SandboxClient", "_Call", "vonage_client"]
