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
from http.cookies import SimpleCookie
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import Headers
from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from .session import PageChanged, Session
from .store import KINDS, SaveError

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
    """ASGI middleware that refuses requests from anywhere but the page itself (module docstring)."""

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
        headers = Headers(scope=scope)
        refusal, set_cookie = self.check(scope, headers)
        if refusal is not None:
            await self.secured(send, False)(
                {
                    "type": "http.response.start",
                    "status": refusal[0],
                    "headers": [(b"content-type", b"text/plain; charset=utf-8")],
                }
            )
            await send({"type": "http.response.body", "body": refusal[1].encode()})
            return
        await self.app(scope, receive, self.secured(send, set_cookie))

    def check(self, scope: Scope, headers: Headers) -> tuple[tuple[int, str] | None, bool]:
        """(status and reason to refuse with, or None; whether to set the token cookie)."""
        host = headers.get("host", "").lower()
        if self.hosts is not None and host not in self.hosts:
            return (421, f"refused: this server does not answer to Host {host!r}\n"), False
        origin = headers.get("origin")
        if origin is not None and origin.lower() != f"http://{host}":
            return (403, f"refused: a request from another origin ({origin})\n"), False
        if headers.get("sec-fetch-site") in ("cross-site", "same-site"):
            return (403, "refused: a request from another site\n"), False
        if scope["method"] not in ("GET", "HEAD"):
            if origin is None:
                return (403, "refused: a change must come from the labelling page (no Origin header)\n"), False
            if headers.get("content-type", "").split(";")[0].strip() != "application/json":
                return (415, "refused: send JSON (application/json)\n"), False
        if self.token is None:
            return None, False
        given = parse_qs(scope.get("query_string", b"").decode("latin-1")).get("token", [""])[0]
        if given and secrets.compare_digest(given, self.token):
            return None, True
        cookie = SimpleCookie(headers.get("cookie", ""))
        if COOKIE in cookie and secrets.compare_digest(cookie[COOKIE].value, self.token):
            return None, False
        return (401, "refused: open the URL that `cleaner label` printed, with its ?token=\n"), False

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
