"""``cleaner predict``'s run: every input streamed through the model into the outputs, and what went
wrong turned into one line and an exit code; with the command line that continues a run stopped short.
:mod:`cleaner.cli.predict` checks the options and calls :func:`run_predict`.
"""

from __future__ import annotations

import os
import shlex
import signal
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING

import typer

from ..corpus.items import STDIN
from ..corpus.readers import READERS
from ..corpus.renderers import Render
from ..corpus.worker import Settings
from ..signals import Caught, Interrupted, unwrapped
from .layout import Layout
from .messages import (
    after_errors,
    after_write_error,
    as_it_was,
    busy,
    emptied_note,
    empty_note,
    kept_in,
    no_ids,
    rerun,
    skipped_note,
    stopped_before_writing,
    stopped_reading_ids,
)
from .pipes import reader_went_away
from .report import fail, missing_folders, say_made, warn

if TYPE_CHECKING:
    from ..corpus.items import InputFile
    from ..corpus.sinks import StreamSink, TreeSink


# A dump of at least this many bytes, alone in its run, gets the progress bar and the summary of a
# corpus: about a second of cleaning on one core.
LONG_INPUT = 5_000_000


def rerun_command(ctx: typer.Context, stdin: str = STDIN, continued: bool = True) -> str:
    """This command line, as the user gave it, with --resume: what continues this run; with
    ``stdin``, that name in place of - and of a pipe named as a file (a run cannot continue from
    standard input: see :func:`~cleaner.cli.messages.rerun`); not ``continued``: without an added --resume (what starts
    it again)."""
    from ..corpus.readers.streams import is_stream

    words = ["cleaner", "predict"]
    for param in ctx.command.params:
        source = ctx.get_parameter_source(param.name) if param.name else None
        if param.name is None or source is None or source.name != "COMMANDLINE":
            continue
        value = ctx.params[param.name]
        if param.param_type_name == "argument":
            words += [stdin if v == STDIN or (stdin != STDIN and is_stream(str(v))) else str(v) for v in value]
        elif getattr(param, "is_flag", False):
            words.append(param.opts[0] if value else param.secondary_opts[0])
        else:
            words += [max(param.opts, key=len), _spelled(value.value if isinstance(value, Enum) else value)]
    if continued and "--resume" not in words:
        words.append("--resume")
    return shlex.join(words)


def _spelled(value: object) -> str:
    """An option's value as the user would type it: a whole number without ".0" (--max-document-mb 70
    was echoed as 70.0); any other number as Python writes it, every digit kept."""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _saved_as(saved: str, kind: str, paths: list[str], files: list[InputFile]) -> str:
    """The command that continues a run from a saved copy of the records it read on standard input
    (or a pipe), with ``--input-format KIND``: the kind was told from the bytes, and the copy is read
    by its name (saved as ``input.txt``, records were a text dump, and --resume stopped at once).
    Only when every input is of that kind: the option reads every named file so, and makes folders
    give only files of that kind."""
    if any(path != STDIN and Path(path).is_dir() for path in paths) or any(i.kind != kind for i in files):
        return saved
    words = shlex.split(saved)
    at = len(words) - 1 if words[-1] == "--resume" else len(words)
    return shlex.join([*words[:at], "--input-format", kind, *words[at:]])


def is_compressed(target: Path) -> bool:
    from ..corpus.sinks import jsonl_compression

    return bool(jsonl_compression(target))


def available_cores() -> int:
    """The cores this process may run on (fewer than the machine's under taskset or a container)."""
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0)) or 1
    return os.cpu_count() or 1


def model_path(model: str | None) -> str:
    """The model file to load, absolute: ``--model``, else $CLEANER_MODEL, else the shipped model;
    a URL (from either) as it is: each worker's load_model finds the machine's copy of it."""
    from ..classifier.format import default_model_name
    from ..classifier.remote import is_url

    name = default_model_name() if model is None else model
    return name if is_url(name) else str(Path(name).resolve())


