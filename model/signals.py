"""Stopping cleanly on a signal: SIGINT (Ctrl-C), SIGTERM (``timeout``, Slurm, ``docker stop``) and
SIGHUP raise :class:`Interrupted` in the main thread, so that a run stops the same way whatever
stops it: workers killed, temporary files removed, one message naming the command that resumes,
exit 128 + the signal.

:class:`Interrupted` is a BaseException, so that no ``except Exception`` on the way (a model
failure isolated per document, a reader's error) takes it for its own; and not a
KeyboardInterrupt, which the command-line library turns into a silent exit 130 (a signal while
the command starts or ends said nothing, whatever the signal).
"""

from __future__ import annotations

import contextlib
import os
import signal
import sys
import threading
import time
from collections.abc import Iterator

STOP_SIGNALS = ("SIGINT", "SIGTERM", "SIGHUP")


class Interrupted(BaseException):
    """A signal that stops the run arrived: ``signum`` which."""

    def __init__(self, signum: int) -> None:
        super().__init__(signal.Signals(signum).name)
        self.signum = signum


class Caught(list[int]):
    """The signals caught, and whether the run has ended (its outputs are then final)."""

    ended = False


LAST: list[Caught] = []  # the latest run's, for a signal caught outside it (see cleaner.__main__)


def outside_run(
    before: str = "before cleaning began; nothing was written",
    after: str = "after cleaning ended; its outputs are complete",
) -> str:
    """What a signal caught outside the run means for its outputs: ``before`` it began or ``after``
    it ended (each command says it in its own words: predict's are the defaults)."""
    if LAST and LAST[-1].ended:
        return after
    return before


# The signals caught in each :func:`deferred` block being run (innermost last).
_DEFERRING: list[list[int]] = []

# A SIGTERM or SIGHUP within this many seconds of the first stop signal is the same stop sent twice:
# `timeout` signals the command, then its whole process group, the command included.
REPEAT_SECONDS = 1.0


def _stop(signum: int, frame: object) -> None:
    """Raise :class:`Interrupted` once (at the end of a :func:`deferred` block, if in one): then a
    second Ctrl-C ends the process at once, and so does a second SIGTERM or SIGHUP, unless it comes
    within :data:`REPEAT_SECONDS` (it ended `timeout cleaner train` without a word about as often
    as not, its workers' semaphores reported leaked)."""
    first = time.monotonic()

    def again(repeat: int, frame: object) -> None:
        if time.monotonic() - first >= REPEAT_SECONDS:
            signal.signal(repeat, signal.SIG_DFL)
            os.kill(os.getpid(), repeat)

    for name in STOP_SIGNALS:
        if hasattr(signal, name):
            signal.signal(getattr(signal, name), signal.SIG_DFL if name == "SIGINT" else again)
    if _DEFERRING:
        _DEFERRING[-1].append(signum)
        return
    raise Interrupted(signum)


def interruption(exc: BaseException) -> Interrupted | None:
    """The :class:`Interrupted` that ``exc`` is or was raised from, if any. Python 3.11 wraps an
    exception raised in a ``__set_name__`` in a RuntimeError ("Error calling __set_name__ on
    'Field' instance ..."): a signal that lands while a module defines a dataclass with a field
    default or a cached property, as the command's imports do, arrives so."""
    seen: BaseException | None = exc
    while seen is not None:
        if isinstance(seen, Interrupted):
            return seen
        seen = seen.__cause__
    return None


@contextlib.contextmanager
def unwrapped() -> Iterator[None]:
    """A RuntimeError raised from :class:`Interrupted` (see :func:`interruption`) leaves the block
    as that :class:`Interrupted`, for the handlers that stop the run cleanly."""
    try:
        yield
    except RuntimeError as exc:
        stop = interruption(exc)
        if stop is None:
            raise
        raise stop from None


