"""The ``cleaner`` command line: predict, train, evaluate, labels check, suggest.

User mistakes (a missing file, bad bytes, no model) are reported in one line on stderr as
``cleaner: path:line: what is wrong; what to do``, never as a traceback. Usage errors exit 2,
failed inputs exit 1 after every other input has been processed.
"""

from __future__ import annotations

import codecs
import contextlib
import json
import os
import sys
from dataclasses import dataclass
from enum import Enum
from pathlib import Path
from typing import Annotated, Any, NoReturn

import typer

from .. import __version__

app = typer.Typer(
    help="Remove boilerplate (menus, teaser lists, widgets, footers) from plain-text dumps of web pages.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
labels_app = typer.Typer(help="Work with labelled dumps (labels/*.tsv).", no_args_is_help=True)
app.add_typer(labels_app, name="labels")

REPOSITORY = Path(__file__).resolve().parent.parent


class OutputFormat(str, Enum):
    text = "text"
    jsonl = "jsonl"
    labels = "labels"


def fail(message: str, code: int = 1) -> NoReturn:
    typer.echo(f"cleaner: {message}", err=True)
    raise typer.Exit(code)


def warn(message: str) -> None:
    typer.echo(f"cleaner: {message}", err=True)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"cleaner {__version__}")
        raise typer.Exit()


@app.callback()
def main(
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Print the version and exit.")
    ] = False,
) -> None:
    """Remove boilerplate from plain-text dumps of web pages, line by line.

    Each line of a dump is classified as content (headline, lead, body, captions) or boilerplate
    (menus, teaser lists, widgets, footers, image markup); cleaning deletes the boilerplate lines
    and changes nothing else.
    """


def _load(model: Path | None) -> Any:
    from ..classifier.format import ModelError, load_model

    try:
        return load_model(model)
    except ModelError as exc:
        fail(str(exc))


class InputFormat(str, Enum):
    auto = "auto"
    text = "text"
    jsonl = "jsonl"
    warc = "warc"


class DocumentOutput(str, Enum):
    auto = "auto"
    text = "text"
    jsonl = "jsonl"


@dataclass
class _Layout:
    """Where outputs go (``root`` for -o DIR, else one stream to ``target`` or stdout) and how
    text and JSONL/WARC inputs are rendered."""

    root: Path | None
    target: Path | None
    text_render: str
    structured_render: str
    name_lines: bool


def _layout(
    paths: list[str], output: Path | None, fmt: OutputFormat, documents: DocumentOutput, input_format: str | None
) -> _Layout:
    """Resolve -o, --format and --output-format into a layout, or fail with a usage error (exit 2)."""
    from ..corpus.sources import STDIN, TEXT, detect_kind
    from ..corpus.sinks import jsonl_compression
    from ..corpus.worker import LABELS_OUT, LINES_OUT, RECORD_OUT, TEXT_OUT

    named = [p for p in paths if p == STDIN or not Path(p).is_dir()]
    structured = any(
        (input_format or (TEXT if p == STDIN else detect_kind(Path(p).name)) or TEXT) != TEXT for p in named
    )
    several = len(paths) > 1 or len(named) < len(paths)
    is_dir = output is not None and output.is_dir()
    if fmt is OutputFormat.jsonl:
        if documents is not DocumentOutput.auto:
            fail("--format jsonl writes one record per line: drop --output-format (records per document: -f text)", 2)
        if is_dir:
            fail(f"-o {output}: with --format jsonl, -o names one output file, not a directory", 2)
        return _Layout(None, output, LINES_OUT, LINES_OUT, several or structured)
    if structured and (fmt is OutputFormat.labels or documents is DocumentOutput.text):
        what = "--format labels" if fmt is OutputFormat.labels else "--output-format text"
        fail(f"{what} is for plain-text dumps; JSONL and WARC inputs are written as JSONL records", 2)
    records = documents is DocumentOutput.jsonl or (
        documents is DocumentOutput.auto
        and fmt is OutputFormat.text
        and ((output is not None and jsonl_compression(output) is not None) or (output is None and structured))
    )
    if records:
        if fmt is OutputFormat.labels:
            fail("--format labels writes one file per input: pass -o DIR, not a .jsonl file", 2)
        if is_dir:
            fail(f"-o {output} is a directory; JSONL records go to one file (-o out.jsonl) or stdout", 2)
        return _Layout(None, output, RECORD_OUT, RECORD_OUT, False)
    render = TEXT_OUT if fmt is OutputFormat.text else LABELS_OUT
    if output is None:
        if several:
            fail(
                "several inputs: pass -o DIR to write one cleaned file per input, or use --output-format jsonl "
                "(one record per document) or --format jsonl",
                2,
            )
        return _Layout(None, None, render, RECORD_OUT, False)
    if output.exists() and not is_dir:
        fail(f"-o {output} is a file; -o takes a directory (one output per input) or a .jsonl[.gz|.zst] file", 2)
    return _Layout(output, None, render, RECORD_OUT, False)


