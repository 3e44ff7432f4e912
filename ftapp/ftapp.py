"""The ftapp Reflex app: theme, pages, and the embedded sandbox on the backend."""

import reflex as rx
from starlette.applications import Starlette
from starlette.routing import Mount

from ftapp import routes
from ftapp.components.relative_time import SCRIPT as RELATIVE_TIME_SCRIPT
from ftapp.pages.dashboard import view as dashboard_view  # noqa: F401  (pages register)
from ftapp.pages.job import view as job_view  # noqa: F401
from ftapp.pages.new_job import view as new_job_view  # noqa: F401
from ftapp.services import connection


def _api_transformer() -> Starlette | None:
    """Mount the sandbox at ``/sandbox/api`` when no hosted API is configured."""
    if not connection.settings().uses_sandbox:
        return None
    return Starlette(routes=[Mount(routes.SANDBOX_MOUNT, app=connection.sandbox_app())])


app = rx.App(api_transformer=_api_transformer(), head_components=[RELATIVE_TIME_SCRIPT])
