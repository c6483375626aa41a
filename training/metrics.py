"""Precision, recall and F1 of the content class, per line and weighted by characters."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from cleaner.labels import CONTENT


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
