"""A small ASGI app shaped like ftapp's backend, behind the gate, for the HTTP tests.

As in ``rx.App(api_transformer=[Starlette(routes=[*sign_in_routes(), sandbox]), AuthGate])``:
the sign-in routes and a "sandbox" are mounted in front of an inner app standing in for
Reflex (pages, build assets, ``/_event`` WebSocket, ``/_upload``, ``/ping``).
"""

from __future__ import annotations

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, PlainTextResponse, Response
from starlette.routing import Mount, Route, WebSocketRoute
from starlette.testclient import TestClient
from starlette.types import ASGIApp
from starlette.websockets import WebSocket

from ftapp.auth.endpoints import sign_in_routes
from ftapp.auth.gate import SCOPE_KEY, AuthGate

ORIGIN = "http://localhost:3000"
HASHED_ASSET = "/assets/root-BdRPQKd2.js"


def _who(request: Request) -> str:
    identity = request.scope.get(SCOPE_KEY)
    return identity.username if identity else "-"


async def page(request: Request) -> Response:
    # A static file server's usual header, which the gate must replace.
    return HTMLResponse(
        f"<p>page for {_who(request)}</p>", headers={"cache-control": "public, max-age=600"}
    )


async def asset(request: Request) -> Response:
    return PlainTextResponse("console.log(1)", headers={"etag": '"x"'})


async def upload(request: Request) -> Response:
    return JSONResponse({"uploaded_by": _who(request)})


async def ping(_request: Request) -> Response:
    return PlainTextResponse("pong")


async def event_socket(websocket: WebSocket) -> None:
    await websocket.accept()
    identity = websocket.scope.get(SCOPE_KEY)
    await websocket.send_text(identity.username if identity else "-")
    await websocket.close()


async def sandbox(_request: Request) -> Response:
    return JSONResponse({"sandbox": True})


reflex_like = Starlette(
    routes=[
        Route("/", page),
        Route("/jobs/{job_id}", page),
        Route("/assets/{name}", asset),
        Route("/_upload", upload, methods=["POST"]),
        Route("/ping", ping),
        WebSocketRoute("/_event", event_socket),
        Route("/favicon.ico", ping),
    ]
)


def build_app() -> ASGIApp:
    """The gate around [sign-in routes, sandbox mount, the Reflex-like app]."""
    front = Starlette(
        routes=[
            *sign_in_routes(),
            Mount("/sandbox", app=Starlette(routes=[Route("/api/ping", sandbox)])),
            Mount("", app=reflex_like),
        ]
    )
    return AuthGate(front)


def client(base_url: str = ORIGIN) -> TestClient:
    """A test browser at ``base_url`` that does not follow redirects."""
    return TestClient(build_app(), base_url=base_url, follow_redirects=False)
