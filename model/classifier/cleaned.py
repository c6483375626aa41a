"""Cleaning many documents at once, for programs that hold their documents in memory: the public
batch API that the cluster integrations (datatrove, Ray Data, Spark) are built on.

``clean_batch(texts)`` gives, per text, what ``cleaner predict`` writes into a JSONL record: the
cleaned text (a line break at its end only if the text had one) and its counts. The corpus
worker renders its records with :func:`cleaned` too, and tells a dump too short to clean line by
line with :func:`~.short_dumps.short_dump_longest` (``--short-dumps``), so the two cannot disagree.

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
  worker that cleans a thousand batches loads it once (:mod:`.loading`); a URL is fetched once per
  machine (:mod:`.remote`). So callers can pass a short string to their workers instead of the arrays.
"""

from __future__ import annotations

import math
import sys
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

from ..text import join_nonblank_kept, nth, split_lines
from .loading import ModelSource, shared_model
from .short_dumps import LONG_LINE as LONG_LINE  # the short-dump rule's names, imported from here before
from .short_dumps import SHORT_DUMPS as SHORT_DUMPS
from .short_dumps import SHORT_LINES as SHORT_LINES
from .short_dumps import ShortDumpWarning as ShortDumpWarning
from .short_dumps import decisions, short_dumps_value, warn_short_dumps
from .short_dumps import short_dump_longest as short_dump_longest
from .thresholds import model_threshold, threshold_value

if TYPE_CHECKING:  # numpy comes with the model, which imports it where it predicts
    import numpy as np

# The counts of a cleaned document, as named in JSONL records and in the integrations' metadata.
COUNTS = ("lines_total", "lines_kept", "chars_kept", "mean_score")


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


def clean_batch(
    texts: Iterable[str],
    model: Scorer | ModelSource = None,
    threshold: float | None = None,
    short_dumps: str = "keep",
    *,
    ids: Iterable[object] | None = None,
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
    ``ids``: the texts' ids, in order (a record's id column), to name a text that is no str (a
    null) by its id in the TypeError as well as by its position.
    """
    results = clean_texts(texts, model, threshold, short_dumps, ids=ids)
    warn_short_dumps([index for index, result in enumerate(results) if result.short_dump], len(results), short_dumps)
    return results


def clean_texts(
    texts: Iterable[str],
    model: Scorer | ModelSource = None,
    threshold: float | None = None,
    short_dumps: str = "keep",
    *,
    ids: Iterable[object] | None = None,
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
    ids = list(ids) if ids is not None else None
    for index, text in enumerate(texts):
        if not isinstance(text, str):
            raise TypeError(f"clean_batch: {_named(index, len(texts), ids)} is {_held(text)}")
    scorer = shared_model(model, named_by="clean_batch(model=...)")  # its user's argument, not --model
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


def is_null(value: object) -> bool:
    """Whether a record's cell is a null as an engine's batch holds one: None (a dict of lists, a
    pyarrow Table), NaN once a numpy or pandas column made it a number (Ray reads a record that
    lacks the field so: its id was named "id nan"), or pandas' NA (Ray's pandas batches of
    ``from_items``). pandas is not imported to ask: without it, no value is its NA."""
    if value is None:
        return True
    if isinstance(value, float):
        return math.isnan(value)
    pandas = sys.modules.get("pandas")
    return pandas is not None and value is getattr(pandas, "NA", None)


def not_text(value: object) -> str:
    """What a record held instead of its text, for messages: a null reads as None, or as NaN once an
    engine's columns (pandas, numpy) made it a number; "is float" named neither."""
    if value is None:
        return "null"
    if isinstance(value, float) and math.isnan(value):
        return "NaN, a null in a column of numbers"
    if is_null(value):
        return "NA, pandas' null"
    hint = ", decode it first" if isinstance(value, (bytes, bytearray)) else ""
    return f"{type(value).__name__}, not str{hint}"


def _named(index: int, total: int, ids: Sequence[object] | None) -> str:
    """The text at ``index`` named for an error: by position, and by its id if the caller gave ids
    and it has one (a null id, NaN in a pandas column, was named "id nan")."""
    name = nth(index, total, "text")
    if ids is not None and index < len(ids) and not is_null(ids[index]):
        name = f"{name[:-1]}, id {ids[index]!r})"
    return name


def _held(value: object) -> str:
    """What a text that is no str held, for clean_batch's TypeError, and what to do with a null
    ("is float" named neither the null nor a way on)."""
    if is_null(value):
        if value is None:
            null = "None (a null)"
        elif isinstance(value, float):
            null = "NaN (a null, as a column of numbers holds one)"
        else:
            null = "NA (pandas' null)"
        return f"{null}: leave out the records without a text (as CleanBatch does), or give ''"
    hint = " (decode bytes first)" if isinstance(value, (bytes, bytearray)) else ""
    return f"{type(value).__name__}, not str{hint}"


_CONTROLLER: list[Any] = []


def _one_blas_thread() -> Any:
    """A context in which BLAS and OpenMP use one thread. The libraries are looked up once per
    process: threadpoolctl's ``threadpool_limits`` scans them at every call (0.5 ms against 0.02)."""
    if not _CONTROLLER:
        from threadpoolctl import ThreadpoolController

        _CONTROLLER.append(ThreadpoolController())
    return _CONTROLLER[0].limit(limits=1)
