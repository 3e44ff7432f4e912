"""The page for an address that is no page of ftapp: the app's header, a heading, a way back."""

from __future__ import annotations

import reflex as rx
from reflex_base.constants import Page404

from ftapp.components.layout import link_button
from ftapp.pages.shell import app_page
from ftapp.pages.workspace_state import WorkspaceState


@rx.page(route=Page404.SLUG, title="Page not found · ftapp", on_load=WorkspaceState.identify)
def not_found() -> rx.Component:
    """The 404 page."""
    return app_page(
        rx.vstack(
            rx.icon("map-pin-off", size=40, color=rx.color("gray", 9)),
            rx.heading("Page not found", as_="h1", size="6"),
            rx.text("There is no page at this address in ftapp.", color_scheme="gray"),
            link_button("Back to the dashboard", WorkspaceState.workspace_home),
            spacing="3",
            padding_y="24px",
        )
    )
