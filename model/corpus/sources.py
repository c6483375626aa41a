"""Finding the inputs named on the command line, and telling their kinds apart by name or content.

Finding never stops at a bad input, and never passes one over in silence: each one that cannot be
read (missing, a dangling or looping symbolic link, an unreadable folder) becomes an
:class:`~cleaner.corpus.items.InputError` naming it, and the others go on, so that one broken file
in a directory of thousands loses nothing but itself. The file names each kind claims come from
the readers' table (:data:`cleaner.corpus.readers.READERS`).

A directory gives its files of known kinds, recursively, in sorted order, except that a JSONL or
WARC file in a folder that also holds dumps (``*.txt``, compressed or not) is taken for their metadata (a
``meta.jsonl`` beside the pages), not for a corpus: it is listed in a note, and read only when
named on the command line or asked for with ``--input-format``. Symbolic links to folders are not
followed (a note says so), as ``find`` and ``grep -r`` do not: name the folder to clean it. Files
of no known kind (``notes.md``, a dump without an extension) are named in a note, not read. The
run's own output (``-o``), when it lies inside an input directory, is left out of that directory's
walk (a note says so): a second run must not clean the first one's outputs as new inputs.

A pipe named on the command line (``<(curl -s URL)``, ``/dev/stdin``, a FIFO, a character device) is
read as standard input is: once, as it comes (:func:`~cleaner.corpus.readers.streams.opened`).
"""

from __future__ import annotations

import errno
import os
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from ..text import listed, plural
from .items import STDIN, InputError, InputFile
from .readers import DEFAULT_KIND, READERS, Reader
from .readers.streams import HEAD, is_stream, opened, read_up_to, sniff

COMPRESSIONS = (".gz", ".zst")
# Not named among a folder's files of no known kind: a run's own unfinished -o FILE.jsonl (its
# temporary files are hidden, their names start with a dot).
PARTIAL = ".partial"


def suffix_table(readers: Mapping[str, Reader]) -> dict[str, str]:
    """Suffix -> kind, longest suffixes first: ".warc.wet.gz" ends with ".wet.gz", ".jsonl.gz" is not ".txt"."""
    pairs = [(suffix, kind) for kind, reader in readers.items() for suffix in reader.suffixes]
    return dict(sorted(pairs, key=lambda pair: -len(pair[0])))


def known_files(readers: Mapping[str, Reader]) -> str:
    """The file names directories give, for messages: ``*.txt, *.jsonl[.gz|.zst], ...``."""
    compressions: dict[str, list[str]] = {}
    for reader in readers.values():
        for suffix in reader.suffixes:
            compression = next((c for c in COMPRESSIONS if suffix.endswith(c) and suffix != c), "")
            base = suffix.removesuffix(compression) if compression else suffix
            compressions.setdefault(base, []).extend([compression] if compression else [])
    return ", ".join(f"*{base}" + (f"[{'|'.join(found)}]" if found else "") for base, found in compressions.items())


SUFFIXES = suffix_table(READERS)
KNOWN_FILES = known_files(READERS)


def detect_kind(name: str) -> str | None:
    """The input kind its file name says (``.jsonl.gz`` -> jsonl), or None."""
    lower = name.lower()
    return next((kind for suffix, kind in SUFFIXES.items() if lower.endswith(suffix)), None)


def stdin_name(kind: str) -> Path:
    """The output name of standard input read as ``kind``: ``stdin.txt``, ``stdin.jsonl``..."""
    return Path(f"stdin{READERS[kind].suffixes[0]}")


def input_kind(name: str, input_format: str | None) -> str:
    """How a named input (a file, a pipe, or - for stdin) is read: ``--input-format`` if given, else
    its name's kind, else its content's (JSON objects, WARC records, text; compressed or not)."""
    if input_format is not None:
        return input_format
    by_name = detect_kind(Path(name).name) if name != STDIN else None
    if by_name is not None:
        return by_name
    try:
        if is_stream(name):
            return sniff(opened(name).head) or DEFAULT_KIND  # its head is kept for the reader
        with open(name, "rb") as handle:
            return sniff(read_up_to(handle, HEAD)) or DEFAULT_KIND
    except OSError:
        return DEFAULT_KIND  # reading it will say what is wrong


