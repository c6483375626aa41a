"""Writing cleaned documents: a mirrored tree of files, or one stream (stdout or a JSONL file).

Nothing is ever half-written under its final name. A tree output file is written to a temporary
file beside it and renamed when complete (for a JSONL or WARC input: when the whole input is done,
and only if it could be read to its end: a truncated or damaged input gets no output, so that
``--resume`` does it again); the temporary files a killed run leaves are deleted by the next run
into the same tree. A single output file grows as ``NAME.partial`` and is renamed to ``NAME`` when
the run ends with every input read to its end; a run that is interrupted, or that could not read
an input to its end, leaves the ``.partial`` file, which ``--resume`` continues (one that wrote no
record leaves none: there is nothing to continue); while a run writes
it, the ``.partial`` is locked (:mod:`.locks`), so a second run into the same file is refused. A
single JSONL file named ``*.jsonl.gz`` or ``*.jsonl.zst`` is compressed as it is written (and
renamed the same way).

A write that fails (disk full, permission denied) raises :class:`OutputError`, which names the
output, never the temporary file; :meth:`StreamSink.discard` then leaves the output as it was
before the run, and cleaning up never raises again.
"""

from __future__ import annotations

import contextlib
import gzip
import os
import sys
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import IO, Protocol

import zstandard

from ..atomic import give_mode, new_temporary, remove_stale_temporaries, replaced, write_atomic
from ..signals import deferred
from .items import CleanedDocument, InputDone, InputError
from .locks import Held, hold, release, take_over
from .readers import READERS
from .resume import prepare_partial

Written = CleanedDocument | InputDone | InputError


def _nothing() -> None:
    """What a write calls once its item is in place, when its caller counts nothing."""


class OutputError(Exception):
    """An output could not be written: ``path`` is its final name (or "standard output"), or the
    folder above it that could not be made (``folder``)."""

    def __init__(self, path: Path | str, exc: OSError) -> None:
        self.folder = unmade_folder(path, exc)
        if self.folder is not None:
            super().__init__(f"{self.folder}: cannot create this folder: {exc.strerror or exc}")
        else:
            super().__init__(f"{path}: cannot write: {exc.strerror or exc}")
        self.path = path
        self.errno = exc.errno


def unmade_folder(path: Path | str, exc: OSError) -> Path | None:
    """The folder above the output ``path`` that ``exc`` failed to make, if that is what failed: an
    output in a new folder on a read-only disk is not what is wrong, the folder is (``-o new/``
    blamed ``new/page.txt``)."""
    if not exc.filename or path == "standard output":
        return None
    failed = Path(os.fsdecode(exc.filename))
    return failed if failed in Path(path).parents else None


def output_name(relative: Path, kind: str, labels: bool = False) -> Path:
    """Where an input's output goes under ``-o DIR``: a one-document file (a text dump) keeps its
    name, or with ``labels`` (``--format labels``) takes ``.tsv`` as label files do (``a.txt`` ->
    ``a.tsv``); a file of records (JSONL, WARC) becomes one uncompressed ``.jsonl`` file
    (``a.jsonl.gz`` -> ``a.jsonl``). Outputs are written uncompressed, so a compressed dump's name
    loses its ``.gz`` or ``.zst`` too (``a.txt.gz`` -> ``a.txt``): plain text under a ``.gz`` name
    is what neither cleaner nor zcat can read back. Two inputs that come to one name (``a.txt``
    beside ``a.txt.gz``) are refused as any two are (see :func:`~.pipeline.items`)."""
    name = _uncompressed(relative.name)
    if not READERS[kind].records:
        if not labels:
            return relative.with_name(name)
        if Path(name).suffix.lower() in (".txt", ".tsv"):
            return relative.with_name(name).with_suffix(".tsv")
        return relative.with_name(f"{name}.tsv")
    if not name.lower().endswith(".jsonl"):
        name += ".jsonl"
    return relative.with_name(name)


def _uncompressed(name: str) -> str:
    """``name`` without a compression suffix (``.gz``, ``.zst``); a name that is nothing else stays."""
    for suffix in (".gz", ".zst"):
        if name.lower().endswith(suffix) and len(name) > len(suffix):
            return name[: -len(suffix)]
    return name


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


