"""Cleaning a chunk of raw documents: decode and parse, predict in one batch, render the output.

This is everything per document that costs CPU, so that it runs in the pool's workers (or in the
main process with ``--jobs 1``) while the main process only reads, decompresses and writes. A
document that cannot be parsed, or that makes the model fail, becomes an
:class:`~cleaner.inputs.InputError` in its place; the rest of the chunk is cleaned all the same.
Outputs are returned as UTF-8 bytes, ready to write.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .sources import DECODE_HINT, JSONL, TEXT, WARC, InputError, Raw
from .resume import DoneIds, id_text
from ..text import DecodeError, decode, is_blank, join_nonblank_kept, split_lines

if TYPE_CHECKING:  # numpy arrays come from the model, which imports numpy where it predicts
    import numpy as np

# Rendering: the cleaned dump, the label-file format, one JSON record per line, one per document.
TEXT_OUT, LABELS_OUT, LINES_OUT, RECORD_OUT = "text", "labels", "lines", "record"
# Raw control characters (tabs, even NULs) inside JSON strings are common in scraped data: accept them.
JSON_DECODER = json.JSONDecoder(strict=False)


@dataclass(frozen=True)
class Settings:
    """What every worker needs to know, sent to each once (the ``done`` ids included)."""

    model_path: str
    threshold: float | None
    text_render: str = TEXT_OUT
    structured_render: str = RECORD_OUT
    text_field: str = "text"
    id_field: str | None = None
    encoding: str = "utf-8"
    errors: str = "strict"
    name_lines: bool = False
    done: DoneIds | None = None

    def render_for(self, kind: str) -> str:
        return self.text_render if kind == TEXT else self.structured_render


@dataclass(slots=True)
class Cleaned:
    """One cleaned document: its output bytes and what the summary counts."""

    where: str
    kind: str
    relative: Path | None
    output: bytes
    size: int
    lines_total: int
    lines_kept: int
    consumed: int


@dataclass(slots=True)
class Skipped:
    """A document whose record an earlier run already wrote (``--resume``)."""

    where: str
    consumed: int


@dataclass(slots=True)
class Parsed:
    raw: Raw
    text: str
    lines: list[str]
    record: dict[str, Any] | None
    ident: str | None


class BadDocument(ValueError):
    """A document that cannot be cleaned; the message says what is wrong and what to do, ``line``
    which line of a text file."""

    def __init__(self, message: str, line: int | None = None) -> None:
        super().__init__(message)
        self.line = line


class Cleaner:
    """Cleans chunks of :class:`Raw` documents with one loaded model."""

    def __init__(self, settings: Settings, model: Any = None) -> None:
        if model is None:
            from ..classifier.format import load_predictor

            model = load_predictor(settings.model_path)
        self.settings = settings
        self.model = model
        self.cut = model.threshold_ if settings.threshold is None else settings.threshold

    def run(self, items: list[Any]) -> list[Any]:
        """The chunk with every Raw replaced by its Cleaned, Skipped or InputError, in order."""
        out = list(items)
        parsed: list[tuple[int, Parsed]] = []
        for index, item in enumerate(items):
            if isinstance(item, Raw):
                try:
                    result = self.parse(item)
                except BadDocument as exc:
                    where = item.where if exc.line is None else f"{item.where}:{exc.line}"
                    out[index] = InputError(where, str(exc), item.consumed)
                    continue
                if isinstance(result, Skipped):
                    out[index] = result
                else:
                    parsed.append((index, result))
        scores = self.predict([doc.lines for _, doc in parsed])
        for (index, doc), score in zip(parsed, scores):
            if isinstance(score, Exception):
                message = f"the model failed on this document ({type(score).__name__}: {score}); please report it"
                out[index] = InputError(doc.raw.where, message, doc.raw.consumed)
            else:
                out[index] = self.render(doc, score)
        return out

    def parse(self, raw: Raw) -> Parsed | Skipped:
        settings = self.settings
        try:
            text = decode(raw.data, settings.encoding, settings.errors)
        except DecodeError as exc:
            raise BadDocument(f"{exc}; {DECODE_HINT}", exc.line if raw.kind == TEXT else None) from exc
        except LookupError as exc:
            raise BadDocument(f"unknown encoding {settings.encoding!r} or error handler {settings.errors!r}") from exc
        record = None
        ident = raw.ident
        if raw.kind == JSONL:
            record = self._record(text)
            text = record[settings.text_field]
            ident = id_text(record.get(settings.id_field)) if settings.id_field else None
        if settings.done is not None:
            if ident is None:
                raise BadDocument(
                    f"record has no {settings.id_field!r} field; --resume needs a unique id in every record"
                )
            if ident in settings.done:
                return Skipped(raw.where, raw.consumed)
        return Parsed(raw, text, split_lines(text), record, ident)

    def _record(self, line: str) -> dict[str, Any]:
        field = self.settings.text_field
        try:
            record = JSON_DECODER.decode(line)
        except json.JSONDecodeError as exc:
            raise BadDocument(
                f"not valid JSON ({exc.msg} at column {exc.colno}); each line must be one JSON object"
            ) from exc
        if not isinstance(record, dict):
            raise BadDocument(f"a JSON {type(record).__name__}, not an object; each line must be one JSON object")
        if field not in record:
            raise BadDocument(f"record has no {field!r} field; pass --text-field NAME for the field with the page text")
        if not isinstance(record[field], str):
            kind = "null" if record[field] is None else type(record[field]).__name__
            raise BadDocument(f"field {field!r} is {kind}, not a string; fix the record or drop it")
        return record

    def predict(self, batch: list[list[str]]) -> list[Any]:
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
            results: list[Any] = []
            for lines in batch:
                try:
                    results.append(self.model.predict_proba_nonblank([lines])[0])
                except Exception as exc:
                    results.append(exc)
        if len(results) > 1 and all(isinstance(r, Exception) for r in results):
            from ..classifier.format import ModelError

            first = results[0]
            raise ModelError(
                f"the model fails on every document ({type(first).__name__}: {first}); "
                "retrain it with `make train`, or check --model"
            ) from first
        return results

    def render(self, doc: Parsed, scores: np.ndarray) -> Cleaned:
        kept_mask = scores >= self.cut
        keep = kept_mask.tolist()  # one decision per non-blank line, as the scores
        kept = int(kept_mask.sum())
        how = self.settings.render_for(doc.raw.kind)
        if how == TEXT_OUT:
            output = encode(join_nonblank_kept(doc.lines, keep))
        elif how == LABELS_OUT:
            output = encode(self._labels(doc.lines, keep))
        elif how == LINES_OUT:
            output = self._line_records(doc, scores)
        else:
            output = self._document_record(doc, keep, scores, kept)
        raw = doc.raw
        return Cleaned(raw.where, raw.kind, raw.relative, output, len(raw.data), len(scores), kept, raw.consumed)

    @staticmethod
    def _labels(lines: list[str], keep: list[bool]) -> str:
        """The label-file lines; ``keep`` has a decision per non-blank line."""
        from ..labels import BOILERPLATE, CONTENT
        from ..labels import format_label_lines

        decisions = iter(keep)
        labels = [None if is_blank(line) else (CONTENT if next(decisions) else BOILERPLATE) for line in lines]
        return format_label_lines(lines, labels)

    def _line_records(self, doc: Parsed, scores: np.ndarray) -> bytes:
        from ..labels import BOILERPLATE, CONTENT

        values = iter(scores.tolist())
        rows = []
        name = doc.ident or doc.raw.where
        for number, line in enumerate(doc.lines, 1):
            record: dict[str, Any] = {"file": name} if self.settings.name_lines else {}
            score = None if is_blank(line) else next(values)
            label = None if score is None else (CONTENT if score >= self.cut else BOILERPLATE)
            record.update(line=number, text=line, label=label, score=None if score is None else round(score, 4))
            rows.append(dump_json(record))
        return b"".join(rows)

    def _document_record(self, doc: Parsed, keep: list[bool], scores: np.ndarray, kept: int) -> bytes:
        """The document's record with its cleaned text; ``keep`` has a decision per non-blank line."""
        settings = self.settings
        cleaned = join_nonblank_kept(doc.lines, keep)
        if cleaned and not doc.text.endswith(("\n", "\r")):
            cleaned = cleaned[:-1]  # records usually hold text without a final line break: keep it so
        if doc.record is not None:
            record = doc.record
        else:
            record = {settings.id_field or "id": doc.ident}
            if doc.raw.kind == WARC:
                record["url"] = doc.raw.url
        record[settings.text_field] = cleaned
        record["lines_total"] = len(scores)
        record["lines_kept"] = kept
        record["chars_kept"] = len(cleaned)
        record["mean_score"] = round(float(scores.mean()), 4) if len(scores) else None
        return dump_json(record)


def encode(text: str) -> bytes:
    """UTF-8, giving back the original bytes of text decoded with ``--errors surrogateescape``."""
    try:
        return text.encode("utf-8")
    except UnicodeEncodeError:
        return text.encode("utf-8", "surrogateescape" if _escaped_only(text) else "replace")


def _escaped_only(text: str) -> bool:
    return all(not ("\ud800" <= c <= "\udfff") or "\udc80" <= c <= "\udcff" for c in text)


def dump_json(record: dict[str, Any]) -> bytes:
    """One JSON line; lone surrogates (from ``\\ud800`` escapes in the input) stay escaped."""
    try:
        return (json.dumps(record, ensure_ascii=False) + "\n").encode("utf-8")
    except UnicodeEncodeError:
        return (json.dumps(record) + "\n").encode("ascii")
