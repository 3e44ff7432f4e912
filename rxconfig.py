"""Reflex configuration for ftapp.

``db_url`` is the app database (accounts, sign-in sessions, the activity log): a SQLite file
in the git-ignored ``data/`` folder by default, whatever the working directory. Reflex lets the
environment override any field: ``REFLEX_DB_URL=postgresql+psycopg://user:pass@host/ftapp``.
"""

from pathlib import Path

import reflex as rx

from ftapp.auth.start import mark_start

# Before any worker exists: every worker of this start inherits the same start id.
mark_start()

config = rx.Config(
    app_name="ftapp",
    telemetry_enabled=False,
    show_built_with_reflex=False,
    db_url=f"sqlite:///{Path(__file__).resolve().parent / 'data' / 'ftapp.db'}",
    plugins=[
        rx.plugins.SitemapPlugin(),
        rx.plugins.RadixThemesPlugin(
            theme=rx.theme(
                appearance="inherit", accent_color="indigo", gray_color="slate", radius="medium"
            )
        ),
    ],
)
