"""Finding and reading the dumps named on the command line.

Reading never stops at a bad input: each one that cannot be read becomes an :class:`InputError`
naming the file (and line), and the others go on, so that one broken file in a directory of
thousands loses nothing but itself.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from cleaner.text import DecodeError, decode, split_lines

STDIN = "-"


@dataclass
class Document:
    """A dump to clean: where it came from, where its output goes (relative), and its lines."""

    name: str
    relative: Path
    lines: list[str]


@dataclass
class InputError:
    """An input that could not be read: ``where`` is ``path`` or ``path:line``."""

    where: str
    message: str

    def __str__(self) -> str:
        return f"{self.where}: {self.message}"


def expand(paths: Sequence[str]) -> Iterator[tuple[str, Path] | InputError]:
    """(path, relative output name) for each file; directories give their ``*.txt`` recursively."""
    for raw in paths:
        if raw == STDIN:
            yield STDIN, Path("stdin.txt")
            continue
        path = Path(raw)
        if path.is_dir():
            files = sorted(p for p in path.rglob("*.txt") if p.is_file())
            if not files:
                yield InputError(raw, "directory has no *.txt files")
            for file in files:
                yield str(file), file.relative_to(path)
        elif path.is_file():
            yield raw, Path(path.name)
        elif path.exists():
            yield InputError(raw, "not a regular file or directory")
        else:
            yield InputError(raw, "no such file or directory")


def read_document(name: str, relative: Path, encoding: str, errors: str) -> Document | InputError:
    """Read and split one dump; undecodable bytes give an error that names the line."""
    try:
        data = sys.stdin.buffer.read() if name == STDIN else Path(name).read_bytes()
    except OSError as exc:
        return InputError(name, f"cannot read: {exc.strerror or exc}")
    try:
        text = decode(data, encoding, errors)
    except DecodeError as exc:
        return InputError(
            f"{name}:{exc.line}",
            f"{exc}; pass --encoding if the file is in another encoding, or --errors replace to "
            "substitute undecodable bytes",
        )
    except LookupError:
        return InputError(name, f"unknown encoding {encoding!r} or error handler {errors!r}")
    return Document(name, relative, split_lines(text))


def iter_documents(
    paths: Sequence[str], encoding: str = "utf-8", errors: str = "strict"
) -> Iterator[Document | InputError]:
    """Every input named by ``paths``, in order, read or reported."""
    for item in expand(paths):
        if isinstance(item, InputError):
            yield item
        else:
            yield read_document(item[0], item[1], encoding, errors)
