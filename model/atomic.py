"""Writing a file so that it is either complete or absent: a temporary file beside it, then a rename.

Cleaned outputs and the saved model both go through here, so an interrupted run never leaves a
half-written file under its final name.

A rename replaces a file where ``>`` writes into it, so what ``>`` would keep is kept by hand
(:func:`replaced`): a file the user may not write (``chmod 444``) is refused, not replaced; the
new file gets the permission bits of the one it replaces (a private ``600`` output became ``644``,
readable by all); and a symbolic link is written through, its target replaced (the link itself
became a regular file, and the file it named was left unchanged).
"""

from __future__ import annotations

import base64
import errno
import os
import re
import stat
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


class WriteProtected(PermissionError):
    """The file to be replaced is one the user may not write: refused, as ``>`` refuses it."""


def replaced(path: Path) -> tuple[Path, int | None]:
    """Where writing ``path`` goes, and the permission bits the new file must get (None: a new
    file's, as ``open`` gives them); raises :class:`WriteProtected` (EACCES, as ``>`` fails) when it
    is a file the user may not write. Call it before the temporary file is made: it must be made beside the file
    that is replaced, in the folder of a link's target, for the rename to replace that file.

    ``path`` itself, or for a symbolic link the file it points to (followed to the end; made if
    it is missing, as ``>`` makes it). Only the permission bits are kept (owner, group, others),
    not the owner, ACLs, or set-user-ID bits (which a write by ``>`` clears too). One ``lstat``
    for a new file: ``cleaner predict dumps/ -o out/`` asks for each page.
    """
    try:
        found = os.lstat(path)
    except (FileNotFoundError, NotADirectoryError):
        return path, None
    if stat.S_ISLNK(found.st_mode):
        path = Path(os.path.realpath(path))
        try:
            found = os.stat(path)
        except (FileNotFoundError, NotADirectoryError):
            return path, None
    if not stat.S_ISREG(found.st_mode):
        return path, None  # a folder or a device: the rename fails as it did, and says why
    # os.access: the user's own right to write, whatever grants it (owner, group, ACL); root may
    # write any file, as with `>`.
    if not os.access(path, os.W_OK):
        raise WriteProtected(errno.EACCES, os.strerror(errno.EACCES), os.fspath(path))
    return path, stat.S_IMODE(found.st_mode) & 0o777


def give_mode(fd: int, mode: int | None) -> None:
    """Give the open temporary file ``fd`` the permission bits :func:`replaced` found (none for a
    new file): at once, so that a private file's contents are never readable by others, not even
    while they are written. (No ``fchmod`` on Windows before Python 3.13, where the bits that
    matter there, read-only or not, were checked already: a read-only file is refused.)"""
    if mode is not None and hasattr(os, "fchmod"):
        os.fchmod(fd, mode)


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
    removed: list[Path] = []
    links = _remove_in(wanted, removed)
    if links:  # an output that is a symbolic link is written beside its target (see replaced)
        targets: defaultdict[Path, set[str]] = defaultdict(set)
        for link in links:
            target = Path(os.path.realpath(link))
            targets[target.parent].add(target.name)
        _remove_in(targets, removed)
    return removed


def _remove_in(wanted: dict[Path, set[str]], removed: list[Path]) -> list[str]:
    """Delete the stale temporary files of the ``wanted`` names in each folder, noting them in
    ``removed``; returns the wanted names that are symbolic links (their folders' listings tell)."""
    links = []
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
            elif entry.name in names and entry.is_symlink():
                links.append(entry.path)
    return links


# Create a new file, never open an existing one; binary on Windows; not inherited by children.
_NEW_FILE = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0) | getattr(os, "O_CLOEXEC", 0)


def write_atomic(path: Path, data: bytes, renamed: Callable[[], None] | None = None) -> None:
    """Write ``data`` to ``path`` via a temporary file in the same folder and ``os.replace``, as
    ``>`` would write it (see :func:`replaced`: raises PermissionError for a file the user may not
    write, having written nothing).

    ``cleaner predict dumps/ -o out/`` calls this once per page, so it makes the few system calls
    the guarantee needs (create, write, close, rename) and no more: the temporary file is created
    with mode 0o666, which the kernel reduces by the umask as ``open`` would (no umask calls or
    fchmod), written through its descriptor (no buffered file object, which costs an fstat, a seek
    and two ioctls), and its folder is made only when it is missing. On 1,800 pages of 12 KB,
    :func:`temporary_beside` and a file object took 7 system calls more per page than this. A new
    file costs one more, the ``lstat`` that finds no file to replace.

    The temporary file's name is noted before the file is made, so that a Ctrl-C or SIGTERM
    between its creation and the cleanup below cannot leave it behind. ``renamed`` is called
    with the rename, a stop signal deferred until both are done (see :func:`~cleaner.signals.deferred`): what it
    notes (a run counts its outputs) is then true of the disk whenever a signal stops the run.
    """
    path, mode = replaced(path)
    created: list[str] = []
    try:
        fd = new_temporary(path, created)
        try:
            give_mode(fd, mode)
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
