"""Cleaning a chunk of raw documents: parse, predict in one batch, render the output.

This is everything per document that costs CPU, so that it runs in the pool's workers (or in the
main process with ``--jobs 1``) while the main process only reads, decompresses and writes. A
document that cannot be parsed, or that makes the model fail, becomes an
:class:`~cleaner.corpus.items.InputError` in its place; the rest of the chunk is cleaned all the
same. Parsing is the reader's of the document's kind (:mod:`cleaner.corpus.readers`), rendering the
renderer of the chosen mode (:mod:`cleaner.corpus.renderers`).

Two kinds of dump are not left to the model's line-by-line verdict. A dump with too few lines to
clean line by line (a whole page on one line) is kept whole or dropped as ``--short-dumps`` says,
with a note, never emptied in silence. And with ``--errors replace``, a line made mostly of
replacement characters is bytes that were not text, not content: it is dropped (score 0), at any
threshold.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, cast

# The rule for a dump too short to clean line by line is clean_batch's (decisions), applied by calling it;
# its constants are named here as before.
from ..classifier.cleaned import (  # noqa: F401
    LONG_LINE,
    SHORT_DUMPS,
    SHORT_LINES,
    Scorer,
    decisions,
    short_dump_longest,
)
from .items import CleanedDocument, Incoming, InputError, Outgoing, Raw, Skipped
from .readers import READERS, BadDocument, Parsed, ParseOptions, parse
from .renderers import Render, Style, Verdict, render
from .resume import DoneIds, id_key

if TYPE_CHECKING:  # numpy arrays come from the model, which imports numpy where it predicts
    import numpy as np

# A line whose characters are this much undecodable bytes (U+FFFD from --errors replace, lone
# surrogates from surrogateescape) is not text: it is dropped, with P(content) 0.
GARBLED_LINE = 0.3
LIGHTEN = 1 << 20  # a document of more bytes keeps only what cleaning it reads (see Cleaner._lighten)
_GARBLED = re.compile("[\ufffd\udc80-\udcff]")


@dataclass(frozen=True)
class Settings:
    """What every worker needs to know, sent to each once (the ``done`` ids included).

    ``text_render`` is how documents of one-document files (text dumps) are written,
    ``structured_render`` how documents of files of records (JSONL, WARC) are.
    """

    model_path: str
    threshold: float | None
    text_render: Render = Render.TEXT
    structured_render: Render = Render.RECORD
    parse: ParseOptions = field(default_factory=ParseOptions)
    name_lines: bool = False
    done: DoneIds | None = None
    short_dumps: str = "keep"

    def render_for(self, kind: str) -> Render:
        return self.structured_render if READERS[kind].records else self.text_render


class Cleaner:
    """Cleans chunks of :class:`Raw` documents with one loaded model."""

    def __init__(self, settings: Settings, model: Scorer | None = None) -> None:
        from ..classifier.cleaned import model_threshold, threshold_value

        if model is None:
            from ..classifier.format import load_model

            model = load_model(settings.model_path)
        self.settings = settings
        self.model = model
        cut = model_threshold(model) if settings.threshold is None else threshold_value(settings.threshold)
        self.style = Style(cut, settings.parse.text_field, settings.name_lines)

    @property
    def cut(self) -> float:
        return self.style.threshold

    def run(self, items: list[Incoming]) -> list[Outgoing]:
        """The chunk with every Raw replaced by its CleanedDocument, Skipped or InputError, in order."""
        out: list[Outgoing | None] = []
        parsed: list[tuple[int, Parsed, int]] = []
        for item in items:
            if not isinstance(item, Raw):
                out.append(item)
                continue
            try:
                result = self.parse(item)
            except BadDocument as exc:
                out.append(exc.at(item))
                continue
            if isinstance(result, Skipped):
                out.append(result)
            else:
                parsed.append((len(out), result, len(item.data)))
                out.append(None)  # cleaned below, in one batch
                if len(item.data) > LIGHTEN:
                    self._lighten(result)
        scores = self.predict([doc.lines for _, doc, _ in parsed])
        for (index, doc, size), score in zip(parsed, scores):
            if isinstance(score, Exception):
                message = f"the model failed on this document ({type(score).__name__}: {score}); please report it"
                out[index] = InputError(doc.raw.where, message, doc.raw.consumed)
            else:
                out[index] = self.render(doc, score, size)
        return cast("list[Outgoing]", out)  # every None was replaced

    def _lighten(self, doc: Parsed) -> None:
        """A large document keeps only what predicting and rendering read: its lines, its record
        and its text's last character (records keep a final line break or none); its bytes and
        the rest of its text go, as large again as its lines (four times its bytes, for text with
        one character beyond the BMP)."""
        end = doc.text[-1:]
        field = self.settings.parse.text_field
        if doc.record.get(field) is doc.text:
            doc.record[field] = end
        doc.text = end
        doc.raw.data = b""

    def parse(self, raw: Raw) -> Parsed | Skipped:
        """The document parsed by its reader, or Skipped if an earlier run wrote it (``--resume``)."""
        doc = parse(raw, self.settings.parse)
        done = self.settings.done
        if done is not None:
            field = self.settings.parse.id_name
            key = id_key(doc.record.get(field))  # as the written records hold it (see resume.id_key)
            if key is None:
                raise BadDocument(f"record has no {field!r} field; --resume needs a unique id in every record")
            if key in done:
                return Skipped(raw.where, raw.consumed)
        return doc

    def predict(self, batch: list[list[str]]) -> list[np.ndarray | Exception]:
        """P(content) of the non-blank lines, one batched call; per document only if that fails,
        so that one document that breaks the model loses only itself (as an Exception in its place).

        When every document of a chunk fails, the model is broken (e.g. saved by other code), not
        the data: that stops the run with one line instead of one error per document.
        """
        if not batch:
            return []
        try:
            return list(self.model.predict_proba_nonblank(batch))
        except Exception:  # isolate the culprit below, whatever the model raised
            results: list[np.ndarray | Exception] = []
            for lines in batch:
                try:
                    results.append(self.model.predict_proba_nonblank([lines])[0])
                except Exception as exc:
                    results.append(exc)
        failures = [result for result in results if isinstance(result, Exception)]
        if len(results) > 1 and len(failures) == len(results):
            from ..classifier.format import ModelError

            first = failures[0]
            raise ModelError(
                f"the model fails on every document ({type(first).__name__}: {first}); "
                "retrain it with `cleaner train`, or check the model given (--model)"
            ) from first
        return results

    def render(self, doc: Parsed, scores: np.ndarray, size: int | None = None) -> CleanedDocument:
        """The document's output; ``size``: its bytes (the Raw's, unless lightened already)."""
        garbled = _garbled(doc.lines) if doc.undecodable else []
        if garbled:
            scores = scores.copy()
            scores[garbled] = 0.0
        # One decision per non-blank line, as the scores; a dump too short to clean line by line is
        # kept or dropped whole by clean_batch's rule, so that the two cannot disagree.
        keep, short = decisions(doc.lines, scores, self.cut, self.settings.short_dumps)
        for rank in garbled:
            keep[rank] = False  # whatever the threshold, --threshold 0 included
        note = self._short(doc, len(scores)) if short else None
        kept = keep.count(True)
        verdict = Verdict(scores, keep, kept)
        raw = doc.raw
        output = render(self.settings.render_for(raw.kind), doc, verdict, self.style)
        size = len(raw.data) if size is None else size
        no_id = doc.record.get(self.settings.parse.id_name) is None  # as id_key has it: None is no id
        return CleanedDocument(
            raw.where, raw.kind, raw.relative, output, size, len(scores), kept, raw.consumed, note, no_id
        )

    def _short(self, doc: Parsed, lines: int) -> str | None:
        """The note for a dump too short to clean line by line (see :data:`SHORT_LINES`), naming
        its longest line's length, or None."""
        longest = short_dump_longest(doc.lines, lines)
        if longest is None:
            return None
        keep = self.settings.short_dumps == "keep"
        # In the label format, such a page's tags are the rule's (every line C, or B when dropped), as
        # the text output keeps or drops it: the file did not say they were no verdict of the model's.
        labels = (
            f"; its labels are the rule's (every line {'C' if keep else 'B'}), not the model's: correct them before "
            "training on the file"
            if self.settings.render_for(doc.raw.kind) is Render.LABELS
            else ""
        )
        return (
            f"{doc.raw.where}: {lines} non-blank line{'s' if lines > 1 else ''}, the longest of {longest} characters: "
            f"too few lines to clean line by line; {'kept whole' if keep else 'dropped'} "
            f"(--short-dumps {'drop' if keep else 'keep'} to {'drop' if keep else 'keep'} such dumps; "
            f"a dump with one line per block of the page can be cleaned){labels}"
        )


def _garbled(lines: list[str]) -> list[int]:
    """Which non-blank lines (their ranks among them) are mostly undecodable bytes."""
    nonblank = [line.strip() for line in lines if line.strip()]
    return [i for i, line in enumerate(nonblank) if len(_GARBLED.findall(line)) >= GARBLED_LINE * len(line)]
