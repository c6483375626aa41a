"""Cleaning many documents at once, for programs that hold their documents in memory: the public
batch API that the cluster integrations (datatrove, Ray Data, Spark) are built on.

``clean_batch(texts)`` gives, per text, what ``cleaner predict`` writes into a JSONL record: the
cleaned text (a line break at its end only if the text had one) and its counts. The corpus
worker renders its records with :func:`cleaned` too, and tells a dump too short to clean line by
line with :func:`short_dump_longest` (``--short-dumps``), so the two cannot disagree.

Three things every caller would otherwise get wrong are built in:

- **One model call per batch**: documents are predicted together (faster, same scores).
- **One BLAS thread**: cluster engines run one process per core; BLAS threads on top only spin on
  the model's small products (with OpenBLAS's default, one process took 60% more CPU time).
- **A page on one line is never handled in silence**: a text too short to clean line by line is
  kept whole or dropped whole (``short_dumps``), its result says ``short_dump``, and the call
  issues a :class:`ShortDumpWarning` naming such texts, as ``cleaner predict`` notes each on stderr.
  The integrations, which count or log them per record, call :func:`clean_texts` instead.
- **The model is loaded once per process**: ``model`` may be a loaded model, or the path or
  fsspec URL of a model file (None: ``$CLEANER_MODEL``, else the model shipped with cleaner). A
  path is loaded at its first use in a process and kept (reloaded if the file changes), so a
  worker that cleans a thousand batches loads it once; a URL is fetched once per machine
  (:mod:`.remote`). So callers can pass a short string to their workers instead of the arrays.
"""

from __future__ import annotations

import math
import os
import threading
import warnings
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from numbers import Real
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol, Union

from ..text import join_nonblank_kept, listed, nth, plural, split_lines

if TYPE_CHECKING:  # numpy comes with the model, which imports it where it predicts
    import numpy as np

ModelSource = Union[str, "os.PathLike[str]", None]
# The counts of a cleaned document, as named in JSONL records and in the integrations' metadata.
COUNTS = ("lines_total", "lines_kept", "chars_kept", "mean_score")
# A dump with fewer non-blank lines than SHORT_LINES, one of them LONG_LINE characters or longer,
# holds its page in a line or two: deleting lines could only keep all of it or none, and the
# model's verdict on such a line says nothing of the page (it learnt lines, not pages). Such a
# dump is kept whole or dropped whole as ``short_dumps`` says ("keep" by default: a page is never
# emptied for its layout), the same in ``cleaner predict --short-dumps``, clean_batch,
# Predictor.clean and the cluster integrations.
SHORT_LINES = 3
LONG_LINE = 1000
SHORT_DUMPS = ("keep", "drop")


class ShortDumpWarning(UserWarning):
    """A text was too short to clean line by line (a page on one line, see :data:`SHORT_LINES`):
    kept whole or dropped whole as ``short_dumps`` said, whatever the model's scores. Issued once per
    call of :func:`clean_batch` or :meth:`~cleaner.classifier.predictor.Predictor.clean`, naming the
    texts, since issue 14's rule is that such a page is never kept or emptied in silence; filter it
    as any warning (``warnings.filterwarnings("ignore", category=ShortDumpWarning)``) when the
    results' ``short_dump`` is read instead."""


class Scorer(Protocol):
    """What cleaning asks of a model: :class:`~cleaner.classifier.predictor.Predictor` is one."""

    @property
    def threshold(self) -> float: ...

    def predict_proba_nonblank(self, documents: list[list[str]]) -> list[np.ndarray]: ...


@dataclass(frozen=True, slots=True)
class Cleaned:
    """One cleaned document and the counts ``cleaner predict`` adds to its JSONL record.

    ``lines_total`` and ``lines_kept`` count non-blank lines (blank ones carry no decision),
    ``chars_kept`` is ``len(text)``, ``mean_score`` the mean P(content) of the non-blank lines,
    rounded to 4 places as in the records (None for a document without a non-blank line).
    ``short_dump`` is True for a text too short to clean line by line (a page on one line, see
    :data:`SHORT_LINES`): it was kept whole or dropped whole as ``short_dumps`` said, whatever the
    model's scores, as ``cleaner predict`` notes such a dump on stderr.
    """

    text: str
    lines_total: int
    lines_kept: int
    chars_kept: int
    mean_score: float | None
    short_dump: bool = False


def cleaned(
    text: str, lines: Sequence[str], scores: np.ndarray, keep: Sequence[bool], short_dump: bool = False
) -> Cleaned:
    """The cleaned document, given its lines (``split_lines(text)``), their P(content) and the
    keep-or-drop decision of each non-blank line (``short_dump``: that decision was the short-dump
    rule's, see :func:`decisions`).

    A text without a final line break (as JSONL records usually hold it) is given back without one.
    """
    result = join_nonblank_kept(lines, keep)
    if result and not text.endswith(("\n", "\r")):
        result = result[:-1]
    mean = round(float(scores.mean()), 4) if len(scores) else None
    return Cleaned(result, len(scores), sum(keep), len(result), mean, short_dump)


