"""One ``cleaner predict`` run: inputs -> readers -> (worker pool) -> writers, counted as it goes.

The main process reads and writes; the workers clean. Errors travel in the stream in input order,
like documents, so each is reported once, at its place, and counted; the run goes on unless it is
asked to stop at the first (``--fail-fast``). So do the notes on dumps too short to clean line by
line: the first :data:`NOTES` are printed, the rest counted in the summary.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import closing
from dataclasses import dataclass
from functools import partial
from pathlib import Path

from ..classifier.cleaned import Scorer
from ..text import one_line
from .items import CleanedDocument, Incoming, InputDone, InputError, InputFile, Skipped
from .parallel import clean_in_order
from .progress import Progress, Tally
from .readers import READERS, read_input
from .sinks import StreamSink, TreeSink
from .worker import Settings

NOTES = 20  # notes printed one by one; the summary counts them all


class FailFast(Exception):
    """Raised at the first error under ``--fail-fast``."""


@dataclass
class Run:
    """Everything a run needs; ``inputs`` already carry their output names (``relative``)."""

    inputs: list[InputFile | InputError]
    settings: Settings
    sink: TreeSink | StreamSink
    jobs: int
    limit: int
    resume: bool = False
    fail_fast: bool = False


def items(run: Run) -> Iterator[Incoming]:
    """The documents of every input, in order, with the inputs' own errors in their place.

    Under ``-o DIR`` two inputs writing to the same output name are an error (the second one),
    and ``--resume`` skips an input whose output file already exists (it is complete: written
    atomically).
    """
    owner: dict[Path, str] = {}
    for source in run.inputs:
        if isinstance(source, InputError):
            yield source
            continue
        if isinstance(run.sink, TreeSink):
            if source.relative in owner:
                yield InputError(
                    source.name,
                    f"its output {run.sink.root / source.relative} would overwrite that of "
                    f"{one_line(owner[source.relative])}; {_apart(owner[source.relative], source.name)}",
                    source.size or 0,
                )
                continue
            owner[source.relative] = source.name
            if run.resume and (run.sink.root / source.relative).exists():
                yield Skipped(source.name, source.size or 0, READERS[source.kind].records)
                continue
        yield from read_input(source, run.limit)


def _apart(first: str, second: str) -> str:
    """How to clean two inputs whose outputs under ``-o DIR`` have one name. Named from two folders,
    passing the folder above both keeps their paths apart; in one folder (``page.txt`` and
    ``page.txt.gz``, whose outputs are both ``page.txt``) it does not, and that was the advice."""
    if Path(first).parent != Path(second).parent:
        return "clean inputs with the same name in separate runs or pass their common parent directory"
    return "both are in one folder and take one output name there; clean one of them in another run, into another -o"


def execute(run: Run, model: Scorer | None, progress: Progress, tally: Tally) -> None:
    """Clean everything into the sink; raises :class:`FailFast` at the first error if asked to."""
    with closing(clean_in_order(items(run), run.settings, run.jobs, model)) as chunks:
        for chunk in chunks:
            for item in chunk:
                # Counted once written, by the sink as the output lands (see TreeSink.write): a stop
                # while an output is written (most of the main process's work under -o DIR) counted a
                # document whose file was then removed, and one after its rename missed a file on disk.
                if isinstance(item, (CleanedDocument, InputDone, InputError)):
                    run.sink.write(item, partial(tally.count, item))
                else:
                    tally.count(item)
                if isinstance(item, CleanedDocument) and item.note is not None and tally.short <= NOTES:
                    more = "; further ones are only counted in the summary" if tally.short == NOTES else ""
                    progress.message(f"cleaner: {item.note}{more}")
                elif isinstance(item, InputError):
                    progress.message(f"cleaner: {item}")
                    if run.fail_fast:
                        raise FailFast(str(item))
                progress.advance(0 if isinstance(item, InputDone) else item.consumed, tally)
