"""cleaner over batches of records: :class:`CleanBatch`, a callable class for Ray Data's
``Dataset.map_batches``, and for any engine that hands over pandas DataFrames (Spark's
``mapInPandas``, NeMo Curator's stages: the README's recipes). Named for what it takes, not for one
engine: the Spark and NeMo recipes imported it from a module named ``ray``, though it needs no Ray.

Why a class: Ray Data makes one instance per actor of an actor pool, so the model is loaded once
per actor, in ``__init__``, and every batch that actor gets is cleaned in one model call. What Ray
sends the actors is the class and its constructor's arguments: the model's local path or fsspec URL
(fetched once per node, :mod:`cleaner.classifier.remote`), never the model's arrays.

    ds.map_batches(CleanBatch, fn_constructor_kwargs={"model": "s3://bucket/cleaner.npz"},
                   compute=ActorPoolStrategy(size=8), num_cpus=1, batch_size=256)

A batch is any of Ray's batch formats: a dict of numpy arrays (the default, "numpy"), a pandas
DataFrame ("pandas") or a pyarrow Table ("pyarrow"), and comes back as the same kind; the text
column is cleaned in place and ``lines_total``, ``lines_kept``, ``chars_kept`` and ``mean_score`` are
added, as ``cleaner predict`` adds them to a JSONL record. Ray itself is not imported here: the
class is plain Python that Ray calls.

A page with too few lines to clean line by line (a page on one line) is kept whole, or emptied with
``short_dumps="drop"``, as ``cleaner predict --short-dumps`` does. A record whose text is null (or
no str) is left out of the batch, as ``cleaner predict`` reports and skips it and datatrove's
reader skips it: one such record failed the whole job ("text 5 is float": pandas' NaN for null).
It is not passed through: with no text it has no cleaned text nor counts, and the next stage (the
README's filter on ``chars_kept``) would fail on it instead. Either is said, as ``cleaner predict``
says it on stderr, on the logger ``cleaner.integrations.batches`` (which Ray forwards to the driver),
each record by its id (``id_column``), else by its row in its batch (as given): a record without an
id too, which Ray gives as NaN or pandas' NA, not as "id nan". A warning per batch was
thousands of warnings on a large dataset, so an actor warns at its 1st, 2nd, 4th, 8th... batch with
such records (each kind counted apart), naming that batch's first records and counting those of the
batches between; every record is named at DEBUG level, so that none is lost. (A count over the
whole dataset would need an actor of its own that every actor reports to: each actor counts its own.)
"""

from __future__ import annotations

import logging
import os
import sys
from collections.abc import Sequence
from typing import Any

from ..classifier.cleaned import COUNTS, Cleaned, Scorer, clean_texts, is_null, not_text, short_dumps_value
from ..classifier.format import MODEL_ENV
from ..classifier.loading import model_name
from ..classifier.remote import is_url, local_copy
from ..classifier.thresholds import threshold_value
from ..text import listed, nth, plural
from .common import step_model

LOG = logging.getLogger(__name__)
# The records a warning names; the others of its batch are counted, and named at DEBUG level.
SHOWN = 10
LEFT_OUT, SHORT = "left out", "short"


class MissingColumn(KeyError):
    """A batch without the column the stage reads: a KeyError, as pandas raises for a missing
    column, whose message reads as written (a KeyError shows its message's repr)."""

    def __str__(self) -> str:
        return str(self.args[0])


