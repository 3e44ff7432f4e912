"""The ftapp Reflex app: pages, the ASGI layers in front of them, and the embedded sandbox."""

import reflex as rx

from ftapp import asgi, routes
from ftapp.components.relative_time import SCRIPT as RELATIVE_TIME_SCRIPT
from ftapp.guard import logs, subscriptions
from ftapp.guard.gate import EventGate
from ftapp.pages.dashboard import view as dashboard_view  # noqa: F401  (pages register)
from ftapp.pages.job import view as job_view  # noqa: F401
from ftapp.pages.new_job import view as new_job_view  # noqa: F401
from ftapp.services import connection


def _api_transformers() -> list:
    """Innermost first: the sandbox mount (only without a hosted API), then the guards."""
    settings = connection.settings()
    layers: list = []
    if settings.uses_sandbox:
        layers.append(asgi.mount(routes.SANDBOX_MOUNT, connection.sandbox_app()))
    origins = asgi.allowed_origins(settings.public_origin)
    layers.append(lambda app: asgi.OriginGuard(app, origins=origins))
    layers.append(lambda app: asgi.SecurityHeaders(app, hsts=settings.public_is_https))
    return layers


logs.install()
app = rx.App(
    api_transformer=_api_transformers(),
    head_components=[RELATIVE_TIME_SCRIPT],
    backend_exception_handler=logs.backend_exception_handler,
    frontend_exception_handler=logs.frontend_exception_handler,
)
app.add_middleware(EventGate())
app.register_lifespan_task(subscriptions.check_connections)
