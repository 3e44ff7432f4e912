"""Files only the app's own user may read: the data folder and the SQLite databases in it.

The app database holds password hashes, session hashes and the secret key; the sandbox's holds
its jobs. Both are made owner-only (folder 0700, files 0600) before anything opens them:
SQLite gives its journal and WAL files the mode of the database file.
"""

from __future__ import annotations

import contextlib
import os
from pathlib import Path

DIRECTORY_MODE = 0o700
FILE_MODE = 0o600


def private_directory(path: Path) -> Path:
    """Make ``path`` (and its missing parents) and restrict it to its owner."""
    path.mkdir(parents=True, exist_ok=True, mode=DIRECTORY_MODE)
    with contextlib.suppress(PermissionError):  # a folder we do not own stays as it is
        os.chmod(path, DIRECTORY_MODE)
    return path


def private_database(path: Path) -> Path:
    """Make the SQLite file ``path`` (empty if new) and its journals owner-only.

    The folder is made when missing (owner-only too); an existing folder is left as it is,
    since it may be shared (e.g. ``/var/lib``) and the file's own mode is what protects it.
    """
    if not path.parent.exists():
        private_directory(path.parent)
    path.touch(mode=FILE_MODE, exist_ok=True)
    for file in (path, *(path.with_name(path.name + suffix) for suffix in _JOURNALS)):
        with contextlib.suppress(FileNotFoundError, PermissionError):
            os.chmod(file, FILE_MODE)
    return path


_JOURNALS = ("-wal", "-shm", "-journal")
