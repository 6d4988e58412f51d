from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.harness import Live, live_sandbox


@pytest.fixture(scope="module")
def sb() -> Iterator[Live]:
    """One server for the stateless request checks of a module (each request stands alone)."""
    with live_sandbox() as live:
        yield live