@app.command()
def predict(
    paths: Annotated[
        list[str],
        typer.Argument(
            help="Dump files, JSONL files (.jsonl, .jsonl.gz, .jsonl.zst), WET/WARC files (.warc.gz, .warc.wet.gz, "
            ".warc, .wet), directories (their files of these kinds, recursively) or - for standard input."
        ),
    ],
    output: Annotated[
        Path | None,
        typer.Option(
            "--output",
            "-o",
            help="A directory: one output per input under the input's relative name (cleaned text for a text "
            "dump, a .jsonl of cleaned records for a JSONL or WARC input). A file ending in .jsonl: one record per "
            "document (with --format jsonl: the per-line records); .jsonl.gz or .jsonl.zst: the same, compressed. "
            "Default: standard output.",
        ),
    ] = None,
    fmt: Annotated[
        OutputFormat,
        typer.Option(
            "--format",
            "-f",
            help="text: the cleaned dump. jsonl: one record per dump line with label and score. "
            "labels: the label-file format, to correct by hand and add to labels/.",
        ),
    ] = OutputFormat.text,
    input_format: Annotated[
        InputFormat,
        typer.Option(help="How to read the named files and stdin. auto: by name (.jsonl, .warc.gz...); stdin is text."),
    ] = InputFormat.auto,
    output_format: Annotated[
        DocumentOutput,
        typer.Option(
            help="jsonl: one JSON record per document: a JSONL input's record with the cleaned text in its text "
            "field and every other field kept, other inputs' {id, text}; each plus lines_total, lines_kept (non-blank "
            "lines), chars_kept and mean_score (mean P(content)). auto: jsonl for -o *.jsonl, or for JSONL/WARC "
            "inputs to stdout; text otherwise."
        ),
    ] = DocumentOutput.auto,
    text_field: Annotated[str, typer.Option(help="The JSONL field holding the page text (cleaned in place).")] = "text",
    id_field: Annotated[
        str | None,
        typer.Option(
            help="The JSONL field holding each record's unique id; text and WARC records get their id (file path, "
            "WARC-Record-ID) under this name (default: id). Needed by --resume with -o FILE.jsonl."
        ),
    ] = None,
    threshold: Annotated[
        float | None,
        typer.Option(min=0.0, max=1.0, help="Keep lines with P(content) >= this. Default: the model's own."),
    ] = None,
    model: Annotated[
        Path | None,
        typer.Option(
            help="Model file (.joblib with its .json manifest). Default: the trained model in model/artifacts."
        ),
    ] = None,
    encoding: Annotated[str, typer.Option(help="Encoding of the inputs.")] = "utf-8",
    errors: Annotated[
        str,
        typer.Option(help="What to do with undecodable bytes: strict (report the file), replace, ignore."),
    ] = "strict",
    jobs: Annotated[
        int | None,
        typer.Option(
            "--jobs", "-j", min=1, help="Worker processes. Default: all cores. 1: clean in this process, no pool."
        ),
    ] = None,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress bar and no closing summary.")] = False,
    fail_fast: Annotated[bool, typer.Option(help="Stop at the first bad input or record (exit 1).")] = False,
    resume: Annotated[
        bool,
        typer.Option(
            help="Continue an interrupted run. -o DIR: skip inputs whose output file exists (outputs are only "
            "ever complete: written to a temporary file, then renamed). -o FILE.jsonl: a run grows "
            "FILE.jsonl.partial and renames it when done; --resume keeps its records and skips documents whose "
            "--id-field value is already there (ids must be unique)."
        ),
    ] = False,
    max_document_mb: Annotated[
        float,
        typer.Option(
            min=0.001, help="Skip (and report) any document, record or line of JSONL larger than this many MB."
        ),
    ] = 10.0,
) -> None:
    """Clean dumps: print the content lines, deleting boilerplate lines and changing nothing else.

    Bad inputs (undecodable bytes, a line that is not JSON, a record without the text field, a damaged
    gzip or WARC, a document over --max-document-mb) are reported on stderr as path:LINE: what is wrong,
    counted, and skipped; the rest is cleaned and the exit code is 1. An empty document is not an error:
    it cleans to empty text and is counted as empty. NUL and other control characters are text like any other.

    Examples:

      cleaner predict page.txt > page.clean.txt

      cleaner predict dumps/ -o cleaned/

      cleaner predict crawl.jsonl.gz -o cleaned.jsonl --id-field id --resume

      cleaner predict CC-MAIN-*.warc.wet.gz -o cleaned/ -j 8

      cleaner predict new.txt --format labels > labels/new.tsv
    """
    from ..corpus.sources import STDIN

    if errors not in ("strict", "replace", "ignore", "surrogateescape"):
        fail(f"--errors {errors!r}: use strict, replace or ignore", 2)
    if not text_field:
        fail("--text-field: give the name of the field holding the text", 2)
    try:
        codecs.lookup(encoding)
    except LookupError:
        fail(f"--encoding {encoding!r}: unknown encoding; use a Python codec name such as utf-8, cp1258, latin-1", 2)
    if paths.count(STDIN) > 1:
        fail("- (standard input) can be named only once", 2)
    chosen = None if input_format is InputFormat.auto else input_format.value
    layout = _layout(paths, output, fmt, output_format, chosen)
    if resume:
        if output is None:
            fail("--resume needs -o: it continues the outputs of an earlier run", 2)
        if layout.target is not None and layout.text_render == "lines":
            fail("--resume works with -o DIR and with document records (-o FILE.jsonl), not with --format jsonl", 2)
        if layout.target is not None and id_field is None:
            fail("--resume with -o FILE.jsonl needs --id-field: the field with each record's unique id", 2)
        if layout.target is not None and _compressed(layout.target):
            fail(
                f"--resume cannot continue a compressed output ({layout.target.name}): a stream cut off by a "
                "kill cannot be appended to; write -o FILE.jsonl and compress it when the run is done",
                2,
            )
    from ..corpus.worker import Settings

    settings = Settings(
        _model_path(model), threshold, layout.text_render, layout.structured_render, text_field, id_field,
        encoding, errors, layout.name_lines,
    )  # fmt: skip
    _run_predict(
        paths, chosen, layout, settings, jobs=jobs or _cores(), quiet=quiet, fail_fast=fail_fast, resume=resume,
        limit=int(max_document_mb * 1e6),
    )  # fmt: skip