def short_dump_longest(lines: Sequence[str], nonblank: int) -> int | None:
    """The length of the longest line (stripped) of a dump too short to clean line by line, one of
    fewer than :data:`SHORT_LINES` non-blank lines (``nonblank``) with one of :data:`LONG_LINE`
    characters or more; None for a dump cleaned line by line."""
    if not nonblank or nonblank >= SHORT_LINES:
        return None
    longest = max(len(line.strip()) for line in lines)
    return longest if longest >= LONG_LINE else None


def decisions(
    lines: Sequence[str], scores: np.ndarray, cut: float, short_dumps: str = "keep"
) -> tuple[list[bool], bool]:
    """Keep-or-drop of each non-blank line (P(content) at or above ``cut``), and whether the dump
    was too short to clean line by line, in which case every line is kept or every line dropped
    as ``short_dumps`` says. One rule for clean_batch, Predictor.clean and the integrations."""
    if short_dump_longest(lines, len(scores)) is not None:
        return [short_dumps == "keep"] * len(scores), True
    return (scores >= cut).tolist(), False


def warn_short_dumps(short: Sequence[int], total: int | None, short_dumps: str, stacklevel: int = 3) -> None:
    """A :class:`ShortDumpWarning` naming the texts at ``short`` (indexes into the caller's
    ``total`` texts; None: the caller gave one text, Predictor.clean), if any. ``stacklevel``: the
    caller's caller, whose line the warning shows."""
    if not short:
        return
    keep = short_dumps == "keep"
    one = len(short) == 1
    if total is None:
        which, are, them = "the text", "is", "it"
    else:
        indexes = listed([str(index) for index in short], 10)
        which = f"{len(short)} of {plural(total, 'text')} ({'index' if one else 'indexes'} {indexes})"
        are, them = ("is", "it") if one else ("are", "them")
    done = "kept whole" if keep else "dropped (cleaned to '')"
    other = f"short_dumps={'drop' if keep else 'keep'!r} {'drops' if keep else 'keeps'} {them}"
    if total is not None:
        other += f"; {'its result says' if one else 'their results say'} short_dump=True"
    warnings.warn(
        f"{which} {are} too short to clean line by line (fewer than {SHORT_LINES} non-blank lines, one of "
        f"{LONG_LINE} characters or more: a page on one line): {done}, whatever the model's scores ({other})",
        ShortDumpWarning,
        stacklevel=stacklevel,
    )


def short_dumps_value(short_dumps: object) -> str:
    """``short_dumps`` checked: "keep" or "drop" (a typo would otherwise drop silently or keep)."""
    if not isinstance(short_dumps, str) or short_dumps not in SHORT_DUMPS:
        raise ValueError(
            "short_dumps: expected 'keep' (a page on one line, too few lines to clean line by line, is kept whole) "
            f"or 'drop' (it is dropped whole); got {short_dumps!r}"
        )
    return short_dumps


def clean_batch(
    texts: Iterable[str],
    model: Scorer | ModelSource = None,
    threshold: float | None = None,
    short_dumps: str = "keep",
) -> list[Cleaned]:
    """Each text with its boilerplate lines deleted, and its counts, in one model call.

    ``texts``: a list, or any iterable of str (a generator, a pandas Series), read once. One str
    is refused: iterated, it would be cleaned character by character.
    ``model``: a loaded model (:func:`cleaner.load_model`), or the path or fsspec URL of a model
    file, loaded once per process (None: ``$CLEANER_MODEL``, else the model shipped with cleaner).
    ``threshold``: keep lines with P(content) at or above it (default: the model's own).
    ``short_dumps``: a text with too few lines to clean line by line (a page on one line, see
    :data:`SHORT_LINES`) is kept whole ("keep") or dropped whole ("drop"), as ``cleaner predict
    --short-dumps`` does; its result says ``short_dump=True``, and a :class:`ShortDumpWarning`
    names such texts by their index.
    """
    results = clean_texts(texts, model, threshold, short_dumps)
    warn_short_dumps([index for index, result in enumerate(results) if result.short_dump], len(results), short_dumps)
    return results


