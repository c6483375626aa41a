"""The web page of ``cleaner label``: a Starlette application served by uvicorn.

Why Starlette and uvicorn: both are small, typed and well kept (Encode's, used under FastAPI), they
need no C compiler, and Starlette gives routing, JSON, static files from the package and the test
client without a template engine or an ORM we would not use. Flask would do as well, but its
development server is not meant to be run by users and its production servers (gunicorn) are
POSIX-only; uvicorn is a production server on every platform. No HTTP is parsed here.

It lets no one else in (see :class:`Guard`): a request whose Host is not one this server was
started for is refused (another site's name resolved to 127.0.0.1, DNS rebinding, cannot reach
it), so is one whose Origin is not the page's own or that the browser marks cross-site (another web
page open in the same browser can neither read nor write labels), and a write must come from the
page itself (an Origin header and a JSON body, which a form on another site cannot send without the
browser asking first, and nobody answers that question). When the server listens beyond loopback,
every request also needs the token printed at start (in the URL once, then in a cookie).
"""

from __future__ import annotations

import ipaddress
import secrets
from collections.abc import Awaitable, Callable, MutableMapping
from pathlib import Path
from typing import Any

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, PlainTextResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from .session import PageChanged, Session
from .store import KINDS, SaveError, WriteError

STATIC = Path(__file__).resolve().parent / "static"
COOKIE = "cleaner_label_token"
LOOPBACK_NAMES = ("127.0.0.1", "localhost", "[::1]")
WILDCARDS = ("0.0.0.0", "::", "")
# Scripts, styles and data only from this server: a dump's text is put on the page as text, never
# as markup, and the policy stops any script that got there anyway.
SECURITY_HEADERS = [
    (
        b"content-security-policy",
        b"default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; "
        b"connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
    ),
    (b"x-frame-options", b"DENY"),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
    (b"cache-control", b"no-store"),
    (b"cross-origin-resource-policy", b"same-origin"),
]

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]


def is_loopback(host: str) -> bool:
    """True for localhost and the loopback addresses (127.0.0.0/8, ::1)."""
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def allowed_hosts(host: str, port: int) -> set[str] | None:
    """The Host header values this server answers to (``name:port``), or None for any (a wildcard
    bind, where only the token keeps others out)."""
    if host in WILDCARDS:
        return None
    if is_loopback(host):
        return {f"{name}:{port}" for name in LOOPBACK_NAMES} | (
            {f"{host}:{port}"} if ":" not in host else {f"[{host}]:{port}"}
        )
    return {f"[{host}]:{port}" if ":" in host else f"{host}:{port}"}


class Guard:
    """ASGI middleware that refuses requests from anywhere but the page itself (module docstring).

    Its Host check is its own, not Starlette's ``TrustedHostMiddleware``: that one compares the
    name without the port and refuses with 400 "Invalid host header", where a server started for
    ``127.0.0.1:8123`` answers only to that name and port, and a wrong Host is a misdirected
    request (421) that says which Host it refused. The request is read through Starlette's
    :class:`~starlette.requests.Request` (query string, cookies), and refused with a
    :class:`~starlette.responses.PlainTextResponse`.
    """

    def __init__(self, app: ASGIApp, hosts: set[str] | None, token: str | None) -> None:
        self.app = app
        self.hosts = {host.lower() for host in hosts} if hosts is not None else None
        self.token = token

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            await self.app(scope, receive, send)
            return
        if scope["type"] != "http":
            return  # no websockets here: closing the connection refuses it
        request = Request(scope)
        refusal, set_cookie = self.check(request)
        if refusal is not None:
            await refusal(scope, receive, self.secured(send, False))
            return
        await self.app(scope, receive, self.secured(send, set_cookie))

    def check(self, request: Request) -> tuple[Response | None, bool]:
        """(the response to refuse with, or None; whether to set the token cookie)."""
        headers = request.headers
        host = headers.get("host", "").lower()
        if self.hosts is not None and host not in self.hosts:
            return _refusal(421, f"this server does not answer to Host {host!r}"), False
        origin = headers.get("origin")
        if origin is not None and origin.lower() != f"http://{host}":
            return _refusal(403, f"a request from another origin ({origin})"), False
        if headers.get("sec-fetch-site") in ("cross-site", "same-site"):
            return _refusal(403, "a request from another site"), False
        if request.method not in ("GET", "HEAD"):
            if origin is None:
                return _refusal(403, "a change must come from the labelling page (no Origin header)"), False
            if headers.get("content-type", "").split(";")[0].strip() != "application/json":
                return _refusal(415, "send JSON (application/json)"), False
        if self.token is None:
            return None, False
        given = request.query_params.get("token", "")
        if given and secrets.compare_digest(given, self.token):
            return None, True
        cookie = request.cookies.get(COOKIE)
        if cookie is not None and secrets.compare_digest(cookie, self.token):
            return None, False
        return _refusal(401, "open the URL that `cleaner label` printed, with its ?token="), False

    def secured(self, send: Send, set_cookie: bool) -> Send:
        """``send`` with the security headers (and the token cookie) added to the response."""

        async def sending(message: Message) -> None:
            if message["type"] == "http.response.start":
                extra = list(SECURITY_HEADERS)
                if set_cookie and self.token is not None:
                    extra.append((b"set-cookie", f"{COOKIE}={self.token}; Path=/; HttpOnly; SameSite=Strict".encode()))
                message["headers"] = [*message.get("headers", []), *extra]
            await send(message)

        return sending


