"""cleaner as a Ray Data stage: :class:`CleanBatch`, a callable class for ``Dataset.map_batches``.

Why a class: Ray Data makes one instance per actor of an actor pool, so the model is loaded once
per actor, in ``__init__``, and every batch that actor gets is cleaned in one model call. What Ray
sends the actors is the class and its constructor's arguments: the model's local path or fsspec URL
(fetched once per node, :mod:`cleaner.classifier.remote`), never the model's arrays.

    ds.map_batches(CleanBatch, fn_constructor_kwargs={"model": "s3://bucket/cleaner.npz"},
                   compute=ActorPoolStrategy(size=8), num_cpus=1, batch_size=256)

A batch is a dict of numpy arrays (Ray's default batch format) or a pandas DataFrame; the text
column is cleaned in place and ``lines_total``, ``lines_kept``, ``chars_kept`` and ``mean_score`` are
added, as ``cleaner predict`` adds them to a JSONL record. Ray itself is not imported here: the
class is plain Python that Ray calls.
"""

from __future__ import annotations

import os
from typing import Any

from ..classifier.cleaned import COUNTS, Scorer, clean_batch, model_name, shared_model
from ..classifier.format import MODEL_ENV
from ..classifier.remote import is_url, local_copy


class CleanBatch:
    """Cleans the ``text_column`` of each batch with one model, loaded when the actor starts.

    Args:
        model: the model file: a local path or an fsspec URL (None: ``$CLEANER_MODEL`` in the
            actor's environment, else the model shipped with cleaner).
        threshold: keep lines with P(content) at or above it (default: the model's own).
        text_column: the column with the page text.
    """

    def __init__(
        self, model: str | os.PathLike[str] | None = None, threshold: float | None = None, text_column: str = "text"
    ) -> None:
        source = model_name(model) if model is not None else os.environ.get(MODEL_ENV) or None
        if source is not None and is_url(source):
            source = str(local_copy(source))
        self.model: Scorer = shared_model(source)
        self.threshold = threshold
        self.text_column = text_column

    def __call__(self, batch: Any) -> Any:
        """The batch (a dict of numpy arrays or a pandas DataFrame) with its text cleaned and counts added."""
        import numpy as np

        results = clean_batch(batch[self.text_column], self.model, self.threshold)  # an array, a Series or a list
        frame = not isinstance(batch, dict)  # a pandas DataFrame: columns are set as lists
        out = batch.copy() if frame else dict(batch)
        cleaned = [result.text for result in results]
        out[self.text_column] = cleaned if frame else np.array(cleaned, dtype=object)
        for name in COUNTS:
            values = [getattr(result, name) for result in results]
            out[name] = values if frame else np.array(values, dtype=object if name == "mean_score" else np.int64)
        return out