def _compressed(target: Path) -> bool:
    from ..corpus.sinks import jsonl_compression

    return bool(jsonl_compression(target))


def _cores() -> int:
    """The cores this process may run on (fewer than the machine's under taskset or a container)."""
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0)) or 1
    return os.cpu_count() or 1


def _model_path(model: Path | None) -> str:
    from ..classifier.format import default_model_path

    return str((model or default_model_path()).resolve())


def _run_predict(
    paths: list[str],
    input_format: str | None,
    layout: _Layout,
    settings: Any,
    *,
    jobs: int,
    quiet: bool,
    fail_fast: bool,
    resume: bool,
    limit: int,
) -> None:
    """Stream every input through the model into the layout's outputs; exit 1 if anything failed.

    The model is loaded where it is used: in this process for a small run or --jobs 1, else once in
    each worker; a model that cannot be loaded stops the run with its one-line reason either way.
    """
    from concurrent.futures.process import BrokenProcessPool
    from dataclasses import replace

    from ..classifier.format import ModelError
    from ..corpus.sources import TEXT, InputError, expand_inputs
    from ..corpus.sinks import StreamSink, TreeSink, output_name
    from ..corpus.parallel import one_native_thread
    from ..corpus.pipeline import FailFast, Run, execute
    from ..corpus.progress import Progress, Tally
    from ..corpus.resume import read_done_ids

    one_native_thread()  # before --resume's ids import numpy
    inputs = list(expand_inputs(paths, input_format))
    if layout.root is not None:
        inputs = [
            item if isinstance(item, InputError) else replace(item, relative=output_name(item.relative, item.kind))
            for item in inputs
        ]
    files = [i for i in inputs if not isinstance(i, InputError)]
    several = len(inputs) > 1 or any(i.kind != TEXT for i in files)
    sizes = [i.size for i in files]
    total = None if None in sizes else sum(sizes)  # type: ignore[arg-type]
    try:
        sink: TreeSink | StreamSink = (
            TreeSink(layout.root) if layout.root is not None else StreamSink(layout.target, resume)
        )
        if isinstance(sink, TreeSink):
            sink.remove_stale(i.relative for i in files)
        if resume and isinstance(sink, StreamSink) and settings.id_field is not None:
            settings = replace(settings, done=read_done_ids(sink.partial, settings.id_field))
    except OSError as exc:
        fail(f"{exc.filename or layout.target}: cannot write: {exc.strerror or exc}")
    run = Run(inputs, settings, sink, jobs, limit, resume, fail_fast)
    progress = Progress(total, several and not quiet)
    tally = Tally()
    stopped = None
    try:
        execute(run, None, progress, tally)
        sink.close()
    except ModelError as exc:
        progress.close()
        sink.abort()
        fail(str(exc))
    except FailFast:
        stopped = "stopped at the first error (--fail-fast)"
    except KeyboardInterrupt:
        stopped = "interrupted"
    except BrokenProcessPool:
        stopped = "a worker process died (out of memory?); rerun with fewer --jobs"
    except BrokenPipeError:
        with contextlib.suppress(OSError, ValueError):  # the reader went away (| head): nothing more to say
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        raise typer.Exit(1) from None
    except OSError as exc:
        stopped = f"{exc.filename or 'output'}: cannot write: {exc.strerror or exc}"
    finally:
        progress.close()
    if stopped is not None:
        sink.abort()
    if several and not quiet:
        warn(tally.summary())
    if stopped is not None:
        partial = getattr(sink, "partial", None)
        kept = f"; the records written so far are in {partial}" if partial is not None and partial.exists() else ""
        resumable = layout.root is not None or (
            layout.target is not None and layout.text_render != "lines" and not _compressed(layout.target)
        )
        again = "; rerun with --resume to continue" if resumable else ""
        fail(f"{stopped}{kept}{again}", 130 if stopped == "interrupted" else 1)
    if tally.errors:
        fail(f"{tally.errors} input(s) or record(s) could not be cleaned; every other document was cleaned")


