"""What the training commands share: where the labels are, the model file's name and its checks,
the options several commands take, and how a command ends when a signal stops it or a warning is
raised, so that every command finds, checks and says these the same way."""

from __future__ import annotations

import errno
import json
import signal
import warnings
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

import typer

from ...cli import fail, warn
from ...text import listed

if TYPE_CHECKING:
    from ...signals import Caught
    from ..labels import TooFewLabels


# A checkout's labels/, beside training/: found from anywhere when cleaner is installed from one.
# (Read as common.CHECKOUT_LABELS by every command, so that one setting of it holds for them all.)
CHECKOUT_LABELS = Path(__file__).resolve().parent.parent.parent / "labels"
MANIFEST = "manifest.csv"
# The shipped model's file name: the example messages give, and the name of the model cleaner train
# writes of the pages shipped inside cleaner (see default_model_file).
MODEL_FILE_NAME = "cleaner.npz"
MODEL_SUFFIX = Path(MODEL_FILE_NAME).suffix  # what every model file written is named with (see classifier.format)
# What --joblib's file is named with: joblib.dump's (compressed) format, read back by joblib.load only.
# Not .pkl, which says pickle.load: that fails on this file (and a .gz ending would ask joblib for gzip).
JOBLIB_SUFFIX = ".joblib"
SUFFIX_MEANS = {
    MODEL_SUFFIX: "a model is saved as one .npz file",
    JOBLIB_SUFFIX: "the estimator is exported as one .joblib file (read back with joblib.load, not pickle.load)",
}
# Grouped cross-validation folds (whole sites left out): 10 fits of a minute or two each, where
# leaving one site out of ~150 would take hours.
# The dumps suggest and label take, read as cleaner predict reads its inputs.
DUMPS_HELP = (
    "files, directories (their *.txt[.gz|.zst], *.jsonl[.gz|.zst], *.warc[.gz|.zst], *.wet[.gz|.zst], "
    "recursively), or - for standard input (or a pipe: <(curl -s URL)); as `cleaner predict` reads them."
)
FOLDS_HELP = "Cross-validation folds; whole sites are left out of each (scikit-learn's GroupKFold)."
LABELS_HELP = (
    "Directory of labelled dumps with manifest.csv. Default: ./labels, else the labels/ of cleaner's checkout, "
    "else the pages the shipped model learnt from (shipped with cleaner); which one is said on stderr when it is "
    "not ./labels."
)


def find_labels(labels: Path | None) -> Path:
    """``--labels``, else ``labels/`` in the working directory, else the checkout's, else the pages
    shipped inside the package (from a wheel, where there is no checkout); or a usage error that
    says what is needed (an install without them)."""
    from ..shipped import shipped_labels

    if labels is not None:
        return labels
    candidates = (Path("labels"), CHECKOUT_LABELS, shipped_labels())
    found = [candidate for candidate in candidates if candidate is not None and (candidate / MANIFEST).is_file()]
    if not found:
        fail(
            f"no labels/{MANIFEST} in the working directory, and no labelled pages shipped with cleaner: pass "
            "--labels DIR (labelled dumps and their manifest.csv, see cleaner labels --help), or reinstall cleaner",
            2,
        )
    return found[0]


def say_labels_found(named: Path | None, directory: Path, doing: str, yours: str) -> None:
    """Say on stderr which labels folder a command took (``directory``, found by :func:`find_labels`)
    when nobody ``named`` one and it is not ./labels: the checkout's, or the pages shipped with
    cleaner. `cleaner train` outside the checkout trained on the 378 shipped pages for 13 minutes
    saying only "cross-validating". ``doing``: what the command does with it ("training on");
    ``yours``: what --labels DIR does instead ("to train on yours")."""
    from ..shipped import checked

    if named is None and directory != Path("labels"):
        warn(f"{doing} {checked(directory)}: there is no ./labels here (--labels DIR {yours})")


def labels_to_label(labels: Path | None) -> Path:
    """The labels folder ``cleaner label`` saves into, and whose model ``cleaner suggest`` ranks
    with: ``--labels``, else ``labels/`` in the working directory, else the checkout's, else a new
    ``./labels`` (never the pages shipped inside the package: :func:`find_labels`' last resort, which
    are not the user's to add to)."""
    if labels is not None:
        return labels
    candidates = (Path("labels"), CHECKOUT_LABELS)
    return next((candidate for candidate in candidates if (candidate / MANIFEST).is_file()), Path("labels"))


def default_model_file(labels_dir: Path) -> Path:
    """The user's model of the labels folder ``labels_dir``: ``<labels_dir>.npz`` beside it, which
    ``cleaner train`` writes without -o and ``cleaner label``'s Retrain without --model-out, and
    which ``cleaner label`` and ``cleaner suggest`` start from. One rule for all: cleaner train wrote
    ./cleaner.npz, and the next cleaner label never took the model trained on its folder. Named after
    the folder, so that two label folders never share one model (Retrain wrote cleaner.npz beside
    each: one replaced the other's). The pages shipped inside an installed cleaner (a wheel's, which
    cleaner train falls back to) are not the user's to write beside: their model is cleaner.npz in
    the working directory, named as the model they trained."""
    from .. import shipped

    folder = labels_dir.resolve()
    if folder == shipped.PACKAGED_LABELS.resolve():
        return Path(MODEL_FILE_NAME)
    return folder.parent / f"{folder.name or 'labels'}{MODEL_SUFFIX}"


