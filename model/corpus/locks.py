"""One run at a time per single output file (``-o FILE.jsonl``): an advisory lock on its ``.partial``.

Two runs writing the same ``-o FILE.jsonl`` both grew the one ``FILE.jsonl.partial``: the second
truncated what the first had written, both wrote into it, and both renamed it, so that one run
reported success over a mix of both runs' records (and NUL bytes), and the other failed naming an
output that was there. Now a run takes an exclusive lock on the ``.partial`` before it inspects,
renames or truncates anything, and a second run is refused at its start (:class:`OutputBusy`).

Why the ``.partial`` itself, rather than a lock file or the folder: the ``.partial`` is there exactly
while a run writes the output (and after one stopped, for ``--resume``), so no lock file is ever
made or left behind; a lock on the folder would make unrelated outputs in it wait for each other
(and under ``-o DIR`` runs into one folder are fine: each output file is written whole, then
renamed). The file is opened without ``O_TRUNC`` (truncating before the lock is held would destroy
the other run's records) and, once locked, checked to be still the file named ``.partial``: the run
that held it may have renamed it into place or deleted it in between, and a lock on a file no longer
named so guards nothing. ``flock`` belongs to the open file, so the kernel releases it when the
process ends however it ends: after ``kill -9`` the ``.partial`` is left unlocked, for ``--resume``.

Where ``fcntl`` is missing (Windows) or the file system has no ``flock`` (some network file
systems), there is no lock: the run writes as it did before, unguarded.
"""

from __future__ import annotations

import contextlib
import os
from dataclasses import dataclass
from pathlib import Path

try:
    import fcntl
except ImportError:  # Windows: no advisory locks, the output is unguarded
    fcntl = None  # type: ignore[assignment]

_OPEN = os.O_RDWR | getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_BINARY", 0)
_HELD: set[int] = set()  # the descriptors of the locks this process holds


def _forget_in_child() -> None:
    """In a forked worker: close the inherited lock descriptors. A flock lasts while any copy of
    its descriptor is open, so a worker that kept one would hold the output locked after the run
    let go of it (a worker still ending, or one outliving a killed run for a moment); closing a
    copy leaves the run's own lock as it is."""
    for fd in _HELD:
        with contextlib.suppress(OSError):
            os.close(fd)
    _HELD.clear()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_forget_in_child)


class OutputBusy(Exception):
    """Another process holds the lock on this output's ``.partial``: another run is writing it."""

    def __init__(self, partial: Path) -> None:
        super().__init__(f"{partial} is locked by another process")
        self.partial = partial


@dataclass
class Held:
    """The locked ``.partial``: its descriptor (the lock lasts while it is open) and whether this
    run made the file (it was not there: a run that writes nothing removes it again)."""

    fd: int
    created: bool


def hold(partial: Path) -> Held | None:
    """Open ``partial`` (made if missing, never truncated) and lock it: the open file, or None where
    there are no locks. Raises :class:`OutputBusy` when another process holds the lock, and
    OSError when the file cannot be opened or made (its folder must exist)."""
    if fcntl is None:
        return None
    while True:
        fd, created = _open(partial)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            raise OutputBusy(partial) from None
        except BaseException as exc:  # a file system without flock (unguarded, as before), or a signal
            os.close(fd)
            if created:  # not left behind by a run stopped here (Ctrl-C raises anywhere)
                partial.unlink(missing_ok=True)
            if isinstance(exc, OSError):
                return None
            raise
        if _named(fd, partial):
            _HELD.add(fd)
            return Held(fd, created)
        os.close(fd)  # renamed into place or deleted by the run that held it: open the one named so now


def take_over(target: Path, partial: Path, held: Held) -> Held:
    """For ``--resume`` of a finished output: rename ``target`` back to ``partial`` (which ``held``
    made, empty, and locks), and hold ``target``'s file instead, locked *before* the rename, so that
    no other run can take it under its new name. Raises :class:`OutputBusy` if another process holds
    ``target``'s file (a run that has just renamed it into place and not yet let go of it)."""
    assert fcntl is not None  # held exists only where there are locks
    fd = os.open(target, _OPEN)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        os.replace(target, partial)
    except BlockingIOError:
        os.close(fd)
        raise OutputBusy(partial) from None
    except BaseException:
        os.close(fd)
        raise
    release(held)  # the empty file it made is gone: the name is the finished output's now
    _HELD.add(fd)
    return Held(fd, created=False)


def release(held: Held | None) -> None:
    """Let go of the lock (closing the file); never raises."""
    if held is not None:
        _HELD.discard(held.fd)
        with contextlib.suppress(OSError):
            os.close(held.fd)


def _open(partial: Path) -> tuple[int, bool]:
    """``partial`` opened for writing without truncating it, made if missing: (fd, whether made)."""
    while True:
        try:
            return os.open(partial, _OPEN | os.O_CREAT | os.O_EXCL, 0o666), True
        except FileExistsError:
            pass
        try:
            return os.open(partial, _OPEN), False
        except FileNotFoundError:
            continue  # deleted in between: make it


def _named(fd: int, partial: Path) -> bool:
    """Whether the open file ``fd`` is still the one named ``partial``."""
    try:
        here, there = os.fstat(fd), os.stat(partial)
    except OSError:
        return False
    return (here.st_dev, here.st_ino) == (there.st_dev, there.st_ino)
