"""``cleaner suggest``: which unlabelled dumps would teach the model most (uncertainty sampling).

Inputs are read as ``cleaner predict`` reads them (files, directories, JSONL, WET, stdin: the
corpus sources, readers and parse step), a batch of documents at a time (at most :data:`BATCH`
documents and about :data:`BATCH_BYTES` bytes, as ``cleaner predict`` chunks them); each document
leaves only its summary behind, and only the ``top`` best summaries are kept, so a corpus of any
size needs the memory of one batch, and a document no more than ``--max-document-mb``.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field

import numpy as np

from ..classifier.cleaned import Scorer
from ..corpus.items import InputDone, InputError, InputFile
from ..corpus.parallel import CHUNK_BYTES
from ..corpus.progress import Progress, Tally
from ..corpus.readers import BadDocument, Parsed, ParseOptions, parse, read_input
from ..corpus.readers.jsonl import KIND as JSONL
from ..corpus.readers.warc import KIND as WARC
from ..corpus.resume import id_text
from ..corpus.sources import Note, expand_inputs
from ..text import is_blank, listed, plural

BATCH = 32
BATCH_BYTES = CHUNK_BYTES


@dataclass(frozen=True)
class Suggestion:
    """One document's summary: its name (:func:`document_name`: ``path``, or ``path:LINE`` /
    ``path:RECORD-ID`` in a file of records, with a JSONL record's id or url), its non-blank lines,
    how many of them are uncertain, and their mean distance from the threshold."""

    path: str
    lines: int
    uncertain: int
    mean_margin: float

    def rank(self) -> tuple[int, float, str]:
        """Most uncertain lines first, then lowest mean margin, then by name."""
        return (-self.uncertain, self.mean_margin, self.path)


@dataclass(frozen=True)
class Ranking:
    rows: list[Suggestion]  # the best ``top``, best first
    documents: int
    errors: int
    # A row's copies (path -> the names of the other documents of the same text, in input order):
    # listed as rows of their own, they pushed out other candidates, and the label page refuses a
    # second label file of one text.
    copies: dict[str, list[str]] = field(default_factory=dict)


def summarize(name: str, probabilities: np.ndarray, threshold: float, margin: float) -> Suggestion:
    distance = np.abs(probabilities - threshold)
    return Suggestion(
        path=name,
        lines=len(probabilities),
        uncertain=int((distance < margin).sum()),
        mean_margin=float(distance.mean()) if len(distance) else 0.5,
    )


def rank_uncertain(
    model: Scorer,
    paths: Sequence[str],
    margin: float = 0.2,
    top: int = 10,
    *,
    input_format: str | None = None,
    options: ParseOptions | None = None,
    limit: int = 10_000_000,
    progress: bool = False,
) -> Ranking:
    """Score every document of ``paths``: count lines whose P(content) lies within ``margin`` of
    the model's threshold; the ``top`` most uncertain documents, best first.

    Inputs that cannot be read and documents that cannot be parsed are reported on stderr as
    ``cleaner: path:line: what is wrong`` and counted; the others are still scored. ``progress``
    shows a bar over input bytes when stderr is a terminal.
    """
    from .labels import page_fingerprint

    scored = ScoredDocuments(model, paths, margin, input_format=input_format, options=options, limit=limit)
    # The best ``top`` documents of distinct text, each with its copies (a document of the same
    # lines, margins and blank lines aside, as the label page's duplicate rule has it). A copy scores
    # as its first does, so a text evicted from the best never comes back by a copy.
    best: dict[str, tuple[Suggestion, list[str]]] = {}
    try:
        for parsed, suggestion in scored.iterate(progress):
            fingerprint = page_fingerprint(parsed.lines)
            if fingerprint in best:
                best[fingerprint][1].append(suggestion.path)
                continue
            best[fingerprint] = (suggestion, [])
            if len(best) > top:
                del best[max(best, key=lambda key: best[key][0].rank())]
    finally:
        scored.close()
    rows = sorted((row for row, _ in best.values()), key=Suggestion.rank)
    copies = {row.path: names for row, names in best.values() if names}
    return Ranking(rows, scored.tally.documents, scored.tally.errors, copies)


class ScoredDocuments:
    """The documents of ``paths``, parsed as ``cleaner predict`` parses them, each with its
    :class:`Suggestion`, a batch at a time; what ``cleaner suggest`` ranks and ``cleaner label``
    orders its pages by. Read and parse errors are reported on stderr (``cleaner: path:line:
    what is wrong``) and counted in ``tally``, never raised. Empty documents (no line with text:
    an empty file, a record with empty text) are left out, with one note on stderr that names them:
    there is nothing in them to label, and they were ranked among the pages (0 lines, 0 uncertain)."""

    def __init__(
        self,
        model: Scorer,
        paths: Sequence[str],
        margin: float = 0.2,
        *,
        input_format: str | None = None,
        options: ParseOptions | None = None,
        limit: int = 10_000_000,
    ) -> None:
        self.model = model
        self.margin = margin
        self.options = options or ParseOptions()
        self.limit = limit
        found = list(expand_inputs(paths, input_format))
        self.notes = [note for note in found if isinstance(note, Note)]
        self.sources = [source for source in found if not isinstance(source, Note)]
        self.tally = Tally()
        self.bar: Progress | None = None
        self.empty: list[str] = []  # each empty document's name (see document_name)

    def iterate(self, progress: bool = False) -> Iterator[tuple[Parsed, Suggestion]]:
        """Each readable document with its summary, in input order."""
        sizes = [source.size for source in self.sources if isinstance(source, InputFile)]
        self.bar = bar = Progress(None if None in sizes else sum(size or 0 for size in sizes), progress)
        for note in self.notes:
            bar.message(f"cleaner: {note}")
        pending: list[Parsed] = []
        size = 0
        for source in self.sources:
            if isinstance(source, InputError):
                self._reported(source)
                continue
            for item in read_input(source, self.limit):
                if isinstance(item, InputDone):
                    continue
                bar.advance(item.consumed, self.tally)
                if isinstance(item, InputError):
                    self._reported(item)
                    continue
                try:
                    parsed = parse(item, self.options)
                except BadDocument as exc:
                    self._reported(exc.at(item))
                    continue
                if all(is_blank(line) for line in parsed.lines):
                    self.empty.append(document_name(parsed, self.options))
                    continue
                pending.append(parsed)
                size += len(item.data)
                if len(pending) >= BATCH or size >= BATCH_BYTES:
                    yield from zip(pending, self._summaries(pending))
                    self.tally.documents += len(pending)
                    pending, size = [], 0
        yield from zip(pending, self._summaries(pending))
        self.tally.documents += len(pending)
        if self.empty:
            empty = plural(len(self.empty), "empty document")
            bar.message(f"cleaner: {empty} (no line with text) not offered for labelling: {listed(self.empty, 10)}")

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()

    def _summaries(self, documents: list[Parsed]) -> list[Suggestion]:
        if not documents:
            return []
        scores = self.model.predict_proba_nonblank([doc.lines for doc in documents])
        return [
            summarize(document_name(doc, self.options), probabilities, self.model.threshold, self.margin)
            for doc, probabilities in zip(documents, scores)
        ]

    def _reported(self, error: InputError) -> None:
        self.tally.errors += 1
        message = f"cleaner: {error}"
        if self.bar is not None:
            self.bar.message(message)


def document_name(doc: Parsed, options: ParseOptions) -> str:
    """How suggest names ``doc``: its place, as every message names it (``path``, ``path:LINE`` in
    a JSONL file, ``path:RECORD-ID`` in a WARC file), and for a JSONL record what its user knows it
    by, ``corpus.jsonl:17 (id=abc)``: its ``--id-field`` value (default ``id``), else its ``url``.
    ``path:LINE`` alone sent the user counting lines of a shard to find the record; the place stays
    beside the id, since it is exact where ids need not be unique. A text file's path names it
    already; a WARC record's id is in its place, and its url follows, as a JSONL record's does."""
    where = doc.raw.where
    if doc.raw.kind not in (JSONL, WARC):
        return where
    field, value = options.id_name, id_text(doc.record.get(options.id_name)) if doc.raw.kind == JSONL else ""
    if not value:
        field, value = "url", id_text(doc.record.get("url"))
    return f"{where} ({field}={_one_token(value)})" if value else where


def _one_token(value: str) -> str:
    """``value`` as it is, or as a JSON string when it holds whitespace or control characters: a
    line break in an id would cut the ranked list's row in two, and a space blur where it ends."""
    if value.isprintable() and not any(char.isspace() for char in value):
        return value
    return json.dumps(value, ensure_ascii=False)
