"""What a run did, as it goes (a tqdm bar on stderr) and at its end (a one-line summary).

The bar only appears on a terminal, so logs and pipes get the errors and the summary, not a
stream of carriage returns. It counts bytes of the input files as stored (compressed bytes for
``.gz``), so its total and time left are right for compressed inputs too.
"""

from __future__ import annotations

import sys
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from ..text import plural
from .items import CleanedDocument, InputError, Outgoing, Skipped, megabytes

if TYPE_CHECKING:
    from tqdm import tqdm


@dataclass
class Tally:
    documents: int = 0
    empty: int = 0
    short: int = 0
    # Documents with lines, every one dropped (not the short ones, which have their own count): no
    # error, but a page whose output is empty is worth knowing about, above all a record of one
    # paragraph, which the model may take for chrome.
    emptied: int = 0
    last_emptied: CleanedDocument | None = None  # a one-document run names it
    last_empty: CleanedDocument | None = None  # a document without a non-blank line: a one-document run names it
    skipped: int = 0
    skipped_files: int = 0  # of the skipped, whole files of records (-o DIR): documents uncounted
    # Documents without an id (--id-field): the stop line of a run into one file of records then
    # cannot offer --resume, which continues by id.
    no_id: int = 0
    errors: int = 0
    incomplete: int = 0  # of the errors, inputs that could not be read to their end
    size: int = 0
    lines_kept: int = 0
    lines_dropped: int = 0
    started: float = field(default_factory=time.monotonic)

    def count(self, item: Outgoing) -> None:
        if isinstance(item, CleanedDocument):
            self.documents += 1
            self.empty += item.lines_total == 0
            if item.lines_total == 0:
                self.last_empty = item
            self.short += item.note is not None
            if item.lines_total and not item.lines_kept and item.note is None:
                self.emptied += 1
                self.last_emptied = item
            self.size += item.size
            self.lines_kept += item.lines_kept
            self.lines_dropped += item.lines_total - item.lines_kept
            self.no_id += item.no_id
        elif isinstance(item, Skipped):
            self.skipped += 1
            self.skipped_files += item.records
        elif isinstance(item, InputError):
            self.errors += 1
            self.incomplete += item.incomplete

    def summary(self, stopped: bool = False, short_dumps: str = "keep", discarded: bool = False) -> str:
        """One line; a run that ``stopped`` early says so first, and counts its errors only if it
        had any (a "0 errors" above a failing exit code misleads). ``discarded``: a write failed and
        the output was put back as it was before the run (one file, -o FILE.jsonl): the documents
        this run cleaned are counted, said not written, and not counted among those done so far."""
        seconds = max(time.monotonic() - self.started, 1e-9)
        extra = [f"{self.empty} empty"] if self.empty else []
        if self.short:
            extra.append(
                f"{self.short} too short to clean line by line: {'kept whole' if short_dumps == 'keep' else 'dropped'}"
            )
        if self.emptied:
            extra.append(f"{self.emptied} with no line kept")
        if discarded:
            extra.append("none written: the write failed")
        detail = f" ({', '.join(extra)})" if extra else ""
        errors = f"{plural(self.errors, 'error')}, " if self.errors or not stopped else ""
        documents = plural(self.documents, "document")
        if self.skipped:
            documents = self._with_skipped(documents, detail, stopped, discarded)
        else:
            documents = f"{documents}{detail}"
        return (
            f"{'stopped after ' if stopped else ''}{documents}, {megabytes(self.size)}, "
            f"lines kept {self.lines_kept}, dropped {self.lines_dropped}, {errors}{seconds:.1f} s, "
            f"{self.size / 1e6 / seconds:.2f} MB/s"
        )

    def _with_skipped(self, documents: str, detail: str, stopped: bool, discarded: bool = False) -> str:
        """The count of a run with --resume: the documents cleaned now, those an earlier run wrote,
        and both together. "1592 documents (1408 already done)" read as 1408 of the 1592, where
        3000 were done in all. A file of records skipped whole (-o DIR) is counted as a file: how
        many documents it holds is not read."""
        before, files = self.skipped - self.skipped_files, self.skipped_files
        if not files:
            total = before if discarded else self.documents + before
            done = f"{before} done before ({total} {'so far' if stopped else 'in all'})"
        else:
            done = f"{plural(before, 'document')} and " if before else ""
            done += f"{plural(files, 'file')} of records done before"
        return f"{documents} cleaned now{detail}, {done}"


class Progress:
    """A tqdm bar over input bytes when ``enabled`` and stderr is a terminal; messages go above it."""

    def __init__(self, total: int | None, enabled: bool) -> None:
        self.bar: tqdm[None] | None = None
        if enabled and sys.stderr is not None and sys.stderr.isatty():
            from tqdm import tqdm

            class Bar(tqdm):
                # No monitor thread (it only tunes miniters, and this bar is updated per chunk): with a
                # thread running, the worker pool could not fork (see cleaner.corpus.parallel.can_fork).
                monitor_interval = 0

            self.bar = Bar(total=total, unit="B", unit_scale=True, file=sys.stderr, dynamic_ncols=True)

    def advance(self, consumed: int, tally: Tally) -> None:
        if self.bar is not None and consumed:
            self.bar.update(consumed)
            self.bar.set_postfix_str(
                f"{plural(tally.documents, 'doc')}, {plural(tally.errors, 'error')}", refresh=False
            )

    def message(self, text: str) -> None:
        if self.bar is not None:
            self.bar.write(text, file=sys.stderr)
        elif sys.stderr is not None:  # closed (2>&-): print(file=None) would write it into the output on stdout
            print(text, file=sys.stderr, flush=True)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()
            self.bar = None
