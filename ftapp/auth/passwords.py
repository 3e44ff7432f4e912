"""Password hashes: argon2id (argon2-cffi's defaults, RFC 9106 low-memory profile).

Verification is slow on purpose (~0.1 s) and blocking: call it off the event loop. An
unknown user costs the same as a wrong password (a dummy hash is verified), and a hash made
with older parameters is replaced on the next successful sign-in.
"""

from __future__ import annotations

import contextlib
import functools

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

MIN_PASSWORD_LENGTH = 8
_hasher = PasswordHasher()


def hash_password(password: str) -> str:
    """A new argon2id hash of ``password`` (salted; never the same twice)."""
    return _hasher.hash(password)


def check_password(stored_hash: str | None, password: str) -> tuple[bool, str | None]:
    """Whether ``password`` matches ``stored_hash``, and a replacement hash when the stored one
    uses outdated parameters. A missing hash or empty password takes as long and fails."""
    if not stored_hash or not password:
        spend_equal_time(password)
        return False, None
    try:
        _hasher.verify(stored_hash, password)
    except (VerificationError, InvalidHashError):
        return False, None
    if _hasher.check_needs_rehash(stored_hash):
        return True, _hasher.hash(password)
    return True, None


def spend_equal_time(password: str) -> None:
    """Verify against a dummy hash, so "no such user" costs as much as a wrong password."""
    with contextlib.suppress(VerificationError, InvalidHashError):
        _hasher.verify(_dummy_hash(_hasher), password or "-")


@functools.cache
def _dummy_hash(hasher: PasswordHasher) -> str:
    return hasher.hash("ftapp: no such account")
