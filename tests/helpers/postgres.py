"""A throw-away PostgreSQL server for tests, when PostgreSQL and a driver are installed.

Looks for ``initdb``/``pg_ctl`` on PATH, then under ``/usr/lib/postgresql/*/bin`` (Debian's
``postgresql`` package). PostgreSQL refuses to run as root: as root, the server runs as the
``postgres`` user (via ``runuser``) in a directory handed to it.
"""

from __future__ import annotations

import contextlib
import importlib.util
import os
import pwd
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

from tests.helpers.servers import free_port


def postgres_bin() -> Path | None:
    """The folder holding ``initdb`` and ``pg_ctl``, or None."""
    found = shutil.which("initdb")
    candidates = [Path(found).resolve().parent] if found else []
    candidates += sorted(Path("/usr/lib/postgresql").glob("*/bin"), reverse=True)
    for folder in candidates:
        if (folder / "initdb").exists() and (folder / "pg_ctl").exists():
            return folder
    return None


def runuser() -> str | None:
    """``runuser``, also where a root shell with a short PATH does not look (``/usr/sbin``)."""
    return shutil.which("runuser") or shutil.which("runuser", path="/usr/sbin:/sbin")


def postgres_driver() -> str | None:
    """The SQLAlchemy driver name of an installed PostgreSQL driver, or None."""
    for module, driver in (("psycopg", "psycopg"), ("psycopg2", "psycopg2")):
        if importlib.util.find_spec(module) is not None:
            return driver
    return None


def unavailable_reason() -> str | None:
    """Why a PostgreSQL test cannot run here, or None when it can."""
    if postgres_bin() is None:
        return "PostgreSQL (initdb, pg_ctl) is not installed"
    if postgres_driver() is None:
        return "no PostgreSQL driver (pip install 'psycopg[binary]')"
    if os.geteuid() == 0:
        try:
            pwd.getpwnam("postgres")
        except KeyError:
            return "running as root without a 'postgres' user to run the server"
        if runuser() is None:
            return "running as root without runuser"
    return None


@contextlib.contextmanager
def temporary_postgres() -> Iterator[str]:
    """Start a private server on a free loopback port; yields its SQLAlchemy URL."""
    folder, driver = postgres_bin(), postgres_driver()
    assert folder is not None
    assert driver is not None
    root = Path(tempfile.mkdtemp(prefix="ftapp-pg-"))
    prefix: list[str] = []
    if os.geteuid() == 0:
        account = pwd.getpwnam("postgres")
        os.chown(root, account.pw_uid, account.pw_gid)
        prefix = [str(runuser()), "-u", "postgres", "--"]
    data, port = root / "data", free_port()

    def run(*args: str) -> None:
        subprocess.run([*prefix, *args], check=True, capture_output=True, timeout=120)

    try:
        run(str(folder / "initdb"), "-D", str(data), "-U", "ftapp", "--auth=trust", "--no-sync")
        options = f"-c listen_addresses=127.0.0.1 -p {port} -k {root} -c fsync=off"
        run(
            str(folder / "pg_ctl"),
            "-D",
            str(data),
            "-o",
            options,
            "-l",
            str(root / "log"),
            "-w",
            "-t",
            "60",
            "start",
        )
        try:
            yield f"postgresql+{driver}://ftapp@127.0.0.1:{port}/postgres"
        finally:
            run(str(folder / "pg_ctl"), "-D", str(data), "-m", "immediate", "-w", "stop")
    finally:
        shutil.rmtree(root, ignore_errors=True)