def check_writable(option: str, given: str, example: str, suffix: str | None = None) -> Path:
    """The output file ``given`` (as typed), or a usage error (exit 2) if it cannot be written,
    before the fit: found when the model was saved, it cost the fit (minutes on labels/) and ended
    in a traceback. A trailing / names a directory, as it does for predict's -o, so ``-o m.npz/``
    is refused like an existing directory is (it wrote a file m.npz). A temporary file is made and
    removed in the folder it would be written in, or in the nearest folder that exists when that
    one would be made; nothing is left.

    ``suffix``: the ending the name must have, in any case (one of :data:`SUFFIX_MEANS`: a model's
    ``.npz``, --joblib's ``.joblib``). ``-o model.txt`` wrote the model's zip archive under that very
    name (nothing added ``.npz``); it loaded, since a model is read by its content, but ``cleaner
    predict DIR`` and ``suggest DIR`` then read it among the dumps as a binary file and exited 1, and
    nothing said the format is ``.npz``; ``--joblib m.txt`` wrote compressed joblib bytes as a text
    file. Refused rather than renamed: a file written elsewhere than the name given is looked for
    where it is not."""
    import os

    path = Path(given)
    if given == "-" or (path.exists() and not path.is_dir() and not path.is_file()):
        # Standard output, /dev/null, a pipe: it suggested "-o -.npz" and "-o /dev/null.npz".
        what = "standard output" if given == "-" else "not a regular file (a device or a pipe)"
        fail(
            f"{option} {given}: {what}; a model is a file that is loaded again (written whole, then renamed into "
            f"place): give a file name such as {option} {example}",
            2,
        )
    if path.is_dir():
        fail(f"{option} {path}: is a directory; give a file name such as {path / example}", 2)
    _check_not_protected(option, path)
    if given.endswith(("/", os.sep)):
        named = path if suffix is None else _named_with(path, suffix)
        fail(
            f"{option} {given}: a trailing / names a directory, but {option} names one file; write {option} {named}, "
            f"or {option} {path / example} to write it in a directory {path}",
            2,
        )
    if suffix is not None and path.suffix.lower() != suffix:
        fail(
            f"{option} {given}: {SUFFIX_MEANS[suffix]}, and this name does not end in {suffix}; "
            f"give a name such as {option} {_named_with(path, suffix)}",
            2,
        )
    refusal = _cannot_write_in(_nearest_folder(path.parent), path.name)
    if refusal is not None:
        fail(f"{option} {path}: cannot write it ({refusal}); give a file in a folder you can write to", 2)
    return path


def check_writable_folder(option: str, folder: Path) -> None:
    """A usage error (exit 2) if files cannot be written in ``folder``, or it cannot be made: the
    labels folder of ``cleaner label``, checked before the model loads and the server starts. A
    read-only folder was found at the first save, after a page had been labelled, as a 500 and a
    traceback on the console. A folder that is not there yet is fine if it can be made (the first
    save makes it); nothing is made or left by the check."""
    nearest = _nearest_folder(folder)
    refusal = _cannot_write_in(nearest, MANIFEST)
    if refusal is not None:
        what = "cannot write in it" if nearest == folder else f"cannot make it in {nearest}"
        fail(f"{option} {folder}: {what} ({refusal}); give a folder you can write to", 2)


def _nearest_folder(folder: Path) -> Path:
    """``folder``, or its nearest parent that exists (where a file in it would be made)."""
    while not folder.exists() and folder != folder.parent:
        folder = folder.parent
    return folder


def _cannot_write_in(folder: Path, name: str) -> str | None:
    """Why no file can be made in the existing ``folder`` (the error's words), or None when a
    temporary file named after ``name`` can be, as a save makes one; it is removed at once."""
    import os

    from ...atomic import temporary_beside

    try:
        if not folder.is_dir():
            raise NotADirectoryError(errno.ENOTDIR, os.strerror(errno.ENOTDIR))
        fd, temporary = temporary_beside(folder / name)
    except OSError as exc:
        return exc.strerror or str(exc)
    os.close(fd)
    os.unlink(temporary)
    return None


def _check_not_protected(option: str, path: Path) -> None:
    """A usage error (exit 2) if ``path`` is a file the user may not write, before the fit: the save
    refuses it, as ``>`` does (see cleaner.atomic.replaced), where it replaced it with a 644 file."""
    from ...atomic import WriteProtected, replaced

    try:
        replaced(path)
    except WriteProtected:
        fail(
            f"{option} {path}: cannot write it (Permission denied: the file is write-protected); give another name, "
            "or make the file writable first",
            2,
        )
    except OSError:
        pass  # what cannot be reached is said by the check of its folder


