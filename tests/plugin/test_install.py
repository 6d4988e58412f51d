"""Installing nexmo-sandbox into another project, as its README says: build the wheel, install
it into a fresh virtual environment, and run a test file of that project that uses the
`nexmo_sandbox` fixture. The package itself must come from the wheel (its templates, static
files and the pytest11 entry point included), not from this checkout."""

from __future__ import annotations

import pathlib
import site
import subprocess
import sys
import sysconfig

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]

FOREIGN_TEST = """
import httpx
import sandbox

BASIC = "Basic YWJjZDEyMzQ6czNjcjN0UzNjcjN0"  # abcd1234:s3cr3tS3cr3t


def test_the_fixture_of_the_installed_wheel(nexmo_sandbox):
    assert "fresh-venv" in sandbox.__file__, sandbox.__file__  # the wheel, not a checkout
    body = {"channel": "sms", "message_type": "text", "to": "447700900123",
            "from": "447700900000", "text": "From another project"}
    r = httpx.post(nexmo_sandbox.url + "/v1/messages", json=body,
                   headers={"Authorization": BASIC})
    assert r.status_code == 202, r.text
    sms = nexmo_sandbox.inbox("sms", "447700900123").last
    assert sms.text == "From another project"
    assert sms.message_uuid == r.json()["message_uuid"]
    page = httpx.get(nexmo_sandbox.url + "/")  # templates and static files came along
    assert page.status_code == 200 and "sms" in page.text.lower()
    assert httpx.get(nexmo_sandbox.url + "/static/app.css").status_code == 200
"""


@pytest.mark.e2e
def test_a_built_wheel_installs_into_a_fresh_venv_and_its_fixture_works(
    tmp_path: pathlib.Path,
) -> None:
    wheels = tmp_path / "wheels"
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", str(ROOT), "--no-deps", "-w", str(wheels), "-q"],
        check=True,
        capture_output=True,
        timeout=300,
    )
    (wheel,) = wheels.glob("nexmo_sandbox-*.whl")
    venv = tmp_path / "fresh-venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=120)
    python = venv / "bin" / "python"
    # The wheel alone, without its dependencies: those come from this environment's own
    # site-packages (added after the fresh one's), so the test needs no package index. This
    # checkout is not on that path (an editable install's own .pth is not read from there).
    subprocess.run(
        [str(python), "-m", "pip", "install", "--no-deps", "-q", str(wheel)],
        check=True,
        capture_output=True,
        timeout=300,
    )
    fresh_site = pathlib.Path(
        subprocess.run(
            [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
            check=True,
            capture_output=True,
            text=True,
        ).stdout.strip()
    )
    ours = [p for p in {sysconfig.get_paths()["purelib"], *site.getsitepackages()} if p]
    (fresh_site / "borrowed-deps.pth").write_text("\n".join(ours) + "\n")
    project = tmp_path / "another-project"
    project.mkdir()
    (project / "test_alerts.py").write_text(FOREIGN_TEST)
    done = subprocess.run(
        [str(python), "-m", "pytest", "-q", "-p", "no:cacheprovider", "test_alerts.py"],
        cwd=project,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "1 passed" in done.stdout
