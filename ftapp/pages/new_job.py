"""Create a job (``/jobs/new``). The three-step wizard is built in its own issue."""

import reflex as rx

from ftapp import routes
from ftapp.components.layout import page_shell


@rx.page(route=routes.NEW_JOB, title="New job · ftapp")
def new_job() -> rx.Component:
    """The page the header's "New job" link opens."""
    return page_shell(
        rx.heading("New job", size="7", as_="h1"),
        rx.callout(
            "Creating jobs from the browser is not available yet.",
            icon="info",
            width="100%",
        ),
        rx.link("Back to the dashboard", href=routes.DASHBOARD),
    )
