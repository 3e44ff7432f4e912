"""Reflex configuration for ftapp.

``db_url`` is the app database (accounts, sign-in sessions, the activity log): a SQLite file
in the git-ignored ``data/`` folder by default, whatever the working directory. Reflex lets the
environment override any field: ``REFLEX_DB_URL=postgresql+psycopg://user:pass@host/ftapp``.
"""

import os
from pathlib import Path

import reflex as rx

from ftapp.asgi import allowed_origins
from ftapp.frontend.lean_css import LeanRadixThemesCss
from ftapp.metrics_server import share_between_workers
from ftapp.private_files import private_directory
from ftapp.startup import claim_checkout, mark_start, settings_or_exit

PROJECT_ROOT = Path(__file__).resolve().parent
SETTINGS = settings_or_exit()  # a bad setting stops here, with one line naming it
claim_checkout(PROJECT_ROOT)  # one `reflex run` per checkout (they share .web)
# Before Reflex or ftapp opens a database in it; owner-only (hashes, the secret key).
private_directory(PROJECT_ROOT / "data")

# No event of ftapp's comes near this (the largest, the browser's draft, is about 2 KB);
# Reflex's default lets one message carry a megabyte.
os.environ.setdefault("REFLEX_SOCKET_MAX_HTTP_BUFFER_SIZE", str(64 * 1024))
# Before any worker exists: every worker of this start inherits the same start id, and the
# folder where each writes its metrics for one scrape to sum (ftapp/metrics_server.py).
mark_start()
share_between_workers(PROJECT_ROOT / "data" / "metrics")

# Each tab's State lives in this process (freed soon after the tab closes, see
# ftapp/guard/leftovers.py), or in Redis when REFLEX_REDIS_URL is set. Not Reflex's default
# "disk" store, which writes every tab's State to files that outlive the tab by an hour.
STATE_MANAGER = (
    rx.constants.StateManagerMode.REDIS
    if SETTINGS.redis_url
    else rx.constants.StateManagerMode.MEMORY
)

config = rx.Config(
    app_name="ftapp",
    state_manager_mode=STATE_MANAGER,
    telemetry_enabled=False,
    # Loopback unless FT_PUBLIC_URL names another host or FT_BIND_ADDRESS says otherwise.
    backend_host=SETTINGS.listen_host,
    show_built_with_reflex=False,
    # Only the app's own origin may open its WebSocket (FT_PUBLIC_URL; see ftapp/asgi.py).
    cors_allowed_origins=allowed_origins(SETTINGS.public_origin),
    db_url=f"sqlite:///{PROJECT_ROOT / 'data' / 'ftapp.db'}",
    plugins=[
        rx.plugins.SitemapPlugin(),
        rx.plugins.RadixThemesPlugin(
            theme=rx.theme(
                appearance="inherit", accent_color="indigo", gray_color="slate", radius="medium"
            )
        ),
        LeanRadixThemesCss(),
    ],
)
