"""A page printed twice in one dump (a mobile and a desktop layout in one HTML) comes out once: the
shipped model keeps the first print's article and drops the second print, which is a duplicate.

Checked on the pages of ``labels/new-languages/`` and ``labels/prose-chrome/``, which the shipped model
is not trained on (no training page is printed twice either; training makes such pages,
``LineClassifier(reprinted=...)``).
"""

from __future__ import annotations

from pathlib import Path

from cleaner.classifier.format import SHIPPED_MODEL, load_model
from cleaner.training.labels import load_labelled_dir

LABELS = Path(__file__).resolve().parent.parent / "labels"
HELD_OUT = [LABELS / "new-languages", LABELS / "prose-chrome"]


def test_the_second_print_of_a_page_is_dropped_and_the_first_kept() -> None:
    model = load_model(SHIPPED_MODEL)
    documents = [doc for directory in HELD_OUT for doc in load_labelled_dir(directory)]
    assert len(documents) >= 50
    alone = first = second = 0
    for doc in documents:
        n = len(doc.lines)
        by_itself = model.predict_lines(doc.lines)
        twice = model.predict_lines(doc.lines + doc.lines)
        for i, label in enumerate(doc.labels):
            if label == "content":
                size = len(doc.lines[i])
                alone += size * (by_itself[i] == "content")
                first += size * (twice[i] == "content")
                second += size * (twice[n + i] == "content")
    assert second <= 0.05 * alone, f"the second print kept {second / alone:.0%} of what the page alone keeps"
    assert first >= 0.95 * alone, f"the first print kept {first / alone:.0%} of what the page alone keeps"
