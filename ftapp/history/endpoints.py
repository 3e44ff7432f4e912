"""The history's download route, ``/w/<workspace>/history/export.csv`` and ``.json`` with the
view's URL parameters: served by the backend behind the sign-in gate (which puts the identity in the
scope), streamed batch by batch, as an attachment named with the day."""

from __future__ import annotations

import time

from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response, StreamingResponse
from starlette.routing import BaseRoute, Route

from ftapp import routes, services
from ftapp.auth.gate import SCOPE_KEY
from ftapp.history import export
from ftapp.history.view import HistoryView


async def export_history(request: Request) -> Response:
    """The view named by the query parameters, every page of it, as CSV or JSON."""
    export_format = request.path_params["export_format"]
    view = HistoryView.from_params(request.query_params)
    identity = request.scope.get(SCOPE_KEY)
    actor = await services.enter(identity, request.path_params["workspace"])
    if identity is not None and actor is None:
        return PlainTextResponse(services.NOT_A_MEMBER, status_code=403)
    try:
        pieces = await services.export_chunks(actor, view, export_format)
    except PermissionError as refused:
        return PlainTextResponse(str(refused), status_code=403)
    except ValueError:
        return PlainTextResponse("Not found.", status_code=404)
    name = export.filename(export_format, time.time())
    return StreamingResponse(
        pieces,
        media_type=export.MEDIA_TYPES[export_format],
        headers={"content-disposition": f'attachment; filename="{name}"'},
    )


def export_routes() -> list[BaseRoute]:
    """The download route, for :func:`ftapp.asgi.with_routes` inside the sign-in gate."""
    path = routes.WORKSPACE_PREFIX + "{workspace}" + routes.HISTORY_EXPORT + ".{export_format}"
    return [Route(path, export_history, methods=["GET"])]