def run_predict(
    paths: list[str],
    input_format: str | None,
    layout: Layout,
    settings: Settings,
    *,
    jobs: int,
    quiet: bool,
    fail_fast: bool,
    resume: bool,
    limit: int,
    again: str = "cleaner predict ... --resume",
    saved: str | None = None,
    fresh: str | None = None,
    received: Caught | None = None,
) -> None:
    """Stream every input through the model into the layout's outputs; exit 1 if anything failed.

    The model is loaded where it is used: in this process for a small run or --jobs 1, else once in
    each worker; a model that cannot be loaded stops the run with its one-line reason either way.
    """
    from concurrent.futures.process import BrokenProcessPool
    from dataclasses import replace

    from ..classifier.format import ModelError
    from ..corpus.items import InputError, InputFile
    from ..corpus.locks import OutputBusy
    from ..corpus.pipeline import FailFast, Run, execute
    from ..corpus.progress import Progress, Tally
    from ..corpus.resume import DoneIds, ResumeError, check_inputs, read_done_ids
    from ..corpus.sinks import OutputError, StreamSink, TreeSink, output_name
    from ..corpus.sources import Note, expand_inputs

    written = layout.root or layout.target or layout.file
    found = list(expand_inputs(paths, input_format, leave_out=written))
    notes = [item for item in found if isinstance(item, Note)]
    inputs = [item for item in found if not isinstance(item, Note)]
    if layout.file is not None:
        inputs = [
            item if isinstance(item, InputError) else replace(item, relative=Path(layout.file.name)) for item in inputs
        ]
    elif layout.root is not None:
        inputs = [
            item
            if isinstance(item, InputError)
            else replace(item, relative=output_name(item.relative, item.kind, layout.text_render is Render.LABELS))
            for item in inputs
        ]
    for note in notes:
        warn(str(note))
    files = [i for i in inputs if isinstance(i, InputFile)]
    root = layout.file.parent if layout.file is not None else layout.root
    # The one output file of the run, if there is one (-o FILE.txt, or one input under -o DIR).
    one = root / files[0].relative if root is not None and len(files) == 1 else None
    streamed = [i for i in files if i.stream and READERS[i.kind].records]
    if layout.target is None or not streamed:
        saved = None  # only --resume of -o FILE cannot read records from standard input: see messages.rerun
    elif saved is not None and input_format is None:
        saved = _saved_as(saved, streamed[0].kind, paths, files)
    several = len(inputs) > 1 or any(READERS[i.kind].records for i in files)
    sizes = [i.size for i in files]
    total = sum(size for size in sizes if size is not None) if None not in sizes else None
    # A run of one long dump shows its progress and summary as a corpus does: 15 s of a blank terminal
    # for one of 88 MB looked hung. (Its bar moves when the dump is done, but says what is being done.)
    shown = (several or (total is not None and total >= LONG_INPUT)) and not quiet
    # The folder of the outputs (-o DIR, or the one holding -o FILE) is made when the first output is
    # written, with any folders above it, and said once, as train says the folder of its -o.
    folder = root if root is not None or layout.target is None else layout.target.parent
    new_folders = [] if quiet else missing_folders([folder] if folder is not None else [])  # -q: not said
    try:
        sink: TreeSink | StreamSink = TreeSink(root) if root is not None else StreamSink(layout.target, resume)
        if isinstance(sink, TreeSink):
            sink.remove_stale(i.relative for i in files)
        id_field = settings.parse.id_field
        done = None
        if resume and isinstance(sink, StreamSink) and id_field is not None:
            if sink.restore is not None:  # an earlier run's records (the .partial's lock alone makes an empty one)
                try:
                    done = read_done_ids(sink.partial, id_field)
                except Interrupted as exc:
                    stopped_reading_ids(sink, exc, again)
            elif not any(i.stream for i in inputs if isinstance(i, InputFile)):  # stdin, a pipe: read once
                # A first run is checked too: a repeated id found when the run is continued would cost
                # the hours it ran (the continued run cannot skip by such ids, and stops).
                done = DoneIds.none()
    except OSError as exc:
        fail(f"{exc.filename or layout.target}: cannot write: {exc.strerror or exc}")
    except OutputError as exc:  # the .partial of -o FILE could not be made or continued: nothing was changed
        assert layout.target is not None  # only a StreamSink into a file raises it here
        fail(f"{exc}{as_it_was(layout.target)}")
    except OutputBusy as exc:
        fail(busy(layout.target, exc), 2)
    if done is not None and isinstance(sink, StreamSink):  # skipping by id is safe only with these inputs' ids
        try:
            finished = sink.restore is not None and sink.restore[1]  # the records are in the output, renamed back
            written = sink.target if finished and sink.target is not None else sink.partial
            check_inputs(inputs, settings.parse, limit, done, sink.partial, shown=written)
        except ResumeError as exc:
            sink.discard()  # a finished output that --resume renamed to .partial gets its name back
            fail(str(exc), 2)
        except Interrupted as exc:
            stopped_reading_ids(sink, exc, again)
        settings = replace(settings, done=done)
    run = Run(inputs, settings, sink, jobs, limit, resume, fail_fast)
    progress = Progress(total, shown)
    tally = Tally()
    stopped = None
    fix = ""
    code = 1
    complete = True
    received = received if received is not None else Caught()  # the signals are caught by predict
    try:
        with unwrapped():  # a signal while the model's modules are imported, in --jobs 1
            execute(run, None, progress, tally)
            complete = sink.close()
    except ModelError as exc:
        progress.close()
        sink.abort()
        fail(str(exc))
    except OutputBusy as exc:  # its folder was made by another run since this one started: locked at the first output
        progress.close()
        sink.abort()
        fail(busy(layout.target, exc), 2)
    except FailFast:
        stopped = "stopped at the first error (--fail-fast)"
        fix = "fix or remove the input named above, then "  # rerun as it was, it stopped there at once
    except Interrupted as exc:
        stopped, code = f"interrupted ({exc})", 128 + exc.signum
    except KeyboardInterrupt:  # SIGINT with Python's own handler (not the main thread: see cleaner.signals)
        stopped, code = "interrupted", 130
    except BrokenProcessPool:
        if received:
            stopped, code = f"interrupted ({signal.Signals(received[0]).name})", 128 + received[0]
        else:
            stopped = "a worker process died (out of memory?); rerun with fewer --jobs"
    except BrokenPipeError:
        # The reader of standard output went away (| head): nothing more to say (see cleaner.cli.pipes),
        # before the handlers below take it for an error; the workers were stopped on the way here (the
        # pool is closed whatever ends the run).
        raise reader_went_away() from None
    except OutputError as exc:
        progress.close()
        sink.discard()
        say_made(new_folders)
        if shown:
            # One output file is put back as it was (sink.discard): this run's documents are not in it.
            discarded = isinstance(sink, StreamSink) and sink.target is not None
            warn(tally.summary(stopped=True, short_dumps=settings.short_dumps, discarded=discarded))
        fail(f"{exc}{after_write_error(sink, one, resume, again, exc.errno)}")
    finally:
        progress.close()
        received.ended = True
    if stopped is not None:
        sink.abort()
    # --resume into one file continues by id: a run that wrote a record without one cannot be continued.
    no_id = no_ids(settings.parse.id_name, tally.no_id, tally.documents) if layout.target and tally.no_id else None
    say_made(new_folders)
    if shown:
        warn(tally.summary(stopped=stopped is not None, short_dumps=settings.short_dumps))
    elif not quiet and tally.last_emptied is not None and layout.text_render is Render.TEXT:
        warn(emptied_note(tally.last_emptied))
    elif not quiet and tally.documents == 1 and tally.last_empty is not None:
        warn(empty_note(tally.last_empty))
    if not several and tally.skipped and one is not None:  # a corpus's summary counts them "already done"
        warn(skipped_note(files[0].name, one))
    if stopped is not None and isinstance(sink, StreamSink) and sink.wrote_nothing():
        assert sink.target is not None  # wrote_nothing says so
        fail(stopped_before_writing(stopped, sink.target, fresh or again), code)
    if stopped is not None:
        kept = kept_in(sink) if isinstance(sink, StreamSink) else ""
        resumable = root is not None or (
            layout.target is not None and layout.text_render is not Render.LINES and not is_compressed(layout.target)
        )
        if resumable and no_id is not None:
            fail(f"{stopped}{kept}; {no_id}", code)
        fail(f"{stopped}{kept}" + (f"; {fix}{rerun(again, saved)} to continue" if resumable else ""), code)
    if tally.errors:
        fail(after_errors(sink, tally, complete, again, saved, no_id))
