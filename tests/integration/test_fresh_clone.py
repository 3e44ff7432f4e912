"""A fresh clone starts with any configuration: the tracked files of this checkout
(``git ls-files``), copied into a new folder (so no ``data/``, no ``.web``), started the way
``make run`` starts the app (``reflex run --env prod --single-port``, the whole build with its
npm install included) with a hosted API configured (``FT_API_BASE_URL`` at a standalone
sandbox, ``FT_API_KEY``) and no database setting, serve ``/login``, sign in and show the
dashboard, with the app database made owner-only in the new ``data/``.

This start once failed: Reflex's schema check opened ``data/ftapp.db`` before ftapp made
``data/`` (rxconfig.py now makes it first).
"""

from __future__ import annotations

import shutil
import stat
import subprocess
from pathlib import Path

import httpx
import pytest

from tests.helpers.servers import SandboxProcess, start_app
from tests.integration.helpers import DEMO_KEY, REPO_ROOT


def tracked_files(checkout: Path) -> list[str]:
    """The files git tracks in ``checkout`` (skips the test outside a git checkout)."""
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    listed = subprocess.run(
        ["git", "ls-files", "-z"], cwd=checkout, capture_output=True, check=False
    )
    if listed.returncode != 0:
        pytest.skip("not a git checkout")
    return [name for name in listed.stdout.decode().split("\0") if name]


@pytest.fixture
def fresh_clone(tmp_path: Path) -> Path:
    clone = tmp_path / "clone"
    for name in tracked_files(REPO_ROOT):
        if (REPO_ROOT / name).is_file():  # a tracked file deleted in the work tree is skipped
            (clone / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(REPO_ROOT / name, clone / name)
    assert not (clone / "data").exists()
    assert not (clone / ".web").exists()
    return clone


def test_a_fresh_clone_starts_on_a_hosted_api(fresh_clone: Path, sandbox: SandboxProcess) -> None:
    env = {"FT_API_BASE_URL": sandbox.api_url, "FT_API_KEY": DEMO_KEY}
    log_path = REPO_ROOT / "test-artifacts" / "fresh-clone-app.log"
    app = start_app(env, log_path, checkout=fresh_clone, own_database=False)
    try:
        login = httpx.get(f"{app.url}/login", timeout=10)
        assert login.status_code == 200
        assert "Sign in" in login.text
        cookie = app.sign_in_cookie()  # the new database was made and migrated
        page = httpx.get(f"{app.url}/w/default", headers={"cookie": cookie, "accept": "text/html"})
        assert page.status_code == 200
    finally:
        app.stop()
    assert f"ftapp uses the Job Training API at {sandbox.api_url}" in app.log()
    data = fresh_clone / "data"
    assert stat.S_IMODE(data.stat().st_mode) == 0o700
    assert stat.S_IMODE((data / "ftapp.db").stat().st_mode) == 0o600
