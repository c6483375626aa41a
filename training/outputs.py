"""The files a training command writes at its end (a model, its joblib export, a report's JSON, a
card, a plot), and what it says when the disk refuses one.

They are written after minutes or hours of fitting, when a full disk was found as a 40-line
traceback that named a hidden temporary file and left unsaid what had been saved before it. A
refused write is raised as :class:`NotWritten`, naming the file as the user gave it, and the
command says in one line which file, why, and what was not written (:func:`not_written`; ``cleaner
train`` says what was saved, the model when its export is the one refused).
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from ..atomic import write_atomic
from ..text import listed


class NotWritten(OSError):
    """The disk refused ``path`` (full, read-only): ``reason`` in the system's words. An OSError
    still (with the errno of the one it replaces), for whoever catches those."""

    def __init__(self, path: Path, cause: OSError) -> None:
        super().__init__(cause.errno, cause.strerror)
        self.path = path
        self.reason = cause.strerror or str(cause)

    def __str__(self) -> str:
        return f"cannot write {self.path}: {self.reason}"


def write_output(path: Path, data: bytes) -> None:
    """``data`` to ``path``, whole or not at all (its folder made if missing); :class:`NotWritten`
    if the disk refuses."""
    try:
        write_atomic(path, data)
    except OSError as exc:
        raise NotWritten(path, exc) from exc


def save_figure(figure: Any, path: Path) -> None:
    """A matplotlib ``figure`` to ``path`` as :func:`write_output` writes (``savefig`` onto the path
    left half a PNG on a full disk), in the format its suffix names (PNG without one)."""
    buffer = io.BytesIO()
    figure.savefig(buffer, format=path.suffix.lstrip(".").lower() or None)
    write_output(path, buffer.getvalue())


def not_written(failed: NotWritten, given: Sequence[tuple[str, Path | None]]) -> str:
    """What a command says when ``failed`` stopped it: ``given`` are its (option, file or None when
    not given) in the order they are written, so those after the failed one never were (those
    before it were said written as they were):
    ``--json e.json was not written: No space left on device; nor was --card c.md``."""
    outputs = [(option, path) for option, path in given if path is not None]
    files = [path for _, path in outputs]
    at = files.index(failed.path) if failed.path in files else len(files)
    option = outputs[at][0] + " " if at < len(files) else ""
    after = [f"{name} {path}" for name, path in outputs[at + 1 :]]
    nor = f"; nor {'was' if len(after) == 1 else 'were'} {listed(after)}" if after else ""
    return f"{option}{failed.path} was not written: {failed.reason}{nor}"
