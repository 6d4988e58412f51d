"""New ids come from batches of os.urandom: no two may ever be the same, across threads and
across a fork."""

from __future__ import annotations

import os
import subprocess
import sys
import threading

import pytest

from sandbox.core.ids import new_uuid


def test_two_threads_never_get_the_same_id() -> None:
    made: list[list[str]] = [[], []]

    def make(out: list[str]) -> None:
        for _ in range(20_000):  # ~80 refills each, so refills race too
            out.append(new_uuid())

    threads = [threading.Thread(target=make, args=(out,)) for out in made]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    together = made[0] + made[1]
    assert len(together) == 40_000 and len(set(together)) == 40_000


# In a fresh interpreter of its own: forking this test process, with the servers' threads
# of other tests in it, would be unsafe (and Python 3.12 warns about it).
_FORK = """
import os
from sandbox.core.ids import new_uuid_hex
new_uuid_hex()  # a batch is half used when the process forks
read, write = os.pipe()
pid = os.fork()
if pid == 0:  # the child: its next ids, to the parent
    os.close(read)
    os.write(write, ",".join(new_uuid_hex() for _ in range(50)).encode())
    os._exit(0)
os.close(write)
with os.fdopen(read) as pipe:
    child = set(pipe.read().split(","))
os.waitpid(pid, 0)
parent = {new_uuid_hex() for _ in range(50)}
print(len(child), len(child & parent))
"""


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs os.fork")
def test_a_forked_child_does_not_repeat_its_parents_next_ids() -> None:
    out = subprocess.run(
        [sys.executable, "-c", _FORK], capture_output=True, text=True, timeout=60, check=True
    )
    assert out.stdout.split() == ["50", "0"]  # 50 ids of its own, none of the parent's
