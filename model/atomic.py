"""Writing a file so that it is either complete or absent: a temporary file beside it, then a rename.

Cleaned outputs and the saved model both go through here, so an interrupted run never leaves a
half-written file under its final name.
"""

from __future__ import annotations

import base64
import os
import re
import tempfile
from collections import defaultdict
from collections.abc import Callable, Iterable
from pathlib import Path

from .signals import deferred

# ".NAME.XXXXXXXX.tmp": what temporary_beside makes (mkstemp's eight random characters).
_TEMPORARY = re.compile(r"\.(?P<name>.+)\.[a-z0-9_]{8}\.tmp")


def temporary_beside(path: Path) -> tuple[int, str]:
    """A new hidden temporary file in ``path``'s folder, to be renamed to ``path``: (fd, its path).

    mkstemp makes the file readable by its owner only; it gets the permissions that ``open`` would
    have given ``path`` (0o666 less the umask), so that outputs can be shared as usual.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    umask = os.umask(0)
    os.umask(umask)
    os.fchmod(fd, 0o666 & ~umask)
    return fd, tmp


def remove_stale_temporaries(paths: Iterable[Path]) -> list[Path]:
    """Delete the temporary files that a killed run left for any of ``paths``; returns them.

    A SIGKILL (or a power cut) gives no chance to delete the temporary file being written. Only
    files named as :func:`temporary_beside` names them for one of ``paths`` are removed, so other
    files, and other runs' outputs in the same folder, are left alone. (Two runs writing the same
    output at the same time are not supported: they would overwrite each other anyway.)
    """
    wanted: defaultdict[Path, set[str]] = defaultdict(set)
    for path in paths:
        wanted[path.parent].add(path.name)
    removed = []
    for folder, names in wanted.items():
        try:
            entries = list(os.scandir(folder))
        except (FileNotFoundError, NotADirectoryError):
            continue
        for entry in entries:
            match = _TEMPORARY.fullmatch(entry.name)
            if match and match["name"] in names and entry.is_file(follow_symlinks=False):
                Path(entry.path).unlink(missing_ok=True)
                removed.append(Path(entry.path))
    return removed


# Create a new file, never open an existing one; binary on Windows; not inherited by children.
_NEW_FILE = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0) | getattr(os, "O_CLOEXEC", 0)


def write_atomic(path: Path, data: bytes, renamed: Callable[[], None] | None = None) -> None:
    """Write ``data`` to ``path`` via a temporary file in the same folder and ``os.replace``.

    ``cleaner predict dumps/ -o out/`` calls this once per page, so it makes the few system calls
    the guarantee needs (create, write, close, rename) and no more: the temporary file is created
    with mode 0o666, which the kernel reduces by the umask as ``open`` would (no umask calls or
    fchmod), written through its descriptor (no buffered file object, which costs an fstat, a seek
    and two ioctls), and its folder is made only when it is missing. On 1,800 pages of 12 KB,
    :func:`temporary_beside` and a file object took 7 system calls more per page than this.

    The temporary file's name is noted before the file is made, so that a Ctrl-C or SIGTERM
    between its creation and the cleanup below cannot leave it behind. ``renamed`` is called
    with the rename, a stop signal deferred until both are done (see :func:`~cleaner.signals.deferred`): what it
    notes (a run counts its outputs) is then true of the disk whenever a signal stops the run.
    """
    created: list[str] = []
    try:
        fd = new_temporary(path, created)
        try:
            view = memoryview(data)
            while view:
                view = view[os.write(fd, view) :]
        finally:
            os.close(fd)
        with deferred():  # a rename and a count: a signal that arrives meanwhile is delivered after them
            os.replace(created[0], path)
            if renamed is not None:
                renamed()
    except BaseException:
        if created:
            Path(created[0]).unlink(missing_ok=True)
        raise


def new_temporary(path: Path, created: list[str]) -> int:
    """A new hidden temporary file beside ``path`` (``.NAME.XXXXXXXX.tmp``, with the permissions
    ``open`` would give ``path``): its descriptor. Its name is appended to ``created`` *before* it
    is made, so that whoever cleans up after an interruption (a signal raises anywhere) deletes it
    whenever it was made."""
    folder, name = os.path.split(os.fspath(path))
    for attempt in range(100):
        created.append(os.path.join(folder, f".{name}.{_random_tag()}.tmp"))
        try:
            return os.open(created[-1], _NEW_FILE, 0o666)
        except FileNotFoundError:
            created.pop()
            if attempt:
                raise
            Path(folder or ".").mkdir(parents=True, exist_ok=True)
        except FileExistsError:
            created.pop()  # a name another run holds (not ours to delete): draw another
    raise FileExistsError(f"no free temporary name beside {path}")


def _random_tag() -> str:
    """Eight random characters of [a-z2-7], as the stale-file pattern expects (mkstemp's are [a-z0-9_])."""
    return base64.b32encode(os.urandom(5)).decode("ascii").lower()
