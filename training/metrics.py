"""Precision, recall and F1 of the content class, per line and weighted by characters, and of
snippet tests (main-text snippets kept, boilerplate snippets dropped) for sets without per-line gold."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from ..labels import CONTENT


@dataclass(frozen=True)
class Counts:
    """True/false positives and false negatives of the content class, in lines and in characters."""

    tp: int = 0
    fp: int = 0
    fn: int = 0
    tp_chars: int = 0
    fp_chars: int = 0
    fn_chars: int = 0

    def __add__(self, other: Counts) -> Counts:
        return Counts(*(a + b for a, b in zip(self.astuple(), other.astuple())))

    def astuple(self) -> tuple[int, ...]:
        return (self.tp, self.fp, self.fn, self.tp_chars, self.fp_chars, self.fn_chars)

    def scores(self) -> dict[str, float]:
        """line_p, line_r, line_f1, char_p, char_r, char_f1."""
        line = _prf(self.tp, self.fp, self.fn)
        char = _prf(self.tp_chars, self.fp_chars, self.fn_chars)
        return {
            "line_p": line[0],
            "line_r": line[1],
            "line_f1": line[2],
            "char_p": char[0],
            "char_r": char[1],
            "char_f1": char[2],
        }


def _prf(tp: int, fp: int, fn: int) -> tuple[float, float, float]:
    precision = tp / (tp + fp) if tp + fp else 1.0
    recall = tp / (tp + fn) if tp + fn else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return precision, recall, f1


def count(lines: Sequence[str], gold: Sequence[str | None], predicted: Sequence[str | None]) -> Counts:
    """Compare one document's predicted labels with its gold; lines with no gold label are skipped."""
    tp = fp = fn = tpc = fpc = fnc = 0
    for line, g, p in zip(lines, gold, predicted):
        if g is None:
            continue
        chars = len(line.strip())
        truth, guess = g == CONTENT, p == CONTENT
        if truth and guess:
            tp, tpc = tp + 1, tpc + chars
        elif guess:
            fp, fpc = fp + 1, fpc + chars
        elif truth:
            fn, fnc = fn + 1, fnc + chars
    return Counts(tp, fp, fn, tpc, fpc, fnc)


def total(counts: Iterable[Counts]) -> Counts:
    result = Counts()
    for c in counts:
        result = result + c
    return result


# Snippet scoring, as ../shared/devset/multi/README.md (and trafilatura's own evaluation) defines it.
_WHITESPACE = re.compile(r"\s+")


def normalise_whitespace(text: str) -> str:
    """Every run of whitespace one space, then stripped.

    Both the cleaned dump and each snippet pass through this before the substring test, so a
    snippet that spans two kept lines, or was annotated with other spacing, is still found."""
    return _WHITESPACE.sub(" ", text).strip()


@dataclass(frozen=True)
class SnippetCounts:
    """Outcomes of the snippet tests on some pages.

    A ``with`` snippet (main text) found is a true positive, missing a false negative; a
    ``without`` snippet (boilerplate) found is a false positive, missing a true negative."""

    tp: int = 0
    fp: int = 0
    fn: int = 0
    tn: int = 0
    pages: int = 0

    def __add__(self, other: SnippetCounts) -> SnippetCounts:
        return SnippetCounts(*(a + b for a, b in zip(self.astuple(), other.astuple())))

    def astuple(self) -> tuple[int, ...]:
        return (self.tp, self.fp, self.fn, self.tn, self.pages)

    def scores(self) -> dict[str, float]:
        """p, r, f1 from the summed counts (micro-average over pages); an empty denominator gives
        1.0 for precision or recall, as the line metrics do, which makes F1 = 2tp / (2tp + fp + fn)."""
        precision, recall, f1 = _prf(self.tp, self.fp, self.fn)
        return {"p": precision, "r": recall, "f1": f1}


def count_snippets(kept_text: str, with_snippets: Sequence[str], without_snippets: Sequence[str]) -> SnippetCounts:
    """One page's snippet tests against its cleaned dump (the kept lines joined by newlines).

    The test is a case-sensitive substring test after :func:`normalise_whitespace`; nothing else
    is normalised (no case folding, no Unicode normalisation), as the devset's README says."""
    text = normalise_whitespace(kept_text)
    found_with = sum(normalise_whitespace(snippet) in text for snippet in with_snippets)
    found_without = sum(normalise_whitespace(snippet) in text for snippet in without_snippets)
    return SnippetCounts(
        tp=found_with,
        fn=len(with_snippets) - found_with,
        fp=found_without,
        tn=len(without_snippets) - found_without,
        pages=1,
    )


def total_snippets(counts: Iterable[SnippetCounts]) -> SnippetCounts:
    result = SnippetCounts()
    for c in counts:
        result = result + c
    return result
