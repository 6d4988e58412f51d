"""The control-API clients, at their documented import path (``from sandbox.client import
SandboxClient``); they live in :mod:`sandbox.testing`."""

from sandbox.testing.async_client import AsyncSandboxClient
from sandbox.testing.calls import SandboxAPIError, _Call
from sandbox.testing.client import SandboxClient, vonage_client

__all__ = ["AsyncSandboxClient", "SandboxAPIError", "SandboxClient", "_Call", "vonage_client"]
