"""The ftapp Reflex app: pages, the ASGI layers in front of them, the event middleware, and
what runs at start (migrations, the sign-in link)."""

import reflex as rx

from ftapp import (
    asgi,
    auth,
    csp,
    database,
    health,
    log_format,
    metrics_server,
    outages,
    redis_recovery,
    routes,
    services,
    stopping,
)
from ftapp.components.relative_time import SCRIPT as RELATIVE_TIME_SCRIPT
from ftapp.guard import leftovers, logs, subscriptions
from ftapp.guard.gate import EventGate
from ftapp.history import retention
from ftapp.history.endpoints import export_routes
from ftapp.pages.activity import view as activity_view  # noqa: F401  (pages register)
from ftapp.pages.admin_workspaces import view as admin_workspaces_view  # noqa: F401
from ftapp.pages.dashboard import view as dashboard_view  # noqa: F401
from ftapp.pages.history import view as history_view  # noqa: F401
from ftapp.pages.job import view as job_view  # noqa: F401
from ftapp.pages.new_job import view as new_job_view  # noqa: F401
from ftapp.pages.not_found import not_found  # noqa: F401
from ftapp.services import connection


def _api_transformers() -> list:
    """Innermost first: the sandbox (when served to others), the sign-in routes, the
    history's downloads, the page-request hook, the sign-in gate, the 503 for an unreachable
    store, then the Origin guard and the security headers around everything."""
    settings = connection.settings()
    layers: list = []
    # The sandbox is served to others only when asked for; otherwise its paths answer 404.
    sandbox = connection.public_sandbox_app() if settings.mounts_sandbox else asgi.not_found
    layers.append(asgi.mount(routes.SANDBOX_MOUNT, sandbox))
    layers.append(asgi.ShortPaths)
    layers.append(asgi.with_routes(auth.sign_in_routes()))
    layers.append(asgi.with_routes(health.health_routes()))
    layers.append(asgi.with_routes(export_routes()))  # the history's downloads: signed in only
    # Behind the gate (only signed-in requests): a page's list is polled while its HTML and
    # scripts load, as a server-rendered page would fetch it, instead of after its socket opens.
    layers.append(
        lambda app: asgi.OnPageRequest(app, routes.follows_workspace, services.expect_page_at)
    )
    # Old links (before workspaces) lead to the same page of the default workspace; "/" to
    # the workspace last used. Behind the gate: a signed-out visitor signs in first.
    layers.append(
        lambda app: asgi.LegacyPaths(app, routes.legacy_target, routes.LAST_WORKSPACE_COOKIE)
    )
    layers.append(auth.AuthGate)
    # /metrics with FT_METRICS_TOKEN (a bearer token, no session); else it passes on.
    layers.append(metrics_server.MetricsRoute)
    # Redis or the app database unreachable (the gate's lookups, sign-in): a 503, not a 500.
    layers.append(outages.Unavailable)
    origins = asgi.allowed_origins(settings.public_origin)
    layers.append(lambda app: asgi.OriginGuard(app, origins=origins))
    page_policy = csp.PagePolicy(csp.reflex_build_dir())
    layers.append(
        lambda app: asgi.SecurityHeaders(
            app, hsts=settings.public_is_https, page_policy=page_policy
        )
    )
    layers.append(log_format.RequestIds)  # every line a request logs names it
    return layers


def _announce_start() -> None:
    """Print, once per start, which API ftapp uses and the sign-in link."""
    auth.announce_sign_in_link(*connection.describe_upstream())


log_format.configure(connection.settings().log_format)
logs.install()
app = rx.App(
    api_transformer=_api_transformers(),
    # Toasts appear under the header, in the middle: the page's actions live at its sides
    # (New job on the right, each row's Delete at the table's right edge).
    toaster=rx.toast.provider(position="top-center", offset="72px", close_button=True),
    # The text direction, stated: without it the toaster asks the browser for the computed
    # style on every render (a forced style recalculation while a page draws its data).
    html_custom_attrs={"dir": "ltr"},
    head_components=[RELATIVE_TIME_SCRIPT],
    stylesheets=["/ftapp.css"],
    backend_exception_handler=logs.backend_exception_handler,
    frontend_exception_handler=logs.frontend_exception_handler,
)
# Cheap refusals first: an event that is not on the reviewed list never costs a session lookup.
gate = EventGate()
app.add_middleware(gate)
app.add_middleware(auth.RequireSession())
app.register_lifespan_task(database.upgrade_on_start)  # sync: the schema is there before serving
app.register_lifespan_task(_announce_start)
app.register_lifespan_task(auth.purge_sessions_periodically)
app.register_lifespan_task(retention.prune_periodically)  # with FT_HISTORY_RETENTION_DAYS only
app.register_lifespan_task(auth.end_revoked_sockets)
app.register_lifespan_task(subscriptions.check_connections)
app.register_lifespan_task(leftovers.sweep_periodically, forget=[gate.limiter.forget_idle])
app.register_lifespan_task(redis_recovery.keep_reflex_subscribed)  # with Redis only
app.register_lifespan_task(stopping.stop_cleanly_on_sigterm)  # sync: before serving
app.register_lifespan_task(metrics_server.serve_metrics_port)
app.register_lifespan_task(metrics_server.sample_connections)