class CleanBatch:
    """Cleans the ``text_column`` of each batch with one model, loaded when the actor starts.

    Args:
        model: the model file: a local path or an fsspec URL (None: ``$CLEANER_MODEL`` in the
            actor's environment, else the model shipped with cleaner).
        threshold: keep lines with P(content) at or above it (default: the model's own).
        text_column: the column with the page text.
        short_dumps: a page with too few lines to clean line by line (a page on one line: fewer than
            3 non-blank lines, one of 1000 characters or more) is kept whole ("keep") or emptied
            ("drop"), as ``cleaner predict --short-dumps``; either way a warning names it.
        id_column: the column that names a record in warnings (a record with a null text, a page
            on one line); a batch without it names its rows by position, and so is a record whose id
            is null (None, or NaN or pandas' NA, as Ray gives a record that lacks the field).

    Warnings are bounded: an actor warns at its 1st, 2nd, 4th, 8th... batch with records left out
    (or with pages on one line), and says how many there were so far; set the logger
    ``cleaner.integrations.batches`` to DEBUG in the workers to have every such record named.
    """

    def __init__(
        self,
        model: str | os.PathLike[str] | None = None,
        threshold: float | None = None,
        text_column: str = "text",
        short_dumps: str = "keep",
        id_column: str | None = "id",
    ) -> None:
        # Checked here, where the pipeline is written: the first batch is cleaned in an actor, far from it.
        self.threshold = threshold_value(threshold) if threshold is not None else None
        self.short_dumps = short_dumps_value(short_dumps)
        source = model_name(model) if model is not None else os.environ.get(MODEL_ENV) or None
        if source is not None and is_url(source):
            source = str(local_copy(source))
        self.model: Scorer = step_model("CleanBatch", source)
        self.text_column = text_column
        self.id_column = id_column
        # Of each kind of record reported (LEFT_OUT, SHORT): the batches that had some, and the records.
        self._reported = {LEFT_OUT: [0, 0], SHORT: [0, 0]}

    def __call__(self, batch: Any) -> Any:
        """The batch (a dict of numpy arrays, a pandas DataFrame or a pyarrow Table) with its text
        cleaned and counts added, as the same kind, less its records without a text (each named in
        a warning)."""
        # A Table can only come from pyarrow once it is imported: nothing is imported to ask.
        pyarrow = sys.modules.get("pyarrow")
        table = pyarrow is not None and isinstance(batch, pyarrow.Table)
        texts = column_values(batch, self.text_column)
        if texts is None:
            raise MissingColumn(
                f"CleanBatch: the batch has no column {self.text_column!r} (text_column) to clean; "
                f"its columns: {', '.join(map(repr, column_names(batch)))}"
            )
        given, total = batch, len(texts)  # as given: its records are named by their rows in it
        missing = [row for row, text in enumerate(texts) if not isinstance(text, str)]
        kept = list(range(total))
        if missing:
            self._warn_left_out(batch, texts, missing)
            kept = sorted(set(kept) - set(missing))
            batch, texts = take_rows(batch, kept, table), [texts[row] for row in kept]
        results = self._clean(texts, given, kept, total)
        return self._table(batch, results, pyarrow) if table else self._columns(batch, results)

    def _columns(self, batch: Any, results: list[Cleaned]) -> Any:
        """A dict of arrays or lists, or a DataFrame, with the cleaned text and the counts."""
        import numpy as np

        frame = not isinstance(batch, dict)  # a pandas DataFrame: columns are set as lists
        out = batch.copy() if frame else dict(batch)
        cleaned = [result.text for result in results]
        out[self.text_column] = cleaned if frame else np.array(cleaned, dtype=object)
        for name in COUNTS:
            values = [getattr(result, name) for result in results]
            out[name] = values if frame else np.array(values, dtype=object if name == "mean_score" else np.int64)
        return out

    def _table(self, table: Any, results: list[Cleaned], pyarrow: Any) -> Any:
        """A pyarrow Table cleaned: a new Table (Tables are immutable), its text column of the same
        string type, the counts as int64 columns and mean_score as float64 (null for no lines)."""
        kind = table.column(self.text_column).type
        columns = {self.text_column: pyarrow.array([result.text for result in results], kind)}
        for name in COUNTS:
            kind = pyarrow.float64() if name == "mean_score" else pyarrow.int64()
            columns[name] = pyarrow.array([getattr(result, name) for result in results], kind)
        for name, values in columns.items():
            at = table.schema.get_field_index(name)
            table = table.set_column(at, name, values) if at >= 0 else table.append_column(name, values)
        return table

    def _clean(self, texts: Sequence[str], given: Any, rows: list[int], total: int) -> list[Cleaned]:
        """:func:`~cleaner.classifier.cleaned.clean_texts` of the texts (clean_batch without its
        warning), and the pages too short to clean line by line reported (:meth:`_report`), as
        ``cleaner predict`` notes each on stderr: a page kept whole or emptied is never silent.
        ``rows``: each text's row in the batch as ``given`` (of ``total`` rows), which names it: a
        row of the batch less its records left out named another record."""
        results = clean_texts(texts, self.model, self.threshold, self.short_dumps)
        short = [rows[at] for at, result in enumerate(results) if result.short_dump]
        if short:
            keep = self.short_dumps == "keep"
            self._report(
                SHORT,
                f"{plural(len(short), 'page')} with too few lines to clean line by line (a page on one line), "
                f"{'kept whole' if keep else 'emptied'} (CleanBatch(short_dumps={'drop' if keep else 'keep'!r}) "
                f"{'empties' if keep else 'keeps'} such pages)",
                self._names(given, short, total),
            )
        return results

    def _warn_left_out(self, batch: Any, texts: list[Any], rows: list[int]) -> None:
        """Report the records left out for want of a text, with what their text cell held."""
        names = self._names(batch, rows, len(texts))
        self._report(
            LEFT_OUT,
            f"{plural(len(rows), 'record')} of {len(texts)} in a batch left out, with no text in column "
            f"{self.text_column!r} (cleaner predict reports and skips such records too)",
            [f"{name} ({not_text(texts[row])})" for name, row in zip(names, rows)],
        )

    def _report(self, kind: str, what: str, names: list[str]) -> None:
        """Say ``what`` happened to the records ``names`` of a batch: a warning at this actor's 1st,
        2nd, 4th, 8th... batch with records of this ``kind``, naming the first :data:`SHOWN` and
        counting those reported so far; at DEBUG level, every record the warnings did not name. So
        an actor that meets such records in every batch warns some 14 times in 10,000 batches, not
        10,000 times, and no record goes unnamed."""
        tally = self._reported[kind]
        tally[0] += 1
        tally[1] += len(names)
        batches, records = tally
        warned = batches & (batches - 1) == 0  # a power of two
        if warned:
            if batches == 1:
                since = (
                    "; this CleanBatch warns again at its 2nd, 4th, 8th... such batch; every record is named at DEBUG "
                    f"level (logger {LOG.name})"
                )
            else:
                since = (
                    f"; {plural(records, 'such record')} in {batches} batches of this CleanBatch so far "
                    "(each named at DEBUG level)"
                )
            LOG.warning("cleaner: %s: %s%s", what, listed(names, SHOWN), since)
        if not warned or len(names) > SHOWN:
            LOG.debug("cleaner: %s: %s", what, ", ".join(names))

    def _names(self, batch: Any, rows: list[int], total: int) -> list[str]:
        """The records at ``rows`` named for a message: by their id, else by their row in the batch:
        in a batch without the id column, and for a record without an id (a null, which Ray gives
        a record that lacks the field as NaN or pandas' NA: it was named "id nan")."""
        ids = column_values(batch, self.id_column) if self.id_column is not None else None
        return [
            f"{nth(row, total, 'row')} of its batch"
            if ids is None or is_null(ids[row])
            else f"{self.id_column} {ids[row]!r}"
            for row in rows
        ]


