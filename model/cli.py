"""The ``cleaner`` command line: predict, train, evaluate, labels check, suggest.

User mistakes (a missing file, bad bytes, no model) are reported in one line on stderr as
``cleaner: path:line: what is wrong; what to do``, never as a traceback. Usage errors exit 2,
failed inputs exit 1 after every other input has been processed.
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
from enum import Enum
from pathlib import Path
from typing import Annotated, Any, NoReturn, TextIO

import typer

from cleaner import __version__

app = typer.Typer(
    help="Remove boilerplate (menus, teaser lists, widgets, footers) from plain-text dumps of web pages.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
labels_app = typer.Typer(help="Work with labelled dumps (labels/*.tsv).", no_args_is_help=True)
app.add_typer(labels_app, name="labels")

REPOSITORY = Path(__file__).resolve().parent.parent
BATCH_DOCUMENTS = 64


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
    from cleaner.artifact import ModelError, load_model

    try:
        return load_model(model)
    except ModelError as exc:
        fail(str(exc))


def _write_atomic(path: Path, text: str) -> None:
    """Write via a temporary file and a rename, so an interrupted run leaves no half-written file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as handle:
            handle.write(text)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _render(fmt: OutputFormat, lines: list[str], scores: list[float | None], threshold: float, file: str | None) -> str:
    from cleaner.estimator import BOILERPLATE, CONTENT
    from cleaner.text import join_kept
    from cleaner.training.labels import format_label_lines

    labels = [None if s is None else (CONTENT if s >= threshold else BOILERPLATE) for s in scores]
    if fmt is OutputFormat.text:
        return join_kept(lines, [label == CONTENT for label in labels])
    if fmt is OutputFormat.labels:
        return format_label_lines(lines, labels)
    records = []
    for number, (line, label, value) in enumerate(zip(lines, labels, scores), 1):
        record: dict[str, Any] = {} if file is None else {"file": file}
        record.update(line=number, text=line, label=label, score=None if value is None else round(value, 4))
        records.append(json.dumps(record, ensure_ascii=False) + "\n")
    return "".join(records)


@app.command()
def predict(
    paths: Annotated[
        list[str],
        typer.Argument(help="Dump files, directories (their *.txt, recursively) or - for standard input."),
    ],
    output: Annotated[
        Path | None,
        typer.Option(
            "--output",
            "-o",
            help="Directory to write one output per input, under the input's relative name "
            "(with --format jsonl: one file for all records). Default: standard output.",
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
) -> None:
    """Clean dumps: print the content lines, deleting boilerplate lines and changing nothing else.

    Examples:

      cleaner predict page.txt > page.clean.txt

      cleaner predict dumps/ -o cleaned/

      cleaner predict new.txt --format labels > labels/new.tsv
    """
    from cleaner.inputs import Document, InputError, iter_documents

    if errors not in ("strict", "replace", "ignore", "surrogateescape"):
        fail(f"--errors {errors!r}: use strict, replace or ignore", 2)
    documents = iter_documents(paths, encoding, errors)
    first: list[Document | InputError] = []
    for item in documents:
        first.append(item)
        if len(first) == 2:
            break
    several = len(paths) > 1 or len(first) > 1 or any(Path(p).is_dir() for p in paths if p != "-")
    if several and output is None and fmt is not OutputFormat.jsonl:
        fail("several inputs: pass -o DIR to write one cleaned file per input, or use --format jsonl", 2)
    estimator = _load(model)
    cut = estimator.threshold_ if threshold is None else threshold

    jsonl_handle: TextIO | None = None
    if fmt is OutputFormat.jsonl and output is not None:
        output.parent.mkdir(parents=True, exist_ok=True)
        jsonl_handle = output.open("w", encoding="utf-8")
    failed = 0

    def emit(batch: list[Document]) -> None:
        for doc, scores in zip(batch, estimator.predict_proba([d.lines for d in batch])):
            text = _render(fmt, doc.lines, scores, cut, doc.name if several else None)
            if fmt is OutputFormat.jsonl:
                (jsonl_handle or sys.stdout).write(text)
            elif output is not None:
                _write_atomic(output / doc.relative, text)
            else:
                sys.stdout.write(text)

    batch: list[Document] = []
    written: dict[Path, str] = {}
    try:
        for item in [*first, *documents]:
            if output is not None and fmt is not OutputFormat.jsonl and isinstance(item, Document):
                if item.relative in written:
                    item = InputError(
                        item.name,
                        f"its output {output / item.relative} would overwrite that of {written[item.relative]}; "
                        "clean inputs with the same name in separate runs or pass their common parent directory",
                    )
                else:
                    written[item.relative] = item.name
            if isinstance(item, InputError):
                warn(str(item))
                failed += 1
                continue
            batch.append(item)
            if len(batch) >= BATCH_DOCUMENTS:
                emit(batch)
                batch = []
        emit(batch)
    finally:
        if jsonl_handle is not None:
            jsonl_handle.close()
    sys.stdout.flush()
    if failed:
        warn(f"{failed} input(s) could not be read; the others were processed")
        raise typer.Exit(1)


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
    from cleaner.artifact import default_model_path
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
) -> None:
    """Cross-validate on labels/ (leave one site out), or score held-out --test directories.

    Prints content-class precision/recall/F1, line-level and character-weighted, overall and per
    site (or per document).
    """
    from cleaner.training.report import run_evaluation

    if by not in ("site", "document", "none"):
        fail(f"--by {by!r}: use site, document or none", 2)
    try:
        run_evaluation(labels, test or [], baselines, by, jobs, json_out, card, echo=typer.echo)
    except (ValueError, OSError) as exc:
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
