"""The checks of ``LineClassifier.fit``'s inputs, as scikit-learn's ``utils/validation.py`` holds
its estimators': documents and labels of the right kinds and lengths, each label one a line can take,
and both classes present; each error says what was given and what is expected, before any fit.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from numbers import Real

import numpy as np

from ..labels import BOILERPLATE, CONTENT, TAGS
from ..text import is_blank, nth, str_lines

LABELS_EXPECTED = "labels are 'content' or 'boilerplate' per line, None for a blank line"


def check_classes(y: np.ndarray) -> None:
    """A ValueError unless the labelled lines (``y``, before any augmentation) hold both classes."""
    if len(set(y.tolist())) < 2:
        only = (
            "no line is labelled"
            if not len(y)
            else f"all {len(y)} labelled lines are {CONTENT if y[0] else BOILERPLATE!r}"
        )
        raise ValueError(f"training data needs both content and boilerplate lines; {only}")


def training_data(documents: object, labels: object) -> tuple[list[list[str]], list[list[str | None]]]:
    """The documents and labels as lists, checked as scikit-learn checks in ``fit``: a TypeError for
    a wrong kind of input, a ValueError for wrong values, each saying what was given and what is
    expected. Without it, documents given as strings were read character by character ("947 lines
    but 17 labels"), label-file tags "C"/"B" were taken for boilerplate ("needs both content and
    boilerplate lines"), and integer labels failed as "blank lines and only blank lines take None"."""
    given = [_document(doc, index, total) for index, doc, total in _items(documents, "documents", "a list of lines")]
    labelled = [_labels(doc, index, total) for index, doc, total in _items(labels, "labels", "a list of labels")]
    if len(given) != len(labelled):
        raise ValueError(f"{len(given)} documents but {len(labelled)} label lists (one list per document)")
    for index, (lines, doc_labels) in enumerate(zip(given, labelled)):
        document = nth(index, len(given), "document")
        if len(lines) != len(doc_labels):
            raise ValueError(
                f"{document}: {len(lines)} lines but {len(doc_labels)} labels (one per line, None for a blank line)"
            )
        for at, (line, label) in enumerate(zip(lines, doc_labels)):
            _check_label(line, label, f"labels: {document}, {nth(at, len(lines), 'line')}")
    return given, labelled


def _items(values: object, name: str, each: str) -> list[tuple[int, object, int]]:
    """The items of ``documents`` or ``labels`` with their index and count: a list (or any
    iterable) of one item per document; one str is refused, as read it would be characters."""
    if isinstance(values, (str, bytes, bytearray, Mapping)) or not isinstance(values, Iterable):
        raise TypeError(f"{name}: expected a list with {each} per document; got {type(values).__name__}")
    items = list(values)
    return [(index, item, len(items)) for index, item in enumerate(items)]


def _document(doc: object, index: int, total: int) -> list[str]:
    """One document as its list of lines (str), or a TypeError saying what to pass instead."""
    what = f"documents: {nth(index, total, 'document')}"
    if isinstance(doc, str):
        raise TypeError(
            f"{what} is a str, not a list of lines: split each dump into its lines "
            "(cleaner.text.split_lines(text)), one label per line"
        )
    if isinstance(doc, (bytes, bytearray, Mapping)) or not isinstance(doc, Iterable):
        raise TypeError(f"{what}: expected a list of lines (str); got {type(doc).__name__}")
    return str_lines(doc, what)


def _labels(doc_labels: object, index: int, total: int) -> list[str | None]:
    """One document's labels as a list, or a TypeError: a str of tags ("CCB") is no list of labels."""
    what = f"labels: {nth(index, total, 'document')}"
    if isinstance(doc_labels, (str, bytes, bytearray, Mapping)) or not isinstance(doc_labels, Iterable):
        raise TypeError(
            f"{what}: expected a list of labels, one per line ({LABELS_EXPECTED}); got {type(doc_labels).__name__}"
        )
    return list(doc_labels)


def _check_label(line: str, label: object, where: str) -> None:
    """A ValueError saying what ``label`` is and what was expected, unless it is the label ``line``
    can take: 'content' or 'boilerplate' for a non-blank line, None for a blank one."""
    if label is not None and not (isinstance(label, str) and label in (CONTENT, BOILERPLATE)):
        raise ValueError(f"{where}: got {label!r} ({type(label).__name__}); {LABELS_EXPECTED}{_label_hint(label)}")
    if label is not None and is_blank(line):
        raise ValueError(f"{where}: a blank line labelled {label!r}; {LABELS_EXPECTED}")
    if label is None and not is_blank(line):
        raise ValueError(f"{where}: the non-blank line {_shown(line)} labelled None; {LABELS_EXPECTED}")


def _label_hint(label: object) -> str:
    """What to do about a label that is none: the label files' tags and numbers are the likely ones."""
    if isinstance(label, str) and label in TAGS:
        return (
            f": C and B are the label files' tags; map C to {CONTENT!r} and B to {BOILERPLATE!r} "
            "(cleaner.labels.parse_label_text reads a label file so)"
        )
    if isinstance(label, (Real, np.bool_)):  # bool and numpy's numbers included
        return ", not numbers or booleans"
    return ""


def _shown(line: str, width: int = 40) -> str:
    """A line quoted in a message, cut to ``width`` characters."""
    return repr(line if len(line) <= width else line[: width - 3] + "...")