@app.command()
def train(
    labels: Annotated[Path, typer.Option(help="Directory of labelled dumps with manifest.csv.")] = REPOSITORY
    / "labels",
    output: Annotated[Path | None, typer.Option("--output", "-o", help="Where to write the model.")] = None,
    cross_validate: Annotated[
        bool, typer.Option(help="Also cross-validate (leave one site out) and record the scores.")
    ] = True,
    jobs: Annotated[int, typer.Option("--jobs", "-j", min=1, help="Parallel cross-validation folds.")] = 2,
) -> None:
    """Train the model on labelled dumps and save it (with a JSON manifest) under model/artifacts."""
    from ..classifier.format import default_model_path
    from cleaner.training.labels import LabelFormatError
    from cleaner.training.train import train as run_training

    target = output or default_model_path()
    try:
        manifest = run_training(labels, target, cross_validate=cross_validate, n_jobs=jobs)
    except LabelFormatError as exc:
        fail(f"{exc}")
    data = manifest["training_data"]
    typer.echo(
        f"trained on {data['documents']} documents from {data['sites']} sites "
        f"({data['labelled_lines']} labelled lines) in {manifest['fit_seconds']} s"
    )
    if "cross_validation" in manifest:
        s = manifest["cross_validation"]["overall"]
        typer.echo(
            f"{manifest['cross_validation']['scheme']}: content char P/R/F1 "
            f"{s['char_p']:.3f}/{s['char_r']:.3f}/{s['char_f1']:.3f}, line F1 {s['line_f1']:.3f}"
        )
    typer.echo(f"saved {target} (threshold {manifest['threshold']:.3f})")


