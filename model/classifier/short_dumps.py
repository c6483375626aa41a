"""A dump too short to clean line by line (a page on one line): the rule that keeps it whole or
drops it whole, whatever the model's scores, and the warning that says so. One rule for
:meth:`Predictor.clean <cleaner.classifier.predictor.Predictor.clean>`, :func:`cleaner.clean_batch`,
``cleaner predict --short-dumps`` (the corpus worker) and the cluster integrations.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from typing import TYPE_CHECKING

from ..text import listed, plural

if TYPE_CHECKING:  # numpy comes with the model, which imports it where it predicts
    import numpy as np

# A dump with fewer non-blank lines than SHORT_LINES, one of them LONG_LINE characters or longer,
# holds its page in a line or two: deleting lines could only keep all of it or none, and the
# model's verdict on such a line says nothing of the page (it learnt lines, not pages). Such a
# dump is kept whole or dropped whole as ``short_dumps`` says ("keep" by default: a page is never
# emptied for its layout), the same in ``cleaner predict --short-dumps``, clean_batch,
# Predictor.clean and the cluster integrations.
SHORT_LINES = 3
LONG_LINE = 1000
SHORT_DUMPS = ("keep", "drop")


class ShortDumpWarning(UserWarning):
    """A text was too short to clean line by line (a page on one line, see :data:`SHORT_LINES`):
    kept whole or dropped whole as ``short_dumps`` said, whatever the model's scores. Issued once per
    call of :func:`clean_batch` or :meth:`~cleaner.classifier.predictor.Predictor.clean`, naming the
    texts, since issue 14's rule is that such a page is never kept or emptied in silence; filter it
    as any warning (``warnings.filterwarnings("ignore", category=ShortDumpWarning)``) when the
    results' ``short_dump`` is read instead."""


def short_dump_longest(lines: Sequence[str], nonblank: int) -> int | None:
    """The length of the longest line (stripped) of a dump too short to clean line by line, one of
    fewer than :data:`SHORT_LINES` non-blank lines (``nonblank``) with one of :data:`LONG_LINE`
    characters or more; None for a dump cleaned line by line."""
    if not nonblank or nonblank >= SHORT_LINES:
        return None
    longest = max(len(line.strip()) for line in lines)
    return longest if longest >= LONG_LINE else None


def decisions(
    lines: Sequence[str], scores: np.ndarray, cut: float, short_dumps: str = "keep"
) -> tuple[list[bool], bool]:
    """Keep-or-drop of each non-blank line (P(content) at or above ``cut``), and whether the dump
    was too short to clean line by line, in which case every line is kept or every line dropped
    as ``short_dumps`` says. One rule for clean_batch, Predictor.clean and the integrations."""
    if short_dump_longest(lines, len(scores)) is not None:
        return [short_dumps == "keep"] * len(scores), True
    return (scores >= cut).tolist(), False


def warn_short_dumps(short: Sequence[int], total: int | None, short_dumps: str, stacklevel: int = 3) -> None:
    """A :class:`ShortDumpWarning` naming the texts at ``short`` (indexes into the caller's
    ``total`` texts; None: the caller gave one text, Predictor.clean), if any. ``stacklevel``: the
    caller's caller, whose line the warning shows."""
    if not short:
        return
    keep = short_dumps == "keep"
    one = len(short) == 1
    if total is None:
        which, are, them = "the text", "is", "it"
    else:
        indexes = listed([str(index) for index in short], 10)
        which = f"{len(short)} of {plural(total, 'text')} ({'index' if one else 'indexes'} {indexes})"
        are, them = ("is", "it") if one else ("are", "them")
    done = "kept whole" if keep else "dropped (cleaned to '')"
    other = f"short_dumps={'drop' if keep else 'keep'!r} {'drops' if keep else 'keeps'} {them}"
    if total is not None:
        other += f"; {'its result says' if one else 'their results say'} short_dump=True"
    warnings.warn(
        f"{which} {are} too short to clean line by line (fewer than {SHORT_LINES} non-blank lines, one of "
        f"{LONG_LINE} characters or more: a page on one line): {done}, whatever the model's scores ({other})",
        ShortDumpWarning,
        stacklevel=stacklevel,
    )


def short_dumps_value(short_dumps: object) -> str:
    """``short_dumps`` checked: "keep" or "drop" (a typo would otherwise drop silently or keep)."""
    if not isinstance(short_dumps, str) or short_dumps not in SHORT_DUMPS:
        raise ValueError(
            "short_dumps: expected 'keep' (a page on one line, too few lines to clean line by line, is kept whole) "
            f"or 'drop' (it is dropped whole); got {short_dumps!r}"
        )
    return short_dumps
