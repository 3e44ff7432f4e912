"""The default start is safe on a shared network: the app listens on loopback only and
nobody else reaches its sandbox; the sandbox is served to others only when asked for, and
then with the key the start prints, never a published one."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from ftapp.sandbox.keys import BUILTIN_KEYS
from ftapp.settings import SANDBOX_DEMO_KEY
from tests.helpers.servers import ServerProcess, start_app
from tests.integration.helpers import REPO_ROOT, keyed

LISTEN = "0A"  # the TCP state LISTEN in /proc/net/tcp


def listening_addresses(port: int) -> set[str]:
    """The local addresses (hex, as the kernel lists them) listening on ``port``."""
    found = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for line in Path(table).read_text().splitlines()[1:]:
            fields = line.split()
            address, port_hex = fields[1].rsplit(":", 1)
            if int(port_hex, 16) == port and fields[3] == LISTEN:
                found.add(address)
    return found


def port_of(app: ServerProcess) -> int:
    return int(app.url.rsplit(":", 1)[1])


@pytest.fixture
def default_app(tmp_path: Path) -> Iterator[ServerProcess]:
    """The app as `make run` starts it: no public URL, no bind address, no sandbox setting.
    (One app per checkout at a time: the tests here start theirs one after the other.)"""
    folder = tmp_path
    env = {
        "FT_PUBLIC_URL": "",
        "FT_SANDBOX_PUBLIC": "",
        "FT_SANDBOX_DB": str(folder / "sandbox.db"),
    }
    server = start_app(env, REPO_ROOT / "test-artifacts" / "default-start.log")
    yield server
    server.stop()


def test_the_default_start_listens_on_loopback_and_serves_its_sandbox_to_nobody(
    default_app: ServerProcess,
) -> None:
    addresses = listening_addresses(port_of(default_app))
    assert addresses == {"0100007F"}, addresses  # 127.0.0.1, not 0.0.0.0 or ::
    for key in BUILTIN_KEYS:
        for path in ("/jobs", "/models", "/_sandbox/stats"):
            response = httpx.get(f"{default_app.url}/sandbox/api{path}", headers=keyed(key))
            assert response.status_code == 404, (key, path)
    created = httpx.post(
        f"{default_app.url}/sandbox/api/jobs", headers=keyed(SANDBOX_DEMO_KEY), json={}
    )
    assert created.status_code == 404
    # The app itself still works on its sandbox, in-process.
    page = httpx.get(
        default_app.url + "/w/default", headers={"cookie": default_app.sign_in_cookie()}
    )
    assert page.status_code == 200


def test_a_public_sandbox_takes_the_printed_key_and_no_published_one(
    tmp_path: Path,
) -> None:
    env = {"FT_SANDBOX_PUBLIC": "1", "FT_SANDBOX_DB": str(tmp_path / "sandbox.db")}
    app = start_app(env, REPO_ROOT / "test-artifacts" / "public-sandbox.log")
    try:
        printed = re.search(
            r"Sandbox API for others: (\S+) \(key for this start: (\S+)\)", app.log()
        )
        assert printed is not None, app.log()[-2000:]
        url, key = printed.groups()
        assert url.endswith("/sandbox/api")
        # The README's curl example, with the printed key.
        jobs = httpx.get(f"{app.url}/sandbox/api/jobs", headers=keyed(key))
        assert jobs.status_code == 200
        assert len(jobs.json()["jobs"]) == 6  # the seeded demo workspace the app shows
        for published in BUILTIN_KEYS:
            refused = httpx.get(f"{app.url}/sandbox/api/jobs", headers=keyed(published))
            assert refused.status_code == 401
        assert listening_addresses(port_of(app)) == {"0100007F"}
    finally:
        app.stop()