def clean_texts(
    texts: Iterable[str],
    model: Scorer | ModelSource = None,
    threshold: float | None = None,
    short_dumps: str = "keep",
) -> list[Cleaned]:
    """:func:`clean_batch` without its :class:`ShortDumpWarning`: for the integrations, which
    report a page on one line their own way (a stat, a drop reason, a log line naming its id), so
    that their users are not told twice."""
    short_dumps = short_dumps_value(short_dumps)
    if isinstance(texts, (str, bytes, bytearray)) or not isinstance(texts, Iterable):
        raise TypeError(
            f"clean_batch: expected a list of texts (str), or any iterable of them; got {type(texts).__name__}"
        )
    if isinstance(texts, Mapping):  # iterated, it gives its keys: those were cleaned, the texts never read
        raise TypeError(
            f"clean_batch: expected a list of texts (str), not a {type(texts).__name__}, whose keys it would clean; "
            "pass its .values()"
        )
    texts = list(texts)  # a generator is read once: the texts are needed again for the results
    for index, text in enumerate(texts):
        if not isinstance(text, str):
            hint = " (decode bytes first)" if isinstance(text, (bytes, bytearray)) else ""
            raise TypeError(f"clean_batch: {nth(index, len(texts), 'text')} is {type(text).__name__}, not str{hint}")
    scorer = shared_model(model)
    cut = threshold_value(threshold) if threshold is not None else model_threshold(scorer)
    documents = [split_lines(text) for text in texts]
    if not documents:
        return []
    with _one_blas_thread():
        scores = scorer.predict_proba_nonblank(documents)
    return [
        cleaned(text, lines, values, *decisions(lines, values, cut, short_dumps))
        for text, lines, values in zip(texts, documents, scores)
    ]


def not_text(value: object) -> str:
    """What a record held instead of its text, for the integrations' messages (pandas reads a null as NaN)."""
    if value is None:
        return "null"
    if isinstance(value, float) and math.isnan(value):
        return "NaN, pandas' null"
    hint = ", decode it first" if isinstance(value, (bytes, bytearray)) else ""
    return f"{type(value).__name__}, not str{hint}"


def threshold_value(threshold: object, whose: str = "") -> float:
    """A threshold from 0 to 1, or a ValueError that says so (NaN, compared, is neither below 0 nor
    above 1: it is refused as not ``0 <= t <= 1``); ``whose``: where the value came from, if not
    from the ``threshold`` argument."""
    # Real, not (int, float): a numpy float32 (an array's element) is a number too.
    if isinstance(threshold, bool) or not isinstance(threshold, Real) or not 0.0 <= float(threshold) <= 1.0:
        raise ValueError(f"threshold: expected a number from 0 to 1{whose}, got {threshold!r}")
    return float(threshold)


def model_threshold(model: Scorer) -> float:
    """The model's own threshold, checked where it is used, as scikit-learn checks parameters (not
    when set): ``model.threshold = 5`` was taken, and cleaning then dropped every line without a
    word (NaN too; -1 kept every line)."""
    return threshold_value(model.threshold, " (the model's own, model.threshold)")


_LOCK = threading.Lock()
_MODELS: dict[str, tuple[tuple[int, int], Any]] = {}
_COPIES: dict[str, Path] = {}
_CONTROLLER: list[Any] = []


def shared_model(model: Scorer | ModelSource = None) -> Scorer:
    """``model`` itself if it is loaded, else the model file it names, loaded once per process.

    A file is known by its path, size and modification time, so a model retrained in place is
    loaded again (replacing the one kept for that path). A URL's local copy is found (or fetched)
    once per process, and again once it is gone (a copy that cannot be loaded is deleted).
    """
    if hasattr(model, "threshold") and hasattr(model, "predict_proba_nonblank"):
        return model  # type: ignore[return-value]
    from .format import MODEL_ENV, default_model_name, load_model
    from .remote import is_url, model_copy

    name = model_name(model, loaded=True)
    if name is None:
        name = default_model_name()
    if is_url(name):
        with _LOCK:  # asked once per process: a URL is not looked up again at every batch
            path = _COPIES.get(name)
            if path is None or not path.is_file():  # or its copy was deleted, as one that cannot be loaded is
                path = _COPIES[name] = model_copy(name, name == os.environ.get(MODEL_ENV))
    else:
        path = Path(name)
    try:
        stat = path.stat()
    except OSError:
        return load_model(path)  # raises ModelError, which says what is wrong
    key, version = str(path.resolve()), (stat.st_size, stat.st_mtime_ns)
    with _LOCK:
        found = _MODELS.get(key)
        if found is None or found[0] != version:
            found = _MODELS[key] = (version, load_model(path))
    return found[1]


def model_name(model: object, loaded: bool = False) -> str | None:
    """The path or URL ``model`` names, as a str (None for None), or a TypeError that says what a
    model may be: an int or a list failed deep inside, with os.fspath's own message or "'int' object
    has no attribute 'threshold'". ``loaded``: the caller also takes a loaded model (the cluster
    steps do not: they send their workers a model's name, never its arrays).
    """
    if model is None or isinstance(model, (str, os.PathLike)):
        return None if model is None else os.fspath(model)
    accepted = "a loaded model (load_model()), a model file's path or URL" if loaded else "a model file's path or URL"
    raise TypeError(f"model: expected {accepted}, or None for the shipped model; got {type(model).__name__}")


def _one_blas_thread() -> Any:
    """A context in which BLAS and OpenMP use one thread. The libraries are looked up once per
    process: threadpoolctl's ``threadpool_limits`` scans them at every call (0.5 ms against 0.02)."""
    if not _CONTROLLER:
        from threadpoolctl import ThreadpoolController

        _CONTROLLER.append(ThreadpoolController())
    return _CONTROLLER[0].limit(limits=1)
