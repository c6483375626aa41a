"""Writing a file so that it is either complete or absent: a temporary file beside it, then a rename.

Cleaned outputs and the saved model both go through here, so an interrupted run never leaves a
half-written file under its final name.
"""

from __future__ import annotations

import os
import re
import tempfile
from collections import defaultdict
from collections.abc import Iterable
from pathlib import Path

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


def write_atomic(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` via a temporary file in the same folder and ``os.replace``."""
    fd, tmp = temporary_beside(path)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
