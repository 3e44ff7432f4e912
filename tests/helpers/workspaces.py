"""Stored workspaces in tests: key-encryption secrets, keys that are easy to look for, the
bytes of a SQLite app database (with its WAL) to look for them in, and the fixture that puts a
test on the embedded sandbox with a known secret."""

from __future__ import annotations

import base64
import secrets
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa

from ftapp import database
from ftapp.auth import accounts
from ftapp.services import connection
from tests.helpers.sign_in import FAST_HASHER

KEYS_SECRET = "unit-keys-secret-0123456789-abcdefghij"
"""FT_KEYS_SECRET of the workspaces' tests (32 characters or more)."""
NEW_KEYS_SECRET = "unit-keys-secret-NEW-9876543210-zyxwvu"
"""The secret a rotation moves to."""
API_URL = "https://training.example.test/api"


def distinctive_key(end: str = "wxyz") -> str:
    """A fresh API key that nothing else in a test could contain, ending in ``end``."""
    return f"wsk-{secrets.token_hex(12)}-{end}"


def encodings(key: str) -> list[bytes]:
    """``key`` as it could sit in a file: raw, base64 (both alphabets), hex."""
    raw = key.encode()
    return [
        raw,
        base64.b64encode(raw).rstrip(b"="),
        base64.urlsafe_b64encode(raw).rstrip(b"="),
        raw.hex().encode(),
    ]


def database_bytes() -> bytes:
    """Every byte of the app database's SQLite files (the database, its WAL and journal)."""
    with database.engine().connect() as connection:  # what is committed is in these files
        connection.execute(sa.text("SELECT 1"))
    return sqlite_bytes(database.database_url())


def sqlite_bytes(url: str) -> bytes:
    """Every byte of the files of the SQLite database at ``url`` (another process's, say): the
    database, its WAL and journal."""
    path = database.sqlite_path(url)
    assert path is not None, f"a SQLite database, not {url}"
    assert path.exists(), path
    files = [path, *(path.with_name(path.name + suffix) for suffix in ("-wal", "-journal"))]
    return b"".join(file.read_bytes() for file in files if file.exists())


def holds_in_clear(key: str, data: bytes) -> bool:
    """True when ``data`` holds ``key`` in any of its :func:`encodings`."""
    return any(encoded in data for encoded in encodings(key))


def secret_file(folder: Path, secret: str) -> Path:
    """A FT_KEYS_SECRET_FILE holding ``secret`` (with a final newline, as editors write)."""
    path = folder / "keys.secret"
    path.write_text(secret + "\n")
    return path


@pytest.fixture
def embedded_workspaces(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[None]:
    """The app on its embedded sandbox (a fresh one), :data:`KEYS_SECRET` to store keys, and
    fast password hashing for the accounts a test adds. Use it by name
    (``pytest.mark.usefixtures("embedded_workspaces")``) after importing it."""
    for name in ("FT_API_BASE_URL", "FT_API_KEY", "FT_KEYS_SECRET_FILE", "FT_SANDBOX_KEYS"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("FT_KEYS_SECRET", KEYS_SECRET)
    monkeypatch.setenv("FT_SANDBOX_DB", str(tmp_path / "sandbox.db"))
    monkeypatch.setattr(accounts, "_hasher", FAST_HASHER)
    connection.reset()
    yield
    connection.reset()
