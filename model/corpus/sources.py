"""Finding the inputs named on the command line, and telling their kinds apart by name.

Finding never stops at a bad input: each one that cannot be read becomes an
:class:`~cleaner.corpus.items.InputError` naming it, and the others go on, so that one broken file
in a directory of thousands loses nothing but itself. The file names each kind claims come from
the readers' table (:data:`cleaner.corpus.readers.READERS`).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path

from .items import STDIN, InputError, InputFile
from .readers import DEFAULT_KIND, READERS, Reader

COMPRESSIONS = (".gz", ".zst")


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


def expand_inputs(paths: Sequence[str], input_format: str | None = None) -> Iterator[InputFile | InputError]:
    """Each input file, in order; directories give their files of known kinds, sorted, recursively.

    ``input_format`` overrides the name for files named on the command line and for stdin (whose
    default is text); files found in directories are always taken by name.
    """
    for raw in paths:
        if raw == STDIN:
            kind = input_format or DEFAULT_KIND
            yield InputFile(STDIN, stdin_name(kind), kind, None)
            continue
        path = Path(raw)
        if path.is_dir():
            found = False
            for file in sorted(path.rglob("*")):
                found_kind = detect_kind(file.name)
                if found_kind is None or not file.is_file():
                    continue
                found = True
                yield InputFile(str(file), file.relative_to(path), found_kind, _size(file))
            if not found:
                yield InputError(raw, f"directory has no {KNOWN_FILES} files")
        elif path.is_file():
            yield InputFile(raw, Path(path.name), input_format or detect_kind(path.name) or DEFAULT_KIND, _size(path))
        elif path.exists():
            yield InputError(raw, "not a regular file or directory")
        else:
            yield InputError(raw, "no such file or directory")


def _size(path: Path) -> int | None:
    try:
        return path.stat().st_size
    except OSError:
        return None
