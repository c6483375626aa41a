"""Starting the labelling page: the listening socket, the URL to print, the browser, uvicorn.

The socket is bound before the application is made, so that the port the system chose (``--port
0``) is known to the Host check, and the URL printed is the one that works.
"""

from __future__ import annotations

import os
import secrets
import signal
import socket
import sys
import threading
import webbrowser
from dataclasses import dataclass

import uvicorn

from ...signals import STOP_SIGNALS, Interrupted
from .app import allowed_hosts, create_app, is_loopback
from .session import Session


@dataclass
class Listening:
    """A bound socket and the URL a browser opens."""

    sock: socket.socket
    host: str
    port: int
    token: str | None

    @property
    def url(self) -> str:
        host = "127.0.0.1" if self.host in ("", "0.0.0.0", "::") else self.host
        shown = f"[{host}]" if ":" in host else host
        return f"http://{shown}:{self.port}/" + (f"?token={self.token}" if self.token else "")


def listen(host: str, port: int) -> Listening:
    """Bind ``host:port`` (0: a free port); a token is made unless ``host`` is loopback."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError:
        sock.close()
        raise
    sock.listen(64)
    sock.set_inheritable(True)
    token = None if is_loopback(host) else secrets.token_urlsafe(24)
    return Listening(sock, host, sock.getsockname()[1], token)


def server_for(session: Session, listening: Listening) -> uvicorn.Server:
    app = create_app(session, allowed_hosts(listening.host, listening.port), listening.token)
    config = uvicorn.Config(app, log_level="warning", lifespan="off", access_log=False)
    return uvicorn.Server(config)


def can_open_browser() -> bool:
    """Whether a graphical browser can be opened: not over SSH without a display, where Python's
    webbrowser would start a text browser inside this terminal."""
    if sys.platform in ("darwin", "win32"):
        return True
    return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))


def open_browser(url: str) -> bool:
    if not can_open_browser():
        return False
    try:
        return webbrowser.open(url)
    except webbrowser.Error:
        return False


def serve(session: Session, listening: Listening) -> None:
    """Serve until Ctrl-C, SIGTERM or SIGHUP (uvicorn finishes the requests in flight, so a save is
    never cut), stop the retrain's worker processes, then raise :class:`~cleaner.signals.Interrupted`
    (exit 128 + the signal, as ``cleaner predict`` stops).

    The signals are taken over before uvicorn starts: uvicorn installs its own handlers only once its
    event loop runs, and a KeyboardInterrupt before that landed inside asyncio's set-up ("coroutine
    'Server.serve' was never awaited"). Here a signal at any moment tells the server to stop: one that
    uvicorn caught while serving is passed back to these handlers when uvicorn restores them. Left
    to the default, SIGTERM (what ``timeout``, systemd and ``docker stop`` send) ended the process at
    once, and a retrain's joblib workers ran on, orphaned, for minutes."""
    server = server_for(session, listening)
    if threading.current_thread() is not threading.main_thread():
        server.run(sockets=[listening.sock])
        return
    caught: list[int] = []

    def stop(signum: int, frame: object) -> None:
        caught.append(signum)
        server.should_exit = True

    previous = {name: signal.signal(getattr(signal, name), stop) for name in STOP_SIGNALS if hasattr(signal, name)}
    try:
        server.run(sockets=[listening.sock])
    finally:
        for name, handler in previous.items():
            signal.signal(getattr(signal, name), handler)
    if caught:
        session.stop()
        raise Interrupted(caught[0])