def _write_all(handle: Output, data: bytes) -> None:
    """Write all of ``data`` to a plain stream. Standard output's binary stream is a raw, unbuffered
    FileIO when Python runs unbuffered (``python -u``, PYTHONUNBUFFERED=1, common in containers and
    CI), and a raw write cut short (the reader of standard output went away mid-write, a disk filled
    up) returns the shorter count without an error: the rest was dropped without a word, and
    ``cleaner predict big.txt | head -1`` ended as if all had been written (exit 0) or not (exit
    141), by timing. Written again, the rest raises what stopped it. (A BufferedWriter on a
    blocking file, as every file this module opens, writes all or raises: it needs no loop.)"""
    written = handle.write(data)
    while written < len(data):  # rare: a copy of the rest costs nothing that matters
        written += handle.write(data[written:])


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
    file of records' output collects its records and is renamed into place at its :class:`InputDone`
    (and deleted instead if the input could not be read to its end)."""

    def __init__(self, root: Path) -> None:
        self.root = root
        # The records file being written: its name, the file it replaces (a link's target), its temporary.
        self.open: tuple[Path, Path, str, IO[bytes]] | None = None
        self.made: list[str] = []  # the temporary file being written, noted before it is made
        self.finished = 0  # output files this run renamed into place

    def write(self, item: Written, written: Callable[[], None] = _nothing) -> None:
        """Write ``item``; ``written`` is called once it is in place: with the rename of its file,
        a stop signal deferred until both are done, so that a run stopped by one counts the files on disk (a
        stop between the rename and the count left "stopped after 495 documents" above 496 files)."""
        if isinstance(item, InputError):
            written()
            return  # an input that fails gets no output: its InputDone says so, or it has none
        assert item.relative is not None
        target = self.root / item.relative
        try:
            if isinstance(item, CleanedDocument) and not READERS[item.kind].records:
                write_atomic(target, item.output, renamed=lambda: self._renamed(written))
            elif isinstance(item, InputDone):
                if item.complete:
                    if self.open is None or self.open[0] != target:
                        self._start(target)  # an input without a single good record still gets its (empty) file
                    self._finish(written)
                else:
                    self.abort()
                    written()
            else:
                if self.open is None or self.open[0] != target:
                    self._start(target)
                assert self.open is not None  # opened just above
                # A BufferedWriter on a regular file: it writes all it is given or raises (a raw write
                # cut short is written again inside it), so no _write_all; a test holds it to that.
                self.open[-1].write(item.output)
                written()
        except OSError as exc:
            self.abort()
            raise OutputError(target, exc) from exc

    def _renamed(self, written: Callable[[], None]) -> None:
        self.finished += 1
        written()

    def remove_stale(self, relatives: Iterable[Path]) -> list[Path]:
        """Delete the temporary files a killed run left for these outputs (see cleaner.atomic)."""
        return remove_stale_temporaries(self.root / relative for relative in relatives)

    def _start(self, target: Path) -> None:
        self.abort()
        into, mode = replaced(target)  # as `>` writes it (see cleaner.atomic): refused, or into a link's file
        # The name is noted before the file is made (a signal may raise anywhere): abort() deletes it.
        fd = new_temporary(into, self.made)
        give_mode(fd, mode)
        self.open = (target, into, self.made[-1], os.fdopen(fd, "wb"))

    def _finish(self, written: Callable[[], None] = _nothing) -> None:
        if self.open is not None:
            _, into, tmp, handle = self.open
            handle.close()
            with deferred():  # renamed and counted, or neither (see write)
                os.replace(tmp, into)
                self.open = None
                self.made.clear()
                self._renamed(written)

    def close(self) -> bool:
        """The run is over; every input ends with InputDone, so anything still open is incomplete."""
        self.abort()
        return True

    def abort(self) -> None:
        """Delete the temporary file being written, if any; never raises (a full disk fails again)."""
        if self.open is not None:
            handle = self.open[-1]
            self.open = None
            with contextlib.suppress(OSError):
                handle.close()
        for tmp in self.made:
            with contextlib.suppress(OSError):
                Path(tmp).unlink(missing_ok=True)
        self.made.clear()

    discard = abort


class StreamSink:
    """All outputs into one stream: standard output, or ``target`` via ``target.partial``
    (compressed if ``target`` ends in .jsonl.gz or .jsonl.zst; such a stream cannot be resumed).

    The ``.partial`` is locked for the whole run (:mod:`.locks`), taken before anything is renamed
    or truncated: a second run into the same ``target`` raises :class:`~.locks.OutputBusy` here,
    having changed nothing. When ``target``'s folder is not there yet, no run can be writing into
    it: the lock is taken when the folder is made, at the first output."""

    def __init__(self, target: Path | None, resume: bool = False) -> None:
        self.target = target
        self.resume = resume
        self.handle: Output | None = None
        self.raw: IO[bytes] | None = None  # the file under a compressor
        self.compression = "" if target is None else jsonl_compression(target) or ""
        self.complete = True  # every input read to its end so far
        self.restore: tuple[int, bool] | None = None  # what --resume started from: its size, and if it was final
        self.held: Held | None = None  # the lock on the .partial (None: not taken yet, or no locks here)
        self.claimed = False  # the lock was asked for (it is taken once)
        self.opened = False  # this run opened the .partial to write
        self.wrote = False  # this run wrote a record (bytes of output) into the stream
        self.renamed = False  # the run ended: the .partial is the target now
        if target is not None:
            self.file: Path = target  # the file the run replaces (a link's target), and the bits it gets
            self.mode: int | None = None
            self.partial = partial_path(target)
            try:
                # As `>` writes it (see cleaner.atomic): a file the user may not write is refused now,
                # before any work; through a link, its target is replaced, its .partial beside it.
                self.file, self.mode = replaced(target)
                self.partial = partial_path(self.file)
                if self.file.parent.is_dir():
                    self._claim()
                if resume:
                    self._continue(self.file)
            except OSError as exc:  # named by the output, never by its .partial
                raise OutputError(self.name, exc) from exc

    def _claim(self) -> None:
        """Lock the ``.partial`` (see :mod:`.locks`); raises OutputBusy if another run holds it."""
        self.claimed = True
        self.held = hold(self.partial)

    def _continue(self, target: Path) -> None:
        """--resume: continue the ``.partial`` of an interrupted run, or the finished ``target``
        (renamed back to ``.partial``, under the lock), and note where it started from."""
        try:
            made = self.held is not None and self.held.created
            if made and target.exists():
                assert self.held is not None
                self.held = take_over(target, self.partial, self.held)
                finished = True
            else:
                finished = self.held is None and not self.partial.exists() and target.exists()
            prepare_partial(target, self.partial)
            if self.partial.exists() and not (self.held is not None and self.held.created):
                self.restore = (self.partial.stat().st_size, finished)
        except BaseException:
            self.abort()  # a .partial made by this lock is removed again, and the lock let go
            raise

    @property
    def name(self) -> str:
        return "standard output" if self.target is None else str(self.target)

    def _open(self) -> Output:
        """Opened at the first output, so that a run that fails before it leaves no file behind."""
        if self.target is None:
            sys.stdout.flush()
            self.handle = sys.stdout.buffer
            return self.handle
        self.file.parent.mkdir(parents=True, exist_ok=True)
        if not self.claimed:
            self._claim()
        self.opened = True
        if self.held is None:  # no locks here: the file opened by its name, as before locks
            self.handle = self.partial.open("ab" if self.resume else "wb")
            give_mode(self.handle.fileno(), self.mode)
        else:  # the locked file itself, through its descriptor (kept open, and the lock with it, until the end)
            if not self.resume:
                os.ftruncate(self.held.fd, 0)  # only now: an earlier run's .partial stays until this run writes
            os.lseek(self.held.fd, 0, os.SEEK_END)
            give_mode(self.held.fd, self.mode)  # before the first record: a private file's stay private
            self.handle = os.fdopen(self.held.fd, "ab" if self.resume else "wb", closefd=False)
        if self.compression:
            self.raw = self.handle
            self.handle = _compressor(self.raw, self.compression, self.target.name[: -len(self.compression)])
        return self.handle

    def _close_file(self) -> None:
        handle, raw = self.handle, self.raw
        self.handle = self.raw = None
        assert handle is not None
        try:
            handle.close()  # a compressor writes the end of its stream here
        finally:
            if raw is not None:
                raw.close()

    def write(self, item: Written, written: Callable[[], None] = _nothing) -> None:
        """Write ``item`` to the stream; ``written`` is called once it is there."""
        if isinstance(item, InputError):
            self.complete = self.complete and not item.incomplete
        elif isinstance(item, CleanedDocument):
            # Written and counted, or neither, into a file (as TreeSink renames and counts): a stop
            # between the two left the stop line one record short of the file. Not on standard
            # output, whose reader may stall a write for as long as it likes: Ctrl-C must stop that.
            with deferred() if self.target is not None else contextlib.nullcontext():
                self._write(item.output)
                written()
            return
        written()

    def _write(self, output: bytes) -> None:
        try:
            handle = self.handle or self._open()
            if self.raw is None:
                _write_all(handle, output)
            else:  # a compressor takes all it is given (it counts what it read, not what it wrote)
                handle.write(output)
        except BrokenPipeError:
            raise  # the reader of standard output went away (| head): not an error of ours
        except OSError as exc:
            raise OutputError(self.name, exc) from exc
        self.wrote = self.wrote or bool(output)

    def close(self) -> bool:
        """The run is over: the file is complete under its final name, unless an input could not
        be read to its end: then it stays ``.partial`` (returns False), for ``--resume``."""
        try:
            if not self.complete:
                self.abort()
                return False
            handle = self.handle or self._open()  # a run with nothing to write still makes its (empty) file
            if self.target is None:
                handle.flush()
                return True
            self._close_file()
            with deferred():  # renamed and noted, or neither: a stop then does not say "nothing was written"
                os.replace(self.partial, self.file)
                self.renamed = True
            self._release()  # only now: until the rename, the .partial is this run's
        except BrokenPipeError:
            raise
        except OSError as exc:
            raise OutputError(self.name, exc) from exc
        return True

    def abort(self) -> None:
        """The run stopped early: keep what was written as ``.partial``, for ``--resume`` (a
        compressed stream is ended properly, so it can be read, but it cannot be resumed); a
        ``.partial`` that holds no record (see :meth:`holds_nothing`) is removed, under the lock:
        left behind, it was a temporary file to --resume from with nothing in it. Never raises:
        what cannot be flushed any more is cut off by ``--resume``."""
        self._end()
        if self.target is not None and not self.renamed and self._holds_nothing():
            with contextlib.suppress(OSError):
                self.partial.unlink(missing_ok=True)
        self._release()

    def _holds_nothing(self) -> bool:
        """Whether the ``.partial`` holds no record: this run wrote none, and none was there before
        it (a ``.partial`` the lock made, one a run without --resume emptied as it opened it, or, with
        --resume, none to continue). An earlier run's ``.partial`` that this run never opened, or
        continued with --resume, keeps its records."""
        if self.wrote:
            return False
        if self.resume:
            return self.restore is None
        return self.opened or (self.held is not None and self.held.created)

    def wrote_nothing(self) -> bool:
        """After :meth:`abort`: the output file is as it was before the run and no ``.partial`` is
        left, so a stopped run has nothing for --resume to continue (a plain rerun does it all)."""
        return self.target is not None and not self.wrote and not self.renamed and not self.partial.exists()

    def records_kept(self) -> int | None:
        """How many records the ``.partial`` holds (one a line; after :meth:`discard`, those an
        earlier run wrote), or None if it cannot be read: what a stop message tells the user is
        safe. Read in blocks: counting a .partial of millions of records costs seconds, once."""
        try:
            with self.partial.open("rb") as handle:
                return sum(block.count(b"\n") for block in iter(lambda: handle.read(1 << 20), b""))
        except OSError:
            return None

    def _end(self) -> None:
        """Flush standard output, or end the file's (compressed) stream; never raises."""
        if self.handle is None:
            return
        with contextlib.suppress(OSError, ValueError):
            if self.target is None:
                self.handle.flush()
            else:
                self._close_file()

    def _release(self) -> None:
        release(self.held)
        self.held = None

    def discard(self) -> None:
        """A write failed: leave the output as it was before this run (no leftovers of it on a full
        disk): the ``.partial`` file this run made is deleted, one that ``--resume`` continued is
        cut back to where it started (and renamed back if it was a finished output); all under
        the lock, let go last."""
        self._end()
        if self.target is not None:
            with contextlib.suppress(OSError):
                if self.restore is None:
                    self.partial.unlink(missing_ok=True)
                else:
                    size, finished = self.restore
                    os.truncate(self.partial, size)
                    if finished:
                        os.replace(self.partial, self.file)
        self._release()
