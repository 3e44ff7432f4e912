"""The ftapp Reflex app: theme, pages, and the embedded sandbox on the backend."""

import reflex as rx
from starlette.applications import Starlette
from starlette.routing import Mount

from ftapp import backend, routes
from ftapp.components.relative_time import SCRIPT as RELATIVE_TIME_SCRIPT
from ftapp.pages import dashboard, job, new_job  # noqa: F401  (pages register with @rx.page)


def _api_transformer() -> Starlette | None:
    """Mount the sandbox at ``/sandbox/api`` when no hosted API is configured."""
    if not backend.settings().uses_sandbox:
        return None
    return Starlette(routes=[Mount(routes.SANDBOX_MOUNT, app=backend.sandbox_app())])


app = rx.App(api_transformer=_api_transformer(), head_components=[RELATIVE_TIME_SCRIPT])
