"""What ``cleaner predict`` says when a run ends short: stopped by a signal or --fail-fast, refused
an output, or done with errors; each line says what became of the outputs and the command that
continues or reruns the run, so that a stop never leaves the user guessing what to do next.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

from ..signals import Interrupted
from ..text import one_line, plural
from .report import fail

if TYPE_CHECKING:
    from ..corpus.items import CleanedDocument
    from ..corpus.locks import OutputBusy
    from ..corpus.progress import Tally
    from ..corpus.sinks import StreamSink, TreeSink


# What stands for a saved copy of standard input in the command that continues a run that read it.
SAVED = "FILE"


def kept_in(sink: StreamSink) -> str:
    """Whose records the ``.partial`` of a stopped run into -o FILE holds, if it left one: this
    run's (and any it continued), or only an earlier run's, which a run without --resume leaves as
    it was until its first record."""
    if sink.target is None or not sink.partial.exists():
        return ""
    if sink.wrote or sink.resume:
        return f"; the records written so far are in {sink.partial}"
    return f"; this run wrote no record, and {sink.partial} holds an earlier run's records, as it was"


def stopped_before_writing(stopped: str, target: Path, fresh: str) -> str:
    """The line of a run into -o FILE that was stopped before it wrote a record: no ``.partial`` is
    left, so --resume has nothing to continue, and "rerun ... --resume to continue" sent the user
    looking for output that was never written: the same command, as given, does it all."""
    return (
        f"{stopped} before any record was written{as_it_was(target)}: there is nothing to continue with "
        f"--resume; {rerun(fresh)} to clean from the start"
    )


def stopped_reading_ids(sink: StreamSink, exc: Interrupted, again: str) -> NoReturn:
    """Stop (exit 128 + the signal) a run that a signal stopped while --resume read the ids, before
    it wrote: the output is put back as it was (a finished one gets its name back), and the same
    command continues; "nothing was written" alone left the user to wonder about the .partial."""
    before = sink.restore
    sink.discard()
    assert sink.target is not None  # only a run into -o FILE reads ids
    if before is None:  # a first run with --resume: there was no .partial
        state = "nothing was written"
    else:
        state = f"nothing was written: {sink.target if before[1] else sink.partial} is as it was"
    fail(
        f"interrupted ({exc}) while --resume read the inputs' ids, before cleaning began; {state}; "
        f"{rerun(again)} to continue",
        128 + exc.signum,
    )


def busy(target: Path | None, exc: OutputBusy) -> str:
    """Why a run into -o FILE is refused: another run holds its ``.partial`` (see cleaner.corpus.locks)."""
    return (
        f"-o {target}: another cleaner run is writing this output now (it holds {exc.partial} locked); "
        "this run wrote nothing: wait for that run to end, or choose another -o"
    )


def emptied_note(cleaned: CleanedDocument) -> str:
    """Why the one dump of a run printed nothing: an empty output looks like a failure, and a
    record of one paragraph is the kind of dump the model may take for chrome."""
    lines = "its only non-blank line" if cleaned.lines_total == 1 else f"all its {cleaned.lines_total} non-blank lines"
    return (
        f"{cleaned.where}: no line kept: the model scored {lines} as boilerplate "
        "(--format jsonl shows each line's score; a lower --threshold keeps more)"
    )


def empty_note(cleaned: CleanedDocument) -> str:
    """What the one input of a run that held no text says: its empty output, exit 0, looked like
    a success (``cleaner predict <(curl -s URL)`` when curl failed)."""
    if cleaned.size:
        return f"{one_line(cleaned.where)}: only blank lines: nothing to clean"
    return f"{one_line(cleaned.where)}: empty input: nothing to clean (an empty file, or a command that wrote nothing)"


def rerun(again: str, saved: str | None = None) -> str:
    """The advice to rerun ``again``: from this directory, as relative paths in it (and the ids of
    text files, their paths as given, which --resume skips by) mean something else elsewhere.

    With ``saved`` (the command with FILE in place of -), the run read records from standard input
    into -o FILE: --resume reads the inputs' ids before it cleans anything, and standard input can
    be read only once, so --resume from it is refused; a saved copy of the input gives the same ids
    (the records' own), so rerunning with that file continues the run."""
    try:
        here = f" ({Path.cwd()})"
    except OSError:  # the directory was deleted
        here = ""
    if saved is not None:
        return (
            "standard input (or a pipe) cannot be read again (--resume reads the ids of the records before it "
            "cleans them): "
            f"save that input to a file and, from the same directory{here}, rerun `{saved}` with {SAVED} that file"
        )
    return f"from the same directory{here}, rerun `{again}`"


def skipped_note(name: str, output: Path) -> str:
    """Why a run of one input with --resume wrote nothing: its output was there (perhaps from
    another input, or an earlier version of this one), and exit 0 with no word looked like success."""
    return f"{name}: already done ({output} exists), skipped (--resume); rerun without --resume to clean it again"


def no_ids(field: str, missing: int, written: int) -> str:
    """The advice for a stopped run into one file of records of which ``missing`` of the ``written``
    have no id: --resume continues such a run by the ids already written, so the command it would
    print fails at once. Said of how many: one record with a null id among thousands was told as
    "the records have no 'id' field"."""
    has = "has" if missing == 1 else "have"
    which = "the records have" if missing >= written else f"{missing} of the {written} records written {has}"
    return (
        f"{which} no {field!r} field (or a null one) to continue by (--resume skips the documents whose id is "
        "already written): rerun without --resume to clean every document again, or with --resume and "
        "--id-field NAME if the field NAME holds a unique id in every record"
    )


def after_write_error(
    sink: TreeSink | StreamSink, one: Path | None, resume: bool, again: str = "", errno: int | None = None
) -> str:
    """What a failed write left: the one output as it was, or the outputs finished before it.

    ``one`` is the run's only output file, if it has one (-o FILE.txt, one input under -o DIR):
    there are no others to write with --resume. A run with --resume into -o FILE put back what it
    continued: the ``.partial``, with the records of the runs before it (it said the output, which
    was never written, "is left as it was"), or the finished output; the same command (``again``)
    continues it once the cause (``errno``: a full disk) is gone."""
    import errno as codes

    from ..corpus.sinks import StreamSink

    if isinstance(sink, StreamSink):
        if sink.target is None:
            return ""
        if sink.restore is None:
            return as_it_was(sink.target)
        if sink.restore[1]:
            kept = f"{sink.target} is left as it was before this run"
        else:
            records = sink.records_kept()
            held = "" if records is None else f", with the {plural(records, 'record')} written before it"
            kept = f"{sink.partial} is left as it was before this run{held}"
        cause = "the disk is full: free space on it" if errno == codes.ENOSPC else "fix this"
        return f"; {kept}; {cause}, then {rerun(again)} to continue"
    if one is not None:
        return as_it_was(one)
    if not sink.finished:  # with --resume, the outputs of earlier runs are there, and skipped again
        return "; this run finished no output: fix this and rerun" + (" with --resume" if resume else "")
    return "; the outputs finished before it are complete: fix this and rerun with --resume to write the others"


def as_it_was(output: Path) -> str:
    """What a write that failed before it changed anything left of a one-file output."""
    return f"; {output} is left as it was before this run" if output.exists() else f"; {output} is not written"


def after_errors(
    sink: TreeSink | StreamSink,
    tally: Tally,
    complete: bool,
    again: str,
    saved: str | None = None,
    no_id: str | None = None,
) -> str:
    """The closing line of a run with errors: how many, and what became of the outputs; ``no_id``:
    what to do about the records written without an id (see :func:`no_ids`)."""
    from ..corpus.sinks import StreamSink

    counted = f"{plural(tally.errors, 'input or record', 'inputs or records')} could not be cleaned"
    others = "every other document was cleaned" if tally.documents else "no document was cleaned"
    if not tally.incomplete:
        return f"{counted}; {others}"
    if tally.incomplete == tally.errors:  # "1 input or record could not be cleaned, 1 input of them not read whole"
        unread = "not read whole" if tally.errors == 1 else "none of them read whole"
    else:
        unread = f"{plural(tally.incomplete, 'input')} of them not read whole"
    if isinstance(sink, StreamSink) and sink.target is not None and not complete:
        stays = f"stays {sink.partial} (every other document is in it)" if sink.partial.exists() else "is not written"
        if no_id is not None:
            return f"{counted}, {unread}, so the output {stays}; fix or replace such inputs; {no_id}"
        return (
            f"{counted}, {unread}, so the output {stays}; fix or replace such inputs"
            f"{'; ' if saved else ' and, '}{rerun(again, saved)} to complete {sink.target}"
        )
    if isinstance(sink, StreamSink):
        return f"{counted}, {unread}; {others}"
    return (
        f"{counted}, {unread}, with no output; fix or replace such inputs and, {rerun(again)} to clean them; {others}"
    )
