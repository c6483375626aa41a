"""Writing cleaned documents: a mirrored tree of files, or one stream (stdout or a JSONL file).

Nothing is ever half-written under its final name. A tree output file is written to a temporary
file beside it and renamed when complete (for a JSONL or WARC input: when the whole input is done);
the temporary files a killed run leaves are deleted by the next run into the same tree.
A single output file grows as ``NAME.partial`` and is renamed to ``NAME`` when the run ends; a run
that is interrupted leaves the ``.partial`` file, which ``--resume`` continues. A single JSONL file
named ``*.jsonl.gz`` or ``*.jsonl.zst`` is compressed as it is written (and renamed the same way).
"""

from __future__ import annotations

import gzip
import os
import sys
from collections.abc import Iterable
from pathlib import Path
from typing import IO, Protocol

import zstandard

from ..atomic import remove_stale_temporaries, temporary_beside, write_atomic
from .items import Cleaned, InputDone
from .readers import READERS
from .resume import prepare_partial


def output_name(relative: Path, kind: str) -> Path:
    """Where an input's output goes under ``-o DIR``: a one-document file (a text dump) keeps its
    name, a file of records (JSONL, WARC) becomes one uncompressed ``.jsonl`` file (``a.jsonl.gz`` ->
    ``a.jsonl``)."""
    if not READERS[kind].records:
        return relative
    name = relative.name
    for suffix in (".gz", ".zst"):
        if name.lower().endswith(suffix):
            name = name[: -len(suffix)]
    if not name.lower().endswith(".jsonl"):
        name += ".jsonl"
    return relative.with_name(name)


def partial_path(target: Path) -> Path:
    return target.with_name(target.name + ".partial")


# -o names that make one JSONL stream, and the compression each asks for ("" for none).
JSONL_OUTPUTS = {".jsonl": "", ".jsonl.gz": ".gz", ".jsonl.zst": ".zst"}
GZIP_LEVEL = 6  # zlib's default: gzip's own 9 costs the main process twice the time for 1-2% smaller files


def jsonl_compression(target: Path) -> str | None:
    """The compression an -o name asks for: "" for out.jsonl, ".gz" or ".zst" for out.jsonl.gz or
    out.jsonl.zst, None for a name that is not a JSONL file."""
    name = target.name.lower()
    return next((compression for suffix, compression in JSONL_OUTPUTS.items() if name.endswith(suffix)), None)


class Output(Protocol):
    """A stream of output bytes: a file, standard output, or a compressor writing into a file."""

    def write(self, data: bytes, /) -> int: ...

    def flush(self) -> object: ...

    def close(self) -> None: ...


def _compressor(raw: IO[bytes], compression: str, name: str) -> Output:
    """A writer that compresses into ``raw`` (left open); closing it finishes the compressed stream.

    gzip gets the final name (without .gz) and time 0 in its header, so equal runs write equal files.
    """
    if compression == ".gz":
        return gzip.GzipFile(filename=name, mode="wb", compresslevel=GZIP_LEVEL, fileobj=raw, mtime=0)
    writer: Output = zstandard.ZstdCompressor().stream_writer(raw, closefd=False)
    return writer


class TreeSink:
    """One output file per input under ``root``; a one-document input's file is its document, a
    file of records' output collects its records and is renamed into place at its :class:`InputDone`."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.open: tuple[Path, str, IO[bytes]] | None = None

    def write(self, item: Cleaned | InputDone) -> None:
        assert item.relative is not None
        target = self.root / item.relative
        if isinstance(item, Cleaned) and not READERS[item.kind].records:
            write_atomic(target, item.output)
            return
        if self.open is None or self.open[0] != target:
            self._start(target)  # an input without a single good record still gets its (empty) file
        if isinstance(item, InputDone):
            self._finish()
        else:
            assert self.open is not None  # opened just above
            self.open[2].write(item.output)

    def remove_stale(self, relatives: Iterable[Path]) -> list[Path]:
        """Delete the temporary files a killed run left for these outputs (see cleaner.atomic)."""
        return remove_stale_temporaries(self.root / relative for relative in relatives)

    def _start(self, target: Path) -> None:
        self.abort()
        fd, tmp = temporary_beside(target)
        self.open = (target, tmp, os.fdopen(fd, "wb"))

    def _finish(self) -> None:
        if self.open is not None:
            target, tmp, handle = self.open
            handle.close()
            os.replace(tmp, target)
            self.open = None

    def close(self) -> None:
        self.abort()  # every input ends with InputDone: anything still open is incomplete

    def abort(self) -> None:
        if self.open is not None:
            _, tmp, handle = self.open
            handle.close()
            Path(tmp).unlink(missing_ok=True)
            self.open = None


class StreamSink:
    """All outputs into one stream: standard output, or ``target`` via ``target.partial``
    (compressed if ``target`` ends in .jsonl.gz or .jsonl.zst; such a stream cannot be resumed)."""

    def __init__(self, target: Path | None, resume: bool = False) -> None:
        self.target = target
        self.resume = resume
        self.handle: Output | None = None
        self.raw: IO[bytes] | None = None  # the file under a compressor
        self.compression = "" if target is None else jsonl_compression(target) or ""
        if target is not None:
            self.partial = partial_path(target)
            if resume:
                prepare_partial(target, self.partial)

    def _open(self) -> Output:
        """Opened at the first output, so that a run that fails before it leaves no file behind."""
        if self.target is None:
            sys.stdout.flush()
            self.handle = sys.stdout.buffer
        else:
            self.target.parent.mkdir(parents=True, exist_ok=True)
            self.handle = self.partial.open("ab" if self.resume else "wb")
            if self.compression:
                self.raw = self.handle
                self.handle = _compressor(self.raw, self.compression, self.target.name[: -len(self.compression)])
        return self.handle

    def _close_file(self) -> None:
        assert self.handle is not None
        self.handle.close()  # a compressor writes the end of its stream here
        if self.raw is not None:
            self.raw.close()

    def write(self, item: Cleaned | InputDone) -> None:
        if isinstance(item, Cleaned):
            (self.handle or self._open()).write(item.output)

    def close(self) -> None:
        """The run is over: the file is complete under its final name."""
        handle = self.handle or self._open()
        if self.target is None:
            handle.flush()
            return
        self._close_file()
        os.replace(self.partial, self.target)

    def abort(self) -> None:
        """The run stopped early: keep what was written as ``.partial``, for ``--resume`` (a
        compressed stream is ended properly, so it can be read, but it cannot be resumed)."""
        if self.handle is None:
            return
        if self.target is None:
            self.handle.flush()
        else:
            self._close_file()
