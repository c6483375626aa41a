"""cleaner as a Ray Data stage: :class:`CleanBatch`, a callable class for ``Dataset.map_batches``.

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
``short_dumps="drop"``, as ``cleaner predict --short-dumps`` does; like its note on stderr, a
warning (logger ``cleaner.integrations.ray``, which Ray forwards to the driver) names such pages.
"""

from __future__ import annotations

import logging
import os
import sys
from collections.abc import Sequence
from typing import Any

from ..classifier.cleaned import (
    COUNTS,
    Cleaned,
    Scorer,
    clean_batch,
    model_name,
    shared_model,
    short_dumps_value,
    threshold_value,
)
from ..classifier.format import MODEL_ENV
from ..classifier.remote import is_url, local_copy
from ..text import listed, plural

LOG = logging.getLogger(__name__)


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
    """

    def __init__(
        self,
        model: str | os.PathLike[str] | None = None,
        threshold: float | None = None,
        text_column: str = "text",
        short_dumps: str = "keep",
    ) -> None:
        # Checked here, where the pipeline is written: the first batch is cleaned in an actor, far from it.
        self.threshold = threshold_value(threshold) if threshold is not None else None
        self.short_dumps = short_dumps_value(short_dumps)
        source = model_name(model) if model is not None else os.environ.get(MODEL_ENV) or None
        if source is not None and is_url(source):
            source = str(local_copy(source))
        self.model: Scorer = shared_model(source)
        self.text_column = text_column

    def __call__(self, batch: Any) -> Any:
        """The batch (a dict of numpy arrays, a pandas DataFrame or a pyarrow Table) with its text
        cleaned and counts added, as the same kind."""
        import numpy as np

        # A Table can only come from pyarrow once it is imported: nothing is imported to ask.
        pyarrow = sys.modules.get("pyarrow")
        if pyarrow is not None and isinstance(batch, pyarrow.Table):
            return self._table(batch, pyarrow)
        results = self._clean(batch[self.text_column], batch)  # an array, a Series or a list
        frame = not isinstance(batch, dict)  # a pandas DataFrame: columns are set as lists
        out = batch.copy() if frame else dict(batch)
        cleaned = [result.text for result in results]
        out[self.text_column] = cleaned if frame else np.array(cleaned, dtype=object)
        for name in COUNTS:
            values = [getattr(result, name) for result in results]
            out[name] = values if frame else np.array(values, dtype=object if name == "mean_score" else np.int64)
        return out

    def _table(self, table: Any, pyarrow: Any) -> Any:
        """A pyarrow Table cleaned: a new Table (Tables are immutable), its text column of the same
        string type, the counts as int64 columns and mean_score as float64 (null for no lines)."""
        column = table.column(self.text_column)
        results = self._clean(column.to_pylist(), table)  # its cells as str, not scalars
        columns = {self.text_column: pyarrow.array([result.text for result in results], column.type)}
        for name in COUNTS:
            kind = pyarrow.float64() if name == "mean_score" else pyarrow.int64()
            columns[name] = pyarrow.array([getattr(result, name) for result in results], kind)
        for name, values in columns.items():
            at = table.schema.get_field_index(name)
            table = table.set_column(at, name, values) if at >= 0 else table.append_column(name, values)
        return table

    def _clean(self, texts: Sequence[str], batch: Any) -> list[Cleaned]:
        """:func:`clean_batch` of the texts, and a warning naming the pages too short to clean line by
        line, as ``cleaner predict`` notes each on stderr: a page kept whole or emptied is never silent."""
        results = clean_batch(texts, self.model, self.threshold, self.short_dumps)
        short = [row for row, result in enumerate(results) if result.short_dump]
        if short:
            ids = column_values(batch, "id")
            names = [repr(ids[row]) if ids is not None else f"row {row + 1} of the batch" for row in short]
            keep = self.short_dumps == "keep"
            LOG.warning(
                "cleaner: %s with too few lines to clean line by line (a page on one line), %s: %s "
                "(CleanBatch(short_dumps=%r) %s such pages)",
                plural(len(short), "page"),
                "kept whole" if keep else "emptied",
                listed(names, 10),
                "drop" if keep else "keep",
                "empties" if keep else "keeps",
            )
        return results


def column_values(batch: Any, name: str) -> list[Any] | None:
    """The values of a batch's column as a list (a dict of arrays or lists, a DataFrame or a
    Table), or None if the batch has no such column."""
    if isinstance(batch, dict):
        return list(batch[name]) if name in batch else None
    names = batch.column_names if hasattr(batch, "column_names") else list(batch.columns)  # a Table, a DataFrame
    if name not in names:
        return None
    column = batch.column(name) if hasattr(batch, "column_names") else batch[name]
    return list(column.to_pylist() if hasattr(column, "to_pylist") else column)
