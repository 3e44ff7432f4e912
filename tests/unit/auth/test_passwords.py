"""Password hashes: argon2id, equal time for unknown users, rehash on new parameters."""

from __future__ import annotations

import pytest
from argon2 import PasswordHasher

from ftapp.auth import accounts
from ftapp.auth.accounts import check_password, hash_password
from tests.helpers.sign_in import REAL_HASHER


def test_hashes_are_argon2id_and_salted() -> None:
    first, second = hash_password("correct horse"), hash_password("correct horse")
    assert first.startswith("$argon2id$")
    assert first != second
    assert "correct horse" not in first


def test_check_password() -> None:
    stored = hash_password("correct horse")
    assert check_password(stored, "correct horse") == (True, None)
    assert check_password(stored, "Correct horse") == (False, None)
    assert check_password(stored, "") == (False, None)
    assert check_password("not-a-hash", "correct horse") == (False, None)


def test_no_hash_still_spends_a_verification(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[str] = []
    monkeypatch.setattr(accounts, "spend_equal_time", calls.append)
    assert check_password(None, "guess") == (False, None)
    assert check_password("", "guess") == (False, None)
    assert calls == ["guess", "guess"]


def test_spend_equal_time_verifies_a_real_hash(monkeypatch: pytest.MonkeyPatch) -> None:
    verified: list[str] = []

    class RecordingHasher(PasswordHasher):
        def verify(self, hash: str | bytes, password: str | bytes) -> bool:
            verified.append(str(hash))
            return super().verify(hash, password)

    monkeypatch.setattr(
        accounts, "_hasher", RecordingHasher(time_cost=1, memory_cost=64, parallelism=1)
    )
    accounts.spend_equal_time("guess")
    assert len(verified) == 1
    assert verified[0].startswith("$argon2id$")


def test_a_hash_with_old_parameters_is_replaced(monkeypatch: pytest.MonkeyPatch) -> None:
    old = PasswordHasher(time_cost=1, memory_cost=64, parallelism=1)
    stored = old.hash("correct horse")
    monkeypatch.setattr(accounts, "_hasher", PasswordHasher(time_cost=2, memory_cost=128))
    ok, new_hash = check_password(stored, "correct horse")
    assert ok is True
    assert new_hash is not None
    assert new_hash != stored
    assert "t=2" in new_hash
    assert "m=128" in new_hash
    assert check_password(new_hash, "correct horse") == (True, None)


def test_the_real_parameters_are_argon2s_defaults() -> None:
    # The autouse fixture swaps in cheap parameters; the module's own hasher is the default.
    assert REAL_HASHER.time_cost == PasswordHasher().time_cost
    assert REAL_HASHER.memory_cost == PasswordHasher().memory_cost >= 65536
