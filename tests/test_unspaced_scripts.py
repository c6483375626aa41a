"""Pages in scripts written without spaces between words keep their article.

Chinese and Japanese text has no spaces, so counting words by spaces sees one "word" per line and
no stopwords: before the features counted letters in such scripts, every article line scored like
a menu item and these pages came out empty. The pages here (tests/data/unspaced-*.tsv) were written
by this project for this test and are not in labels/: the shipped model has never seen them.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from cleaner import load_model
from cleaner.classifier.format import SHIPPED_MODEL
from cleaner.labels import CONTENT
from cleaner.training.labels import read_label_file

PAGES = sorted((Path(__file__).resolve().parent / "data").glob("unspaced-*.tsv"))


@pytest.mark.parametrize("path", PAGES, ids=[p.stem for p in PAGES])
def test_the_article_is_kept(path: Path) -> None:
    lines, labels = read_label_file(path)
    predicted = load_model(SHIPPED_MODEL).predict_lines(lines)
    content = [i for i, label in enumerate(labels) if label == CONTENT]
    kept = [i for i in content if predicted[i] == CONTENT]
    kept_chars = sum(len(lines[i]) for i in kept) / sum(len(lines[i]) for i in content)
    assert kept_chars >= 0.75, f"{path.name}: only {kept_chars:.0%} of the article's characters kept"
    wrongly_kept = [i for i, label in enumerate(labels) if label == "boilerplate" and predicted[i] == CONTENT]
    assert len(wrongly_kept) <= len(labels) // 4, [lines[i] for i in wrongly_kept]


def test_there_are_pages_of_both_scripts() -> None:
    assert {p.stem for p in PAGES} >= {"unspaced-zh", "unspaced-ja"}
