from tests.e2e.conftest import live_sandbox, sandbox_server

__all__ = ["live_sandbox", "sandbox_server"]
