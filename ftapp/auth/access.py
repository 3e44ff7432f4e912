"""The access token: ``/login?token=...`` signs the browser in as the local admin.

The token is ``FT_ACCESS_TOKEN``, or, when unset, one derived for this start:
HMAC-SHA256(secret key, start id). Every worker of one start computes the same token with no
coordination: the start id is inherited from the ``reflex run`` process (see
:mod:`ftapp.auth.start`) and the secret key is shared through the database. The start id is
never stored (the database keeps its SHA-256 only), so nothing stored yields the token. A new
start makes a new token, so an old link stops working. Behind a load balancer with several
instances, set ``FT_ACCESS_TOKEN`` (each instance would have its own start id).

The link works ``FT_ACCESS_LINK_MINUTES`` after the start, and not at all with
``FT_ACCESS_LINK=0``. It is printed once per start (whichever worker claims the start in the
database).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import time
from urllib.parse import quote

import sqlalchemy.exc

from ftapp.auth import db, paths
from ftapp.auth.models import AppStart
from ftapp.auth.secret import secret_key
from ftapp.auth.start import start_id, started_at
from ftapp.settings import Settings, current_settings

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
    expected = await db.in_thread(access_token, settings)
    return hmac.compare_digest(given.encode(), expected.encode())


def sign_in_link(settings: Settings) -> str:
    """``<public origin>/login?token=<token>``, e.g. ``http://localhost:3000/login?token=...``."""
    return f"{settings.public_origin}{paths.LOGIN}?token={quote(access_token(settings), safe='')}"


def banner(settings: Settings) -> str:
    """The line to print: the link itself (or where its token comes from when configured);
    the sign-in page when links are off."""
    if not settings.access_link:
        return f"Sign in at {settings.public_origin}{paths.LOGIN} (FT_ACCESS_LINK=0: no link)"
    if settings.access_token is not None:
        link = f"{settings.public_origin}{paths.LOGIN}?token=<FT_ACCESS_TOKEN>"
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
    :func:`ftapp.auth.migrate.upgrade_on_start`)."""
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
    with db.session() as session:
        session.add(AppStart(id=digest, announced_at=int(time.time())))
        try:
            session.commit()
        except sqlalchemy.exc.IntegrityError:
            return False  # another worker of this start printed it
    return True
