"""The access token: ``/login?token=...`` signs the browser in as the local admin.

The token is ``FT_ACCESS_TOKEN``, or, when unset, one derived for this start:
HMAC-SHA256(secret key, start id). Every worker of one start computes the same token with no
coordination: the start id is inherited from the ``reflex run`` process (see
:mod:`ftapp.auth.start`) and the secret key is shared through the database. A new start makes
a new token, so an old link stops working. Behind a load balancer with several instances,
set ``FT_ACCESS_TOKEN`` (each instance would have its own start id).

The link is printed once per start (whichever worker claims the start in the database).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import time
from urllib.parse import quote

import sqlalchemy.exc

from ftapp.auth import db, paths
from ftapp.auth.config import auth_settings
from ftapp.auth.models import AppStart
from ftapp.auth.secret import secret_key
from ftapp.auth.start import start_id
from ftapp.settings import Settings


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
    """The line to print: the link itself, or where its token comes from when configured."""
    if settings.access_token is not None:
        link = f"{settings.public_origin}{paths.LOGIN}?token=<FT_ACCESS_TOKEN>"
    else:
        link = sign_in_link(settings)
    return f"Open ftapp: {link}"


def announce_sign_in_link(*notes: str) -> None:
    """Print the sign-in link (after ``notes``, e.g. which API the app uses), once per start
    whatever the number of workers (a lifespan task's work; run it after
    :func:`ftapp.auth.migrate.upgrade_on_start`)."""
    settings = auth_settings()
    if not _claim_announcement(start_id()):
        return
    rule = "-" * 72
    lines = "".join(f"    {note}\n" for note in notes)
    print(f"\n{rule}\n{lines}    {banner(settings)}\n{rule}\n", flush=True)


def _claim_announcement(start: str) -> bool:
    with db.session() as session:
        session.add(AppStart(id=start, announced_at=int(time.time())))
        try:
            session.commit()
        except sqlalchemy.exc.IntegrityError:
            return False  # another worker of this start printed it
    return True