@app.command()
def evaluate(
    labels: Annotated[Path, typer.Option(help="Directory of labelled dumps with manifest.csv.")] = REPOSITORY
    / "labels",
    test: Annotated[
        list[Path] | None,
        typer.Option(help="Score a held-out directory in the devset format (<id>.txt + <id>.gold); repeatable."),
    ] = None,
    baselines: Annotated[
        bool, typer.Option(help="Also score keep-all, the C4 line rule, jusText and single-line TF-IDF.")
    ] = False,
    by: Annotated[str, typer.Option(help="Detail rows: site, document or none.")] = "site",
    jobs: Annotated[int, typer.Option("--jobs", "-j", min=1, help="Parallel folds.")] = 2,
    json_out: Annotated[Path | None, typer.Option("--json", help="Also write all scores as JSON here.")] = None,
    card: Annotated[
        Path | None, typer.Option(help="Write the model card (markdown) from this run's results here.")
    ] = None,
    curve: Annotated[
        bool,
        typer.Option(
            "--learning-curve",
            help="Also train on 1, 2, 4, ... labelled sites and report held-out F1 at each size "
            "(on the --test directories, else on the labelled sites left out).",
        ),
    ] = False,
    plot: Annotated[Path, typer.Option(help="Where --learning-curve writes its PNG plot.")] = REPOSITORY
    / "model"
    / "learning_curve.png",
    overrides: Annotated[
        list[str] | None,
        typer.Option("--set", help="Override an estimator parameter, KEY=VALUE (repeatable), e.g. --set C=0.1."),
    ] = None,
) -> None:
    """Cross-validate on labels/ (leave one site out), or score held-out --test directories.

    Prints content-class precision/recall/F1, line-level and character-weighted, overall and per
    site (or per document). With --test, the model is trained on all of labels/ and never sees the
    test pages; --baselines scores peer systems on the same pages.
    """
    from cleaner.training.labels import LabelFormatError
    from cleaner.training.report import run_evaluation

    if by not in ("site", "document", "none"):
        fail(f"--by {by!r}: use site, document or none", 2)
    params = {}
    for item in overrides or []:
        key, sep, value = item.partition("=")
        if not sep or not key:
            fail(f"--set {item!r}: use KEY=VALUE, e.g. --set C=0.1", 2)
        try:
            params[key] = json.loads(value)
        except json.JSONDecodeError:
            params[key] = value
    try:
        run_evaluation(
            labels,
            test or [],
            baselines,
            by,
            jobs,
            json_out,
            card,
            echo=typer.echo,
            params=params,
            curve=plot if curve else None,
            command="cleaner " + " ".join(sys.argv[1:]),
        )
    except (ValueError, OSError, LabelFormatError) as exc:
        fail(str(exc))


@labels_app.command("check")
def labels_check(
    directory: Annotated[Path, typer.Argument(help="Directory of labelled dumps.")] = REPOSITORY / "labels",
) -> None:
    """Validate every label file and the manifest; print per-file counts."""
    from cleaner.training.check import check_labels

    problems = check_labels(directory, echo=typer.echo)
    if problems:
        for problem in problems:
            warn(problem)
        fail(f"{len(problems)} problem(s) in {directory}")


@app.command()
def suggest(
    directory: Annotated[Path, typer.Argument(help="Directory of unlabelled dumps (*.txt, recursively).")],
    top: Annotated[int, typer.Option("-n", "--top", min=1, help="How many dumps to list.")] = 10,
    model: Annotated[Path | None, typer.Option(help="Model file. Default: the trained model.")] = None,
    margin: Annotated[
        float, typer.Option(min=0.0, max=0.5, help="A line is uncertain when |P(content) - threshold| < this.")
    ] = 0.2,
) -> None:
    """Rank unlabelled dumps by how much labelling them would teach the model.

    Dumps with many lines the model is unsure about come first; label those next.
    """
    from cleaner.training.suggest import rank_uncertain

    estimator = _load(model)
    if not directory.is_dir():
        fail(f"{directory}: not a directory", 2)
    rows, errors = rank_uncertain(estimator, directory, margin)
    for error in errors:
        warn(str(error))
    typer.echo(f"{'uncertain':>9} {'lines':>6} {'mean margin':>11}  file")
    for row in rows[:top]:
        typer.echo(f"{row.uncertain:>9} {row.lines:>6} {row.mean_margin:>11.3f}  {row.path}")