@contextlib.contextmanager
def deferred() -> Iterator[None]:
    """A stop signal that arrives while the block runs raises :class:`Interrupted` as it ends, not
    inside it: for a few statements that must happen together (a file renamed into place and
    counted). Blocking the signal (:func:`held`) is not enough: a process-directed signal then goes
    to another thread (a pool's), and Python runs the handler in this one all the same."""
    pending: list[int] = []
    _DEFERRING.append(pending)
    try:
        yield
    finally:
        _DEFERRING.remove(pending)
    if pending:
        raise Interrupted(pending[0])


def said_at_exit(line: str) -> None:
    """From now on, a stop signal ends the process at once with ``line`` on stderr ("cleaner:
    interrupted (SIGTERM) ``line``"), exit 128 + the signal: for the interpreter's exit, once a
    command is done. Raised there, :class:`Interrupted` landed in an exit handler (loky's, which
    waits for its threads), where Python prints "Exception ignored" and a traceback and exits 0.
    What the command printed is flushed first: nothing of it is lost to the immediate exit."""
    if threading.current_thread() is not threading.main_thread():
        return
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(Exception):  # closed, or gone (| head): nothing to keep
            stream.flush()

    def end(signum: int, frame: object) -> None:
        with contextlib.suppress(OSError):
            os.write(2, f"cleaner: interrupted ({signal.Signals(signum).name}) {line}\n".encode())
        os._exit(128 + signum)

    for name in STOP_SIGNALS:
        if hasattr(signal, name):
            signal.signal(getattr(signal, name), end)


def stop_on_signals() -> None:
    """From now on, the stop signals raise :class:`Interrupted` (in the main thread only)."""
    if threading.current_thread() is threading.main_thread():
        for name in STOP_SIGNALS:
            if hasattr(signal, name):
                signal.signal(getattr(signal, name), _stop)


def _stop_signals() -> set[signal.Signals]:
    return {getattr(signal, name) for name in STOP_SIGNALS if hasattr(signal, name)}


@contextlib.contextmanager
def held() -> Iterator[None]:
    """The stop signals held back (blocked, not lost) in this thread while the block runs; one that
    arrives meanwhile is delivered as the block ends.

    A process forked in the block starts with them held too. That is what a worker needs: until
    it has set its own handlers it runs with this process's, and Ctrl-C to the process group in
    those first milliseconds raised :class:`Interrupted` inside it, which printed a traceback
    beside the stop message. A worker calls :func:`released` once its handlers are set."""
    if not hasattr(signal, "pthread_sigmask"):
        yield
        return
    previous = signal.pthread_sigmask(signal.SIG_BLOCK, _stop_signals())
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, previous)


def released() -> None:
    """Deliver the stop signals held by :func:`held` in this thread, to its handlers as they now are."""
    if hasattr(signal, "pthread_sigmask"):
        signal.pthread_sigmask(signal.SIG_UNBLOCK, _stop_signals())


def interrupt_on_sigint() -> None:
    """From now on, SIGINT raises KeyboardInterrupt in the main thread, as Python's own handler does,
    also in a process started with SIGINT ignored (a command started with ``&`` by a script or a
    Makefile inherits it so, and Python keeps it). ``cleaner label`` needs this: its web server
    (uvicorn) takes SIGINT over while it serves, whatever it found, so a Ctrl-C before that was
    lost (the server then ran on) and one after it ended the process with status 0."""
    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGINT, signal.default_int_handler)


@contextlib.contextmanager
def stopped_by_signals() -> Iterator[Caught]:
    """:func:`stop_on_signals` while the block runs, the handlers before it restored after it.
    Yields the signals caught (the run's pool tells a worker killed by the same signal from a
    worker that died)."""
    received = Caught()
    LAST[:] = [received]
    if threading.current_thread() is not threading.main_thread():
        yield received
        return

    def stop(signum: int, frame: object) -> None:
        received.append(signum)
        _stop(signum, frame)

    previous = {name: signal.signal(getattr(signal, name), stop) for name in STOP_SIGNALS if hasattr(signal, name)}
    try:
        yield received
    finally:
        for name, handler in previous.items():
            signal.signal(getattr(signal, name), handler)
