from tests.e2e.conftest import sandbox_server

__all__ = ["sandbox_server"]