def column_names(batch: Any) -> list[str]:
    """The column names of a batch: a dict's keys, a DataFrame's columns, a Table's names."""
    if isinstance(batch, dict):
        return list(batch)
    return list(batch.column_names if hasattr(batch, "column_names") else batch.columns)


def column_values(batch: Any, name: str) -> list[Any] | None:
    """The values of a batch's column as a list of Python values (numpy's and pyarrow's scalars
    converted), or None if the batch has no such column."""
    if name not in column_names(batch):
        return None
    column = batch.column(name) if hasattr(batch, "column_names") and not isinstance(batch, dict) else batch[name]
    if hasattr(column, "to_pylist"):  # pyarrow
        return list(column.to_pylist())
    return list(column.tolist() if hasattr(column, "tolist") else column)  # numpy, pandas; else a list or tuple


def take_rows(batch: Any, rows: list[int], table: bool) -> Any:
    """The batch with only ``rows``, as the same kind (a DataFrame renumbered from 0)."""
    import numpy as np

    if table:
        return batch.take(rows)
    if isinstance(batch, dict):
        at = np.asarray(rows, dtype=np.intp)
        return {
            name: values[at] if isinstance(values, np.ndarray) else [values[row] for row in rows]
            for name, values in batch.items()
        }
    return batch.iloc[rows].reset_index(drop=True)
