"""The access token: ``/login?token=...`` signs the browser in as the local admin.

The token is ``FT_ACCESS_TOKEN``, or, when unset, one derived for this start:
HMAC-SHA256(secret key, start id). Every worker of one start computes the same token with no
coordination: the start id is inherited from the ``reflex run`` process (see
:mod:`ftapp.startup`) and the secret key is shared through the database. The start id is
never stored (the database keeps its SHA-256 only), so nothing stored yields the token. A new
start makes a new token, so an old link stops working. Behind a load balancer with several
instances, set ``FT_ACCESS_TOKEN`` (each instance would have its own start id).

The link works ``FT_ACCESS_LINK_MINUTES`` after the start, and not at all with
``FT_ACCESS_LINK=0``. It is printed once per start (whichever worker claims the start in the
database).

The secret key is ``FT_SECRET_KEY``, or one generated once and kept in the app database
(``server_secret``): every worker and every restart must share it, as it also signs the SSO
transaction cookie that another worker may read.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import threading
import time
from urllib.parse import quote

import sqlalchemy.exc

from ftapp import database, routes
from ftapp.models import AppStart, ServerSecret
from ftapp.settings import Settings, current_settings
from ftapp.startup import start_id, started_at

LINK_OFF = "Sign-in links are switched off here: sign in with your account."
LINK_EXPIRED = (
    "This sign-in link has expired. Restart ftapp for a new one, or sign in with an account."
)


def link_refusal(settings: Settings, now: float | None = None) -> str | None:
    """Why the sign-in link cannot be used now (switched off, or expired), or None."""
    if not settings.access_link:
        return LINK_OFF
    now = time.time() if now is None else now
    if now - started_at() > settings.access_link_minutes * 60:
        return LINK_EXPIRED
    return None


def access_token(settings: Settings) -> str:
    """The token of this start's sign-in link (blocks on first use: the secret key)."""
    if settings.access_token is not None:
        return settings.access_token.get_secret_value()
    message = b"ftapp access token\x00" + start_id().encode()
    digest = hmac.new(secret_key(settings), message, hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


async def access_token_matches(given: str, settings: Settings) -> bool:
    """True when ``given`` is the access token (constant-time comparison)."""
    expected = await database.in_thread(access_token, settings)
    return hmac.compare_digest(given.encode(), expected.encode())


def sign_in_link(settings: Settings) -> str:
    """``<public origin>/login?token=<token>``, e.g. ``http://localhost:3000/login?token=...``."""
    return f"{settings.public_origin}{routes.LOGIN}?token={quote(access_token(settings), safe='')}"


def banner(settings: Settings) -> str:
    """The line to print: the link itself (or where its token comes from when configured);
    the sign-in page when links are off."""
    if not settings.access_link:
        return f"Sign in at {settings.public_origin}{routes.LOGIN} (FT_ACCESS_LINK=0: no link)"
    if settings.access_token is not None:
        link = f"{settings.public_origin}{routes.LOGIN}?token=<FT_ACCESS_TOKEN>"
    else:
        link = sign_in_link(settings)
    return f"Open ftapp: {link}"


def lifetime_note(settings: Settings) -> str:
    """How long the link works, for the line under it ("" when links are off)."""
    if not settings.access_link:
        return ""
    return (
        f"(the link works for {_duration(settings.access_link_minutes)} after this start: "
        "FT_ACCESS_LINK_MINUTES)"
    )


def _duration(minutes: int) -> str:
    if minutes % 60:
        return f"{minutes} minute{'s' if minutes != 1 else ''}"
    hours = minutes // 60
    return f"{hours} hour{'s' if hours != 1 else ''}"


def announce_sign_in_link(*notes: str) -> None:
    """Print the sign-in link (after ``notes``, e.g. which API the app uses), once per start
    whatever the number of workers (a lifespan task's work; run it after
    :func:`ftapp.database.upgrade_on_start`)."""
    settings = current_settings()
    if not _claim_announcement(start_id()):
        return
    rule = "-" * 72
    lines = "".join(
        f"    {note}\n" for note in (*notes, banner(settings), lifetime_note(settings)) if note
    )
    print(f"\n{rule}\n{lines}{rule}\n", flush=True)


def _claim_announcement(start: str) -> bool:
    # The start id derives the token: only its hash is stored.
    digest = hashlib.sha256(start.encode()).hexdigest()
    with database.session() as session:
        session.add(AppStart(id=digest, announced_at=int(time.time())))
        try:
            session.commit()
        except sqlalchemy.exc.IntegrityError:
            return False  # another worker of this start printed it
    return True


SECRET_KEY_NAME = "secret_key"
_cache: dict[str, bytes] = {}
_cache_lock = threading.Lock()


def secret_key(settings: Settings) -> bytes:
    """The secret key (blocking on first use when it lives in the database)."""
    if settings.secret_key is not None:
        return settings.secret_key.get_secret_value().encode()
    url = database.database_url()
    with _cache_lock:
        if url not in _cache:
            _cache[url] = _stored_or_new().encode()
        return _cache[url]


async def secret_key_async(settings: Settings) -> bytes:
    """:func:`secret_key` without blocking the event loop."""
    return await database.in_thread(secret_key, settings)


def forget_cached_keys() -> None:
    """Drop the per-process cache (tests switch databases)."""
    with _cache_lock:
        _cache.clear()


def _stored_or_new() -> str:
    with database.session() as session:
        if (row := session.get(ServerSecret, SECRET_KEY_NAME)) is not None:
            return row.value
        session.add(
            ServerSecret(
                name=SECRET_KEY_NAME, value=secrets.token_urlsafe(48), created_at=int(time.time())
            )
        )
        try:
            session.commit()
        except sqlalchemy.exc.IntegrityError:
            session.rollback()  # another worker inserted it first: use theirs
    with database.session() as session:
        row = session.get(ServerSecret, SECRET_KEY_NAME)
        assert row is not None
        return row.value
