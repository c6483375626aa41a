"""cleaner as a datatrove pipeline step: :class:`CleanerFilter` deletes each document's boilerplate
lines, adds the counts to its metadata, and drops it when too little is left.

Why a filter and not a formatter: a filter can drop a document with a reason that an exclusion
writer records, and datatrove hands a filter whole batches (``filter_batch``), which cleaner predicts
in one model call; one call per document (a ``BaseFormatter``) cost five times the CPU time in
the prototype of issue 16 (40 CPU-seconds against 8 on 53 MB).

Executors pickle the pipeline into every task (the local one through a fork server, Slurm's into a
file, Ray's into its object store), so the step holds only the model's name: a local path or an
fsspec URL (None: ``$CLEANER_MODEL`` as the launcher sees it, else the model shipped with cleaner
on each worker). The model is loaded in the worker at its first batch; a URL is fetched once per
node (:mod:`cleaner.classifier.remote`), and the ``model_fetched`` stat counts the fetches.

A worker runs many tasks (each with its own unpickled step) but loads the model once: it is kept
per process (:func:`~cleaner.classifier.loading.shared_model`), look-up tables included. So a worker
pays this step's start-up once: 0.14-0.17 CPU s at its first batch (0.45-0.7 s more before issue
16 made the model's stopword tables faster to build). The local executor's fork server starts each
worker as a new interpreter, which imports datatrove and cleaner again (0.7-1.0 CPU s a worker),
even those the launcher's script imports at its top: the fork server's preloading of the main
script has never taken effect (CPython gh-98552, mended there in 2025 by gh-126631), and
``multiprocess``, which datatrove uses, still carries the old code. :func:`preload_in_fork_server` names the modules
instead, so that the fork server imports them once and its workers are forked with them.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

try:
    from datatrove.pipeline.filters.base_filter import BaseFilter
except ModuleNotFoundError as exc:  # an extra: say which, rather than a bare "No module named 'datatrove'"
    raise ModuleNotFoundError(
        f"{exc}; cleaner's datatrove step needs datatrove: pip install 'cleaner[datatrove]'", name=exc.name
    ) from exc

from ..classifier.cleaned import COUNTS, Cleaned, Scorer, clean_texts, not_text, short_dumps_value
from ..classifier.format import MODEL_ENV  # and with it numpy and the model's code (WORKER_MODULES)
from ..classifier.loading import model_name
from ..classifier.remote import fetch, is_url
from ..classifier.thresholds import threshold_value
from .common import step_model

if TYPE_CHECKING:
    from datatrove.data import Document
    from datatrove.pipeline.writers.disk_base import DiskWriter

TOO_SHORT = "cleaner_too_short"
TOO_LITTLE_KEPT = "cleaner_too_little_kept"
SHORT_DUMP = "cleaner_short_dump"  # too few lines to clean line by line, and short_dumps="drop"
SHORT_DUMP_KEPT = "cleaner_short_dump_kept"  # the stat that counts those kept whole
NO_TEXT = "cleaner_no_text"  # a document whose text is None or no str
# What every worker of the local executor imports whatever its pipeline: the executor, whose method a
# worker runs, and this module, with numpy and the model's code.
WORKER_MODULES = ("datatrove.executor.local", __name__)


def preload_in_fork_server(pipeline: Iterable[object] = ()) -> list[str]:
    """Have the local executor's fork server import, once, what each of its workers would import
    again: the executor, this step and the modules of the pipeline's other steps. Call it before
    ``LocalPipelineExecutor.run()``; it changes nothing once a fork server has started, and nothing
    for the Slurm and Ray executors. It cut the local executor's extra CPU time against ``cleaner
    predict -j 2`` by about half in issue 16 (``make bench``). Returns the modules named.
    """
    import multiprocess

    modules = sorted({*WORKER_MODULES, *(type(step).__module__ for step in pipeline)} - {"builtins"})
    multiprocess.set_forkserver_preload(modules)
    return modules


class CleanerFilter(BaseFilter):
    """Cleans each document's text in place, line by line, and drops what is left too small.

    Args:
        model: the model file: a local path or an fsspec URL. None: ``$CLEANER_MODEL`` if set when
            the step is made, else the model shipped with cleaner.
        threshold: keep lines with P(content) at or above it (default: the model's own).
        min_chars: drop a document with fewer characters than this left (reason ``cleaner_too_short``).
        min_kept_ratio: drop a document that keeps less than this share of its characters
            (reason ``cleaner_too_little_kept``). An empty document has nothing to lose: ratio 1.
        batch_size: documents per model call.
        exclusion_writer: where dropped documents go, with their original text, the counts and
            ``filter_reason`` in their metadata.
        cache_dir: where a model URL is copied on each node (default: ``$CLEANER_CACHE``, else
            ``$XDG_CACHE_HOME/cleaner``, else ``~/.cache/cleaner``); a node-local disk shared by the
            node's workers.
        short_dumps: a document with too few lines to clean line by line (a page on one line:
            fewer than 3 non-blank lines, one of 1000 characters or more) is kept whole ("keep",
            counted in the ``cleaner_short_dump_kept`` stat, and then subject to ``min_chars``) or
            dropped ("drop", reason ``cleaner_short_dump``), as ``cleaner predict --short-dumps``.

    A document whose text is None or no str (datatrove's readers skip a record without text, but an
    adapter or an earlier step may make one) is dropped with reason ``cleaner_no_text`` and named
    in a warning; its text in the exclusion writer's record is "".

    Kept documents get the cleaned text and ``lines_total``, ``lines_kept`` (non-blank lines),
    ``chars_kept`` and ``mean_score`` in their metadata: what ``cleaner predict`` writes into a JSONL
    record.
    """

    name = "🧹 cleaner"

    def __init__(
        self,
        model: str | os.PathLike[str] | None = None,
        threshold: float | None = None,
        min_chars: int = 0,
        min_kept_ratio: float = 0.0,
        batch_size: int = 256,
        exclusion_writer: DiskWriter | None = None,
        cache_dir: str | os.PathLike[str] | None = None,
        short_dumps: str = "keep",
    ) -> None:
        super().__init__(exclusion_writer=exclusion_writer, batch_size=batch_size)
        named = model_name(model) if model is not None else os.environ.get(MODEL_ENV) or None
        # A local path is made absolute here, where it was meant: a worker may start elsewhere.
        self.model = named if named is None or is_url(named) else os.path.abspath(named)
        # Checked here, where the pipeline is written: the first batch is cleaned in a worker, far from it.
        self.threshold = threshold_value(threshold) if threshold is not None else None
        self.min_chars = min_chars
        self.min_kept_ratio = min_kept_ratio
        self.short_dumps = short_dumps_value(short_dumps)
        if cache_dir is not None and not isinstance(cache_dir, (str, os.PathLike)):
            raise TypeError(
                "cache_dir: expected a folder's path, or None for $CLEANER_CACHE (else $XDG_CACHE_HOME/cleaner, else "
                f"~/.cache/cleaner); got {type(cache_dir).__name__}"
            )
        self.cache_dir = os.fspath(cache_dir) if cache_dir is not None else None
        self._model: Scorer | None = None
        if self.model is None or not is_url(self.model):
            # Checked here, as CleanBatch checks it: a wrong path failed every task, after it had read its
            # shard. (A URL is fetched on the nodes, once per node: not from the launcher.)
            self.loaded()

    def __getstate__(self) -> dict[str, Any]:
        """What executors pickle: everything but the loaded model, which each worker loads itself."""
        state = self.__dict__.copy()
        state["_model"] = None
        return state

    def loaded(self) -> Scorer:
        """The model, loaded in this process at its first use (a URL fetched once per node)."""
        if self._model is None:
            source: str | None = self.model
            if source is not None and is_url(source):
                path, fetched = fetch(source, Path(self.cache_dir) if self.cache_dir else None)
                if fetched:
                    self.stat_update("model_fetched")
                source = str(path)
            self._model = step_model("CleanerFilter", source)
        return self._model

    def filter(self, doc: Document) -> bool | tuple[bool, str]:
        return self.filter_batch([doc])[0]

    def filter_batch(self, batch: Iterable[Document]) -> list[bool | tuple[bool, str]]:
        """Each document's verdict: kept (cleaned in place), or dropped with a reason. A document
        whose text is None or no str (from a reader's adapter or an earlier step; datatrove's own
        readers skip those) is dropped as ``cleaner_no_text``, named in a warning: one such document
        failed the whole task."""
        batch = list(batch)  # read twice: for the texts, then to pair each document with its result
        texts = [doc for doc in batch if isinstance(doc.text, str)]
        cleaned = iter(clean_texts([doc.text for doc in texts], self.loaded(), self.threshold, self.short_dumps))
        return [self._verdict(doc, next(cleaned)) if isinstance(doc.text, str) else self._no_text(doc) for doc in batch]

    def _no_text(self, doc: Document) -> tuple[bool, str]:
        """The verdict on a document without a text: dropped, and said (as cleaner predict reports
        a record whose text is null), never cleaned into an empty page nor failing the task. Its
        text becomes "": datatrove's writers (the exclusion writer too) measure every text's length."""
        from datatrove.utils.logging import logger

        logger.warning(
            f"cleaner: document {doc.id!r} has no text to clean ({not_text(doc.text)}): dropped as {NO_TEXT}"
        )
        doc.text = ""
        return False, NO_TEXT

    def _verdict(self, doc: Document, result: Cleaned) -> bool | tuple[bool, str]:
        """The verdict on a cleaned document, its counts added to its metadata."""
        for name in COUNTS:
            doc.metadata[name] = getattr(result, name)
        if result.short_dump and self.short_dumps == "drop":
            return False, SHORT_DUMP
        if result.short_dump:
            self.stat_update(SHORT_DUMP_KEPT)
        if result.chars_kept < self.min_chars:
            return False, TOO_SHORT
        if doc.text and result.chars_kept < self.min_kept_ratio * len(doc.text):
            return False, TOO_LITTLE_KEPT
        doc.text = result.text
        return True