@dataclass(frozen=True)
class Note:
    """Something the user should know about the inputs that is not an error (exit code unchanged)."""

    message: str

    def __str__(self) -> str:
        return self.message


Found = InputFile | InputError | Note


def expand_inputs(
    paths: Sequence[str], input_format: str | None = None, leave_out: Path | None = None
) -> Iterator[Found]:
    """Each input file, in order; directories give their files of known kinds, sorted, recursively.

    ``input_format`` overrides the name for files named on the command line and for stdin, and
    makes directories give the files of that kind only. ``leave_out`` (the run's output file or
    folder) is not walked into when it lies inside an input directory.
    """
    skipped = leave_out.resolve() if leave_out is not None else None
    for raw in paths:
        if raw == STDIN:
            kind = input_kind(STDIN, input_format)
            chosen = input_format is not None
            yield InputFile(STDIN, stdin_name(kind), kind, None, chosen=chosen, guessed=not chosen, stream=True)
            continue
        path = Path(raw)
        problem = _link_problem(path)
        if problem is not None:
            yield InputError(raw, problem, incomplete=True)
        elif path.is_dir():
            yield from _directory(raw, path, input_format, skipped)
        elif path.is_file() or is_stream(raw):
            yield _named(raw, path, input_format)
        elif path.exists():
            yield InputError(
                raw, "not a regular file, directory, pipe or character device; pipe it into - instead", incomplete=True
            )
        else:
            yield InputError(raw, "no such file or directory", incomplete=True)


def _named(raw: str, path: Path, input_format: str | None) -> InputFile:
    """A file named on the command line, or a pipe (``<(zcat a.gz)``, ``/dev/stdin``, a FIFO): a
    pipe is read as stdin is, once and as it comes (see :func:`~.readers.streams.opened`), without
    a size for the progress bar."""
    kind = input_kind(raw, input_format)
    guessed = input_format is None and detect_kind(path.name) is None
    stream = not path.is_file()
    size = None if stream else _size(path)
    relative = stream_name(path.name, kind) if stream else Path(path.name)
    return InputFile(raw, relative, kind, size, chosen=input_format is not None, guessed=guessed, stream=stream)


def stream_name(name: str, kind: str) -> Path:
    """The output name of a pipe read as ``kind``: its own name, with the kind's suffix when the name
    has none (``<(cat page.txt)`` is ``/dev/fd/63``: ``63.txt``, as stdin gives ``stdin.txt``), so
    that its output under -o DIR is a file a folder gives, and a later run reads."""
    return Path(name) if detect_kind(name) is not None else Path(f"{name}{READERS[kind].suffixes[0]}")


