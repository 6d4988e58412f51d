from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager

import pytest

from tests.harness import Live, live_sandbox


@pytest.fixture
def sandbox_server() -> Callable[..., AbstractContextManager[Live]]:
    return live_sandbox
