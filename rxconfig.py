"""Reflex configuration for ftapp."""

import reflex as rx

config = rx.Config(
    app_name="ftapp",
    telemetry_enabled=False,
    show_built_with_reflex=False,
    plugins=[
        rx.plugins.SitemapPlugin(),
        rx.plugins.RadixThemesPlugin(
            theme=rx.theme(
                appearance="inherit", accent_color="indigo", gray_color="slate", radius="medium"
            )
        ),
    ],
)
