"""The stored API keys' encryption: Fernet (AES-128-CBC + HMAC-SHA256, from ``cryptography``)
under a key-encryption secret from the environment, never hand-written crypto.

The secret is ``FT_KEYS_SECRET``, else the content of ``FT_KEYS_SECRET_FILE``; else, only while
the app runs its embedded sandbox, ``data/keys.secret``, generated once (owner-only) beside the
app database's default place, with a WARNING that production must set ``FT_KEYS_SECRET``. With a
hosted API and no secret, :func:`key_cipher` raises :class:`KeysSecretMissing`.

Fernet keys are derived from the secret strings with HKDF-SHA256 (a fixed label), so any long
random string works as a secret. A rotation: set ``FT_KEYS_SECRET`` to the new secret and
``FT_KEYS_SECRET_PREVIOUS`` to the old one (decryption tries both), re-encrypt every stored key
(:meth:`KeyCipher.reencrypt`, ``ftapp workspaces reencrypt``), then drop the previous secret.
"""

from __future__ import annotations

import base64
import contextlib
import functools
import logging
import os
import secrets
import threading
from pathlib import Path

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from ftapp.private_files import FILE_MODE, private_directory
from ftapp.settings import (
    DATA_DIR,
    MIN_KEYS_SECRET_LENGTH,
    Settings,
    SettingsError,
    current_settings,
)

log = logging.getLogger(__name__)

SANDBOX_SECRET_FILE = DATA_DIR / "keys.secret"
"""The secret generated for the embedded sandbox's runs (next to ``data/ftapp.db``)."""
_HKDF_INFO = b"ftapp workspace api keys v1"
"""HKDF's fixed label: a key derived here serves nothing but the stored API keys."""
_GENERATED_BYTES = 48


class KeysSecretMissing(RuntimeError):
    """No key-encryption secret is configured, and the app talks to a hosted API."""

    def __init__(self) -> None:
        super().__init__(
            "No key-encryption secret: set FT_KEYS_SECRET (32 characters or more, e.g. the "
            "output of `python -c 'import secrets; print(secrets.token_urlsafe(48))'`) or "
            "FT_KEYS_SECRET_FILE to a file holding it. Keys stored while ftapp ran its "
            f"embedded sandbox were encrypted under {SANDBOX_SECRET_FILE}: point "
            "FT_KEYS_SECRET_FILE there to keep them."
        )


class KeyDecryptError(ValueError):
    """A stored key cannot be decrypted with the configured secrets (the message names no
    secret and shows no token)."""

    def __init__(self) -> None:
        super().__init__(
            "A stored API key cannot be decrypted with the key-encryption secret: it was "
            "encrypted under another one. If FT_KEYS_SECRET was changed, set "
            "FT_KEYS_SECRET_PREVIOUS to the old secret and run `ftapp workspaces reencrypt`."
        )


def _fernet(secret: str) -> Fernet:
    derived = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=_HKDF_INFO).derive(
        secret.encode()
    )
    return Fernet(base64.urlsafe_b64encode(derived))


class KeyCipher:
    """Encrypts under the current secret; decrypts under the current or a previous one."""

    def __init__(self, current: str, previous: tuple[str, ...] = ()) -> None:
        self._fernets = MultiFernet([_fernet(current), *(_fernet(old) for old in previous)])

    def __repr__(self) -> str:
        return "KeyCipher()"

    def encrypt(self, plain: str) -> str:
        """An authenticated token (URL-safe base64 text) of ``plain``."""
        return self._fernets.encrypt(plain.encode()).decode("ascii")

    def decrypt(self, token: str) -> str:
        """The text of ``token``; :class:`KeyDecryptError` when no configured secret made it
        (or it was altered)."""
        try:
            return self._fernets.decrypt(token.encode("ascii")).decode()
        except (InvalidToken, UnicodeError):
            raise KeyDecryptError() from None

    def reencrypt(self, token: str) -> str:
        """``token``'s text encrypted anew under the current secret (decrypted with the
        current or a previous one); :class:`KeyDecryptError` when neither made it."""
        try:
            return self._fernets.rotate(token.encode("ascii")).decode("ascii")
        except (InvalidToken, UnicodeError):
            raise KeyDecryptError() from None


def key_cipher(*, sandbox_secret_file: Path | None = None) -> KeyCipher:
    """The cipher the settings call for (see the module's docstring; ``sandbox_secret_file``
    replaces :data:`SANDBOX_SECRET_FILE`). Raises :class:`KeysSecretMissing` with a hosted API
    and no secret, and :class:`~ftapp.settings.SettingsError` for an unreadable or too short
    secret file."""
    settings = current_settings()
    current = _configured_secret(settings)
    if current is None:
        if not settings.uses_sandbox:
            raise KeysSecretMissing()
        current = _sandbox_secret(sandbox_secret_file or SANDBOX_SECRET_FILE)
    previous = settings.keys_secret_previous
    return _cipher(current, previous.get_secret_value() if previous is not None else None)


@functools.lru_cache(maxsize=4)
def _cipher(current: str, previous: str | None) -> KeyCipher:
    return KeyCipher(current, (previous,) if previous is not None else ())


def _configured_secret(settings: Settings) -> str | None:
    if settings.keys_secret is not None:
        return settings.keys_secret.get_secret_value()
    if settings.keys_secret_file is None:
        return None
    path = settings.keys_secret_file
    try:
        secret = path.read_text(encoding="utf-8").strip()
    except (OSError, UnicodeError) as error:
        reason = getattr(error, "strerror", None) or "not UTF-8 text"
        raise SettingsError(f"FT_KEYS_SECRET_FILE cannot be read ({path}: {reason})") from None
    if len(secret) < MIN_KEYS_SECRET_LENGTH:
        raise SettingsError(
            f"FT_KEYS_SECRET_FILE must hold a secret of at least {MIN_KEYS_SECRET_LENGTH} "
            f"characters ({path})"
        )
    return secret


_warned: set[Path] = set()
_warned_lock = threading.Lock()


def _sandbox_secret(path: Path) -> str:
    """The secret in ``path``, made first if missing (owner-only; the file appears whole, so
    concurrent workers all read the first one's)."""
    if not path.exists():
        private_directory(path.parent)
        partial = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}")
        descriptor = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, FILE_MODE)
        try:
            with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
                handle.write(secrets.token_urlsafe(_GENERATED_BYTES) + "\n")
            with contextlib.suppress(FileExistsError):  # another worker was first: keep its
                os.link(partial, path)
        finally:
            partial.unlink()
    with _warned_lock:
        if path not in _warned:
            _warned.add(path)
            log.warning(
                "Stored workspace API keys are encrypted under %s, generated for the embedded "
                "sandbox: production must set FT_KEYS_SECRET (or FT_KEYS_SECRET_FILE).",
                path,
            )
    secret = path.read_text(encoding="utf-8").strip()
    if len(secret) < MIN_KEYS_SECRET_LENGTH:
        raise SettingsError(
            f"{path} holds no usable key-encryption secret; set FT_KEYS_SECRET (keys stored "
            "under the lost secret must then be added again)"
        )
    return secret
