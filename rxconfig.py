"""Reflex configuration for ftapp."""

import os

import reflex as rx

from ftapp.asgi import allowed_origins
from ftapp.settings import load_settings

# No event of ftapp's comes near this (the largest, the browser's draft, is about 2 KB);
# Reflex's default lets one message carry a megabyte.
os.environ.setdefault("REFLEX_SOCKET_MAX_HTTP_BUFFER_SIZE", str(64 * 1024))

config = rx.Config(
    app_name="ftapp",
    telemetry_enabled=False,
    show_built_with_reflex=False,
    # Only the app's own origin may open its WebSocket (FT_PUBLIC_URL; see ftapp/asgi.py).
    cors_allowed_origins=allowed_origins(load_settings().public_origin),
    plugins=[
        rx.plugins.SitemapPlugin(),
        rx.plugins.RadixThemesPlugin(
            theme=rx.theme(
                appearance="inherit", accent_color="indigo", gray_color="slate", radius="medium"
            )
        ),
    ],
)