def _refusal(status: int, reason: str) -> Response:
    """A refused request's answer: ``refused: reason``, as plain text."""
    return PlainTextResponse(f"refused: {reason}\n", status_code=status)


def create_app(session: Session, hosts: set[str] | None, token: str | None = None) -> Starlette:
    """The application for ``session``, answering only to ``hosts`` (``name:port``; None: any) and,
    with a ``token``, only to requests that carry it."""

    def index(request: Request) -> Response:
        return FileResponse(STATIC / "index.html", media_type="text/html; charset=utf-8")

    def pages(request: Request) -> Response:
        with session.lock:
            progress = session.progress.as_dict()
            model = session.model_name
        return JSONResponse(
            {
                "pages": session.summary(),
                "labels": str(session.labels_dir),
                "model": model,
                "model_out": str(session.model_out),
                "plus_shipped": session.plus_shipped,
                "kinds": list(KINDS),
                "retrain": progress,
            }
        )

    def page(request: Request) -> Response:
        number = request.path_params["number"]
        try:
            digest = request.query_params.get("digest")
            if digest is not None:  # the page the browser means, as its list of pages gave it
                session.opened(number, request.query_params.get("where"), digest)
            return JSONResponse(session.page_view(number))
        except KeyError:
            return JSONResponse({"error": "no such page"}, status_code=404)
        except PageChanged as exc:
            return JSONResponse({"error": str(exc)}, status_code=409)

    async def save(request: Request) -> Response:
        try:
            fields = await request.json()
        except ValueError:
            return JSONResponse({"error": "the body is not JSON"}, status_code=400)
        if not isinstance(fields, dict):
            return JSONResponse({"error": "send a JSON object"}, status_code=400)
        try:
            saved = await run_in_threadpool(session.save, request.path_params["number"], fields)
        except KeyError:
            return JSONResponse({"error": "no such page"}, status_code=404)
        except PageChanged as exc:
            return JSONResponse({"error": str(exc)}, status_code=409)
        except SaveError as exc:
            return JSONResponse({"error": str(exc)}, status_code=422)
        except WriteError as exc:  # the server's disk, not the request: 507 when it is full, else 500
            return JSONResponse({"error": str(exc)}, status_code=507 if exc.full else 500)
        return JSONResponse(saved)

    def retrain_status(request: Request) -> Response:
        with session.lock:
            return JSONResponse(session.progress.as_dict())

    async def retrain(request: Request) -> Response:
        started = session.start_retrain()
        with session.lock:
            progress = session.progress.as_dict()
        return JSONResponse(progress, status_code=202 if started else 409)

    def no_icon(request: Request) -> Response:
        return Response(status_code=204)  # browsers ask for one; the page has none

    routes = [
        Route("/", index),
        Route("/favicon.ico", no_icon),
        Route("/api/pages", pages),
        Route("/api/pages/{number:int}", page),
        Route("/api/pages/{number:int}", save, methods=["POST"]),
        Route("/api/retrain", retrain_status),
        Route("/api/retrain", retrain, methods=["POST"]),
        Mount("/static", app=StaticFiles(directory=STATIC), name="static"),
    ]
    app = Starlette(routes=routes)
    app.add_middleware(Guard, hosts=hosts, token=token)
    return app
