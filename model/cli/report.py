"""What the commands say on stderr: ``cleaner: message`` lines, and the exit after a failure.

A leaf module: every command module imports it (the training commands through :mod:`cleaner.cli`,
which re-exports these), and it imports none of them.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import NoReturn

import typer


def fail(message: str, code: int = 1) -> NoReturn:
    """Report ``message`` on stderr as ``cleaner: message`` and exit with ``code``."""
    warn(message)
    raise typer.Exit(code)


def warn(message: str) -> None:
    """``cleaner: message`` on stderr, each line of a message of several problems (every bad line
    of a label file) prefixed alike, so that each reads, and greps, as a report of its own."""
    typer.echo("\n".join(f"cleaner: {line}" for line in message.splitlines() or [""]), err=True)


def missing_folders(folders: Iterable[Path]) -> list[Path]:
    """The ``folders`` that are not there yet (each once): an output's folders are made when it is
    written, and :func:`say_made` then names those that were made."""
    return [folder for folder in dict.fromkeys(folders) if not folder.exists()]


def say_made(folders: Iterable[Path]) -> None:
    """Name on stderr each of ``folders`` (from :func:`missing_folders`) that is there now: made
    without a word, a mistyped folder held the outputs where nobody looked."""
    for folder in folders:
        if folder.is_dir():
            warn(f"created folder {folder}")