def _directory(raw: str, root: Path, input_format: str | None, skipped: Path | None = None) -> Iterator[Found]:
    """The files of a directory tree (see the module's docstring), and what could not be read;
    ``skipped`` (resolved), the run's output, is left out."""
    found: list[tuple[Path, Found]] = []
    beside_dumps: list[Path] = []
    links: list[Path] = []
    left_out: list[Path] = []
    others: list[Path] = []  # files of no known kind: named in a note, not read

    def leave(path: Path) -> bool:
        if skipped is None or path.name != skipped.name or path.resolve() != skipped:
            return False
        left_out.append(path)
        return True

    def unreadable(error: OSError) -> None:
        where = Path(error.filename) if error.filename else root
        found.append(
            (where, InputError(str(where), f"cannot read this folder: {error.strerror or error}", incomplete=True))
        )

    for folder, folders, files in os.walk(root, onerror=unreadable):
        base = Path(folder)
        links += [base / name for name in folders if (base / name).is_symlink()]
        folders[:] = [name for name in folders if not leave(base / name)]
        kinds = {name: detect_kind(name) for name in files if not leave(base / name)}
        has_dumps = DEFAULT_KIND in kinds.values()
        for name, kind in kinds.items():
            if kind is None and not name.startswith(".") and not name.endswith(PARTIAL):
                # A link that leads nowhere is an error whatever its name, as a dump's is: a loop named
                # self was "a file of no known kind" where loop.txt was "a symbolic link loop".
                problem = _link_problem(base / name)
                if problem is None:
                    others.append(base / name)
                else:
                    found.append((base / name, InputError(str(base / name), problem, incomplete=True)))
            if kind is None or (input_format is not None and kind != input_format):
                continue
            file = base / name
            if not _taken(kind, input_format, has_dumps):
                beside_dumps.append(file)
                continue
            problem = _link_problem(file)
            if problem is not None:
                found.append((file, InputError(str(file), problem, incomplete=True)))
            elif file.is_file():
                chosen = input_format is not None
                found.append((file, InputFile(str(file), file.relative_to(root), kind, _size(file), chosen=chosen)))
            else:
                found.append((file, InputError(str(file), "not a regular file", incomplete=True)))
    if not any(isinstance(item, InputFile) for _, item in found) and not beside_dumps:
        what = f"*{READERS[input_format].suffixes[0]}" if input_format is not None else KNOWN_FILES
        # Nothing in it was cut short: an error (nothing was cleaned), not an input "not read whole", which
        # --resume would complete.
        found.append((root, InputError(raw, f"directory has no {what} files")))
    for _, item in sorted(found, key=lambda pair: pair[0]):
        yield item
    if beside_dumps:
        yield Note(
            f"{raw}: {plural(len(beside_dumps), 'JSONL/WARC file')} beside the dumps not read "
            f"({_listed(beside_dumps)}): "
            "taken for their metadata; name such a file, or pass --input-format jsonl or warc, to clean it"
        )
    if links:
        yield Note(
            f"{raw}: {plural(len(links), 'linked folder')} not followed ({_listed(links)}); name a folder to clean it"
        )
    if left_out:
        yield Note(f"{raw}: {_listed(left_out)} not read: it is this run's output")
    if others:
        yield Note(
            f"{raw}: {plural(len(others), 'file')} of no known kind not read ({_listed(others)}): a folder gives its "
            f"{KNOWN_FILES} files; name such a file to clean it (a named file is read by its content)"
        )


def _taken(kind: str, input_format: str | None, has_dumps: bool) -> bool:
    """Whether a folder's walk gives a file of ``kind`` (known by its name), its folder holding
    dumps or not: a file of records beside dumps is their metadata, unless ``--input-format`` asks
    for that kind."""
    if input_format is not None:
        return kind == input_format
    return not (has_dumps and READERS[kind].records)


def walk_gives(file: Path, input_format: str | None) -> bool:
    """Whether the walk of a folder that holds the regular file ``file`` (a real path: no link on
    the way, as a walk follows none) gives it, as :func:`_directory` decides: by its name's kind,
    and for a file of records, by whether its folder holds dumps (one listing of that folder).
    A file the walk leaves out is read when named (the walk's note says to name it)."""
    kind = detect_kind(file.name)
    if kind is None or (input_format is not None and kind != input_format):
        return False
    if input_format is not None or not READERS[kind].records:
        return True
    try:
        has_dumps = any(detect_kind(name) == DEFAULT_KIND for name in os.listdir(file.parent))
    except OSError:
        return False  # nor can the walk list that folder: it says so, and gives none of its files
    return _taken(kind, input_format, has_dumps)


def _listed(paths: list[Path]) -> str:
    """The first paths in order and how many more, for a note: "a, b, c and 2 more", as every
    message of cleaner lists names (:func:`~cleaner.text.listed`)."""
    return listed([str(path) for path in sorted(paths)])


def _link_problem(path: Path) -> str | None:
    """What is wrong with a symbolic link that leads nowhere (dangling, or a loop), else None."""
    if not path.is_symlink():
        return None
    try:
        path.stat()
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            return "a symbolic link loop"
        if exc.errno == errno.ENOENT:
            return f"a dangling symbolic link (to {os.readlink(path)}, which does not exist)"
        return f"cannot read: {exc.strerror or exc}"
    return None


def _size(path: Path) -> int | None:
    try:
        return path.stat().st_size
    except OSError:
        return None