def _named_with(path: Path, suffix: str) -> Path:
    """``path`` named with ``suffix``: its last suffix replaced, or dropped when the name ends in
    ``suffix`` without it (``m.joblib.gz`` -> ``m.joblib``, not ``m.joblib.joblib``)."""
    if path.suffix.lower() == suffix:
        return path
    return path.with_name(path.stem) if path.stem.lower().endswith(suffix) else path.with_suffix(suffix)


def too_few_labels(directory: Path, exc: TooFewLabels, cross_validate: bool) -> str:
    """What ``train`` and ``evaluate`` say of labels too few to fit or cross-validate: how many, what
    is needed (from ``exc``), and what to do."""
    what = "label more pages (cleaner label DUMPS; see cleaner labels --help)"
    if exc.cross_validation and cross_validate:
        what += ", or pass --no-cross-validate to train without scores"
    return f"{directory}: {exc}; {what}"


@contextmanager
def stopped_cleanly(kept: str | Callable[[], str]) -> Iterator[Caught]:
    """A fit that Ctrl-C, SIGTERM or SIGHUP stops (:func:`cleaner.signals.stopped_by_signals`) ends
    with its worker processes and one line: "interrupted (SIGTERM); ``kept``", exit 128 + the
    signal. SIGTERM ended the process at once, without a word, and its joblib workers ran on,
    orphaned; Ctrl-C, which reaches the whole process group, was the only stop that ended them.

    ``kept`` says what the stop leaves; a function is asked when the stop comes, for a command
    whose outputs are written inside the block (train: "no model written" stood above a model
    saved a moment before). Yields the signals caught: set its ``ended`` when the command's work
    is done, and a stop after the block is said so (see :func:`cleaner.signals.outside_run`)."""
    from ...signals import Interrupted, stopped_by_signals, unwrapped
    from ..workers import stop_workers

    with stopped_by_signals() as received:
        try:
            with unwrapped():
                yield received
        except (KeyboardInterrupt, Interrupted) as exc:
            signum = exc.signum if isinstance(exc, Interrupted) else signal.SIGINT
            stop_workers()
            # Said, since the run may have been long; Ctrl-C as it was said, the others by name.
            named = "" if signum == signal.SIGINT else f" ({signal.Signals(signum).name})"
            fail(f"interrupted{named}; {kept if isinstance(kept, str) else kept()}", 128 + signum)


@contextmanager
def warnings_as_lines() -> Iterator[None]:
    """Show warnings raised while a command runs (a fit on one site has no context stages) as the
    command's own one-line messages, not as Python prints them, with the source line that raised
    them; still shown, never hidden. Restored when the command ends."""
    with warnings.catch_warnings():
        warnings.showwarning = _warning_line
        yield


def _warning_line(
    message: Warning | str,
    category: type[Warning],
    filename: str,
    lineno: int,
    file: TextIO | None = None,
    line: str | None = None,
) -> None:
    warn(f"warning: {message}")


def jobs_option(runs: str) -> Any:
    """The ``--jobs`` option of a command that fits models: how many processes, and what they run."""
    return typer.Option("--jobs", "-j", min=1, help=f"Processes: {runs}.")


SET_HELP = "Override an estimator parameter, KEY=VALUE (repeatable), e.g. --set C=0.1."


def estimator_overrides(items: Sequence[str]) -> dict[str, Any]:
    """``--set KEY=VALUE`` items as parameters of the shipped configuration: each value as JSON where
    it parses (``0.1``, ``true``, ``[4, 4]``), else as a string. A ValueError names an item that is
    not KEY=VALUE, a key the estimator does not have, or a value its constraints refuse, before any
    fit starts."""
    from ..train import make_estimator

    params: dict[str, Any] = {}
    for item in items:
        key, sep, value = item.partition("=")
        if not sep or not key:
            raise ValueError(f"--set {item!r}: use KEY=VALUE, e.g. --set C=0.1")
        try:
            params[key] = json.loads(value)
        except json.JSONDecodeError:
            params[key] = value
    estimator = make_estimator()
    known = estimator.get_params()
    unknown = [key for key in params if key not in known]
    if unknown:
        raise ValueError(f"--set {listed(unknown)}: no such estimator parameter; it has {listed(sorted(known), 30)}")
    try:  # the estimator's own constraints, checked now rather than by the fit, minutes (or a traceback) later
        estimator.set_params(**params)._validate_params()
    except ValueError as exc:
        raise ValueError(f"--set: {exc}") from None
    return params


class DetailRows(str, Enum):
    """``--by``'s values (evaluate, labels score): the detail rows a report has besides language
    and kind. An enum, so that --help lists them (a plain string wrote ``<str>``) and Typer refuses
    any other (exit 2)."""

    site = "site"
    document = "document"
    none = "none"


def detail_rows(by: DetailRows | str) -> str:
    """``--by`` as the plain string the reports take (a usage error for one not listed, when a
    command function is called directly rather than through Typer)."""
    if by not in {rows.value for rows in DetailRows}:
        fail(f"--by {by!r}: use site, document or none", 2)
    return DetailRows(by).value
