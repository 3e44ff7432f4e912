"""The key-encryption: Fernet tokens under a secret from the settings, rotation to a new
secret, the secret's sources (variable, file, generated for the sandbox) and their errors."""

from __future__ import annotations

import logging
import stat
from pathlib import Path

import pytest
from cryptography.fernet import Fernet

from ftapp import settings
from ftapp.settings import SettingsError, load_settings
from ftapp.workspaces import KeyCipher, KeyDecryptError, KeysSecretMissing, key_cipher
from ftapp.workspaces import cipher as cipher_module
from tests.helpers.workspaces import KEYS_SECRET, NEW_KEYS_SECRET, distinctive_key, secret_file


def use_env(monkeypatch: pytest.MonkeyPatch, **env: str | None) -> None:
    for name, value in env.items():
        if value is None:
            monkeypatch.delenv(name, raising=False)
        else:
            monkeypatch.setenv(name, value)
    settings.use_settings(None)


def test_a_key_goes_round_trip_and_its_token_shows_nothing_of_it() -> None:
    key = distinctive_key()
    keys = KeyCipher(KEYS_SECRET)
    token = keys.encrypt(key)
    assert key not in token
    assert keys.decrypt(token) == key
    assert keys.encrypt(key) != token  # a fresh IV each time
    assert repr(keys) == "KeyCipher()"


def test_a_token_made_under_another_secret_is_refused_without_any_secret_in_the_message() -> None:
    key = distinctive_key()
    token = KeyCipher(NEW_KEYS_SECRET).encrypt(key)
    with pytest.raises(KeyDecryptError) as raised:
        KeyCipher(KEYS_SECRET).decrypt(token)
    message = str(raised.value)
    assert "cannot be decrypted" in message
    for secret in (KEYS_SECRET, NEW_KEYS_SECRET, key, token):
        assert secret not in message


def test_an_altered_token_is_refused() -> None:
    keys = KeyCipher(KEYS_SECRET)
    token = keys.encrypt(distinctive_key())
    altered = token[:-6] + ("A" if token[-6] != "A" else "B") + token[-5:]
    with pytest.raises(KeyDecryptError):
        keys.decrypt(altered)
    with pytest.raises(KeyDecryptError):
        keys.decrypt("not a token ☃")


def test_reencrypt_moves_a_token_from_the_previous_secret_to_the_current() -> None:
    key = distinctive_key()
    old_token = KeyCipher(KEYS_SECRET).encrypt(key)
    rotating = KeyCipher(NEW_KEYS_SECRET, (KEYS_SECRET,))
    assert rotating.decrypt(old_token) == key  # both secrets decrypt during a rotation
    new_token = rotating.reencrypt(old_token)
    assert KeyCipher(NEW_KEYS_SECRET).decrypt(new_token) == key  # the new one alone now
    with pytest.raises(KeyDecryptError):
        KeyCipher(KEYS_SECRET).decrypt(new_token)
    with pytest.raises(KeyDecryptError):
        KeyCipher(NEW_KEYS_SECRET).reencrypt(KeyCipher("x" * 40).encrypt(key))


@pytest.mark.parametrize(
    "secret",
    [
        "correct horse battery staple, and then some more words",
        "ünïcödé sëcrét with spaces and 32+ characters ✓",
        "0" * 32,
        "Zm9vYmFy" * 8,  # base64-looking text is derived from too, not taken as a Fernet key
    ],
)
def test_any_long_string_works_as_a_secret_through_hkdf(secret: str) -> None:
    keys = KeyCipher(secret)
    assert keys.decrypt(keys.encrypt("k" * 40)) == "k" * 40
    # The Fernet key is derived (HKDF-SHA256), never the secret's own bytes.
    derived = cipher_module._fernet(secret)
    assert derived.decrypt(keys.encrypt("abc").encode()) == b"abc"
    with pytest.raises(ValueError, match="Fernet key must be 32"):
        Fernet(secret.encode())  # not a Fernet key as it is


def test_the_same_secret_derives_the_same_key_across_instances() -> None:
    token = KeyCipher(KEYS_SECRET).encrypt("stored-before-a-restart")
    assert KeyCipher(KEYS_SECRET).decrypt(token) == "stored-before-a-restart"


# --- the settings ------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["FT_KEYS_SECRET", "FT_KEYS_SECRET_PREVIOUS"])
def test_a_short_secret_is_a_clear_settings_error_without_the_secret(name: str) -> None:
    with pytest.raises(SettingsError) as raised:
        load_settings({name: "short-but-secret-123"})
    assert str(raised.value) == f"{name} must be at least 32 characters"
    assert "short-but-secret" not in str(raised.value)


def test_the_secrets_are_hidden_and_kept_verbatim() -> None:
    loaded = load_settings(
        {"FT_KEYS_SECRET": f" {KEYS_SECRET} ", "FT_KEYS_SECRET_PREVIOUS": NEW_KEYS_SECRET}
    )
    assert loaded.keys_secret is not None
    assert loaded.keys_secret.get_secret_value() == f" {KEYS_SECRET} "
    assert KEYS_SECRET not in repr(loaded)
    assert NEW_KEYS_SECRET not in repr(loaded)


def test_key_cipher_uses_ft_keys_secret_and_the_previous_one(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    old_token = KeyCipher(KEYS_SECRET).encrypt("old")
    use_env(monkeypatch, FT_KEYS_SECRET=NEW_KEYS_SECRET, FT_KEYS_SECRET_PREVIOUS=KEYS_SECRET)
    keys = key_cipher()
    assert keys.decrypt(old_token) == "old"
    assert KeyCipher(NEW_KEYS_SECRET).decrypt(keys.encrypt("new")) == "new"


def test_key_cipher_reads_the_secret_file_when_the_variable_is_unset(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    path = secret_file(tmp_path, NEW_KEYS_SECRET)
    use_env(monkeypatch, FT_KEYS_SECRET=None, FT_KEYS_SECRET_FILE=str(path))
    assert KeyCipher(NEW_KEYS_SECRET).decrypt(key_cipher().encrypt("k")) == "k"
    use_env(monkeypatch, FT_KEYS_SECRET=KEYS_SECRET)  # the variable wins over the file
    assert KeyCipher(KEYS_SECRET).decrypt(key_cipher().encrypt("k")) == "k"


def test_a_secret_file_that_is_short_or_missing_is_a_settings_error(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    short = secret_file(tmp_path, "too-short-secret")
    use_env(monkeypatch, FT_KEYS_SECRET=None, FT_KEYS_SECRET_FILE=str(short))
    with pytest.raises(SettingsError, match="at least 32 characters") as raised:
        key_cipher()
    assert "too-short-secret" not in str(raised.value)
    use_env(monkeypatch, FT_KEYS_SECRET_FILE=str(tmp_path / "absent"))
    with pytest.raises(SettingsError, match="FT_KEYS_SECRET_FILE cannot be read"):
        key_cipher()


def test_no_secret_with_a_hosted_api_says_what_to_set(monkeypatch: pytest.MonkeyPatch) -> None:
    use_env(
        monkeypatch,
        FT_KEYS_SECRET=None,
        FT_API_BASE_URL="https://api.example.test/api",
        FT_API_KEY="sk-unit-hosted-key-1234",
    )
    with pytest.raises(KeysSecretMissing, match="set FT_KEYS_SECRET") as raised:
        key_cipher()
    assert "sk-unit-hosted-key" not in str(raised.value)
    assert not cipher_module.SANDBOX_SECRET_FILE.exists()  # nothing generated for a hosted API


def test_the_sandbox_generates_its_secret_once_owner_only_and_warns_once(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    use_env(monkeypatch, FT_KEYS_SECRET=None)
    path = tmp_path / "elsewhere" / "data" / "keys.secret"
    with caplog.at_level(logging.WARNING, logger=cipher_module.__name__):
        token = key_cipher(sandbox_secret_file=path).encrypt("kept")
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
        assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
        secret = path.read_text().strip()
        assert len(secret) == 64  # 48 random bytes, URL-safe base64
        assert key_cipher(sandbox_secret_file=path).decrypt(token) == "kept"  # reused
        assert path.read_text().strip() == secret
    warnings = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 1
    assert "production must set FT_KEYS_SECRET" in warnings[0].getMessage()
    assert secret not in caplog.text
    assert [p.name for p in path.parent.iterdir()] == ["keys.secret"]  # no temporary left


def test_the_generated_secret_sits_beside_the_app_databases_default_place(
    workspace_settings: Path,
) -> None:
    # workspace_settings (conftest) yields the default it replaced with a temporary file.
    assert workspace_settings == settings.PROJECT_ROOT / "data" / "keys.secret"
    assert settings.DEFAULT_SANDBOX_DB.parent == workspace_settings.parent
