"""The character n-gram block (cleaner.features.cuechars) against scikit-learn's TfidfVectorizer.

CueChars finds each distinct word's n-grams once with numpy and hashed look-ups; the reference is
``TfidfVectorizer(analyzer="char_wb", sublinear_tf=True)`` itself, given the same vocabulary, on
text of several scripts (Latin with capitals whose lower case is special, CJK, Arabic, Devanagari),
words of one character, lines of whitespace only after their markup is taken out, and hypothesis's
own text.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from sklearn.feature_extraction.text import TfidfVectorizer

from cleaner.features.batch import LineBatch
from cleaner.features.cuechars import CueChars, word_grams

DOCUMENTS = [
    ["Kommentare abonnieren", "Newsletter abonnieren!", "a b c", "Đọc nhiều  Tin liên quan", "x"],
    ["Kommentar schreiben", "Newsletters", "相关新闻 阅读更多", "اقرأ أيضا", "ΣΟΦΙΑ İstanbul", "![](a.png)"],
    ["The the THE the", "हिंदी समाचार पढ़ें", "ab\tcd\u3000ef\u00a0gh", "I", "相关新闻"],
]


def reference(texts: list[str], cue: CueChars) -> np.ndarray:
    """The rows TfidfVectorizer gives ``texts`` with CueChars' vocabulary and idf."""
    vectorizer = TfidfVectorizer(
        analyzer="char_wb", ngram_range=cue.ngram_range, sublinear_tf=True, vocabulary=cue.vocabulary or ["\0"]
    ).fit(texts or [""])
    if cue.vocabulary:
        vectorizer.idf_ = cue.idf
    return vectorizer.transform(texts).toarray()[:, : len(cue.vocabulary)]


def assert_same(documents: list[list[str]], ngram_range: tuple[int, int], min_documents: int) -> None:
    batch = LineBatch(documents)
    cue = CueChars.fit(batch, min_documents, ngram_range)
    rows = cue.rows(LineBatch(documents))
    assert len(rows) == len(batch.texts)
    if not len(rows):
        return
    np.testing.assert_allclose(rows.to_csr().toarray(), reference(batch.texts, cue), rtol=0, atol=1e-9)
    assert np.all(np.diff(rows.indptr) >= 0)


@pytest.mark.parametrize("ngram_range", [(3, 5), (1, 1), (2, 4), (4, 6), (5, 5)])
def test_rows_match_the_vectorizer(ngram_range: tuple[int, int]) -> None:
    assert_same(DOCUMENTS, ngram_range, min_documents=1)
    assert_same(DOCUMENTS, ngram_range, min_documents=2)


def test_grams_are_the_vectorizers() -> None:
    analyze = TfidfVectorizer(analyzer="char_wb", ngram_range=(3, 5)).build_analyzer()
    for line in [text for doc in DOCUMENTS for text in doc]:
        mine = [gram for word in line.lower().split() for gram in word_grams(word, (3, 5))]
        assert sorted(mine) == sorted(analyze(line))


def test_idf_and_vocabulary_as_the_vectorizer_fits_them() -> None:
    """The idf is the vectorizer's own, over lines; an n-gram of fewer pages than asked is left out."""
    batch = LineBatch(DOCUMENTS)
    cue = CueChars.fit(batch, 2, (3, 5))
    vectorizer = TfidfVectorizer(analyzer="char_wb", ngram_range=(3, 5), vocabulary=cue.vocabulary).fit(batch.texts)
    np.testing.assert_allclose(cue.idf, vectorizer.idf_, rtol=0, atol=1e-12)
    assert "komme" in cue.vocabulary and "newsl" in cue.vocabulary  # on pages 1 and 2
    assert "abonn" not in cue.vocabulary  # twice, on page 1 only
    assert "chrei" not in cue.vocabulary  # "schreiben", on page 2 only


def test_page_weights_and_excerpts_count_as_in_cue_words() -> None:
    """A page of weight 2 counts twice; an excerpt (page_of) adds nothing to its page's count."""
    documents = [["Kommentar"], ["Kommentar"], ["unrelated"]]
    grams = set(word_grams("kommentar", (3, 5)))
    plain = CueChars.fit(LineBatch(documents), 2, (3, 5))
    assert grams <= set(plain.vocabulary)
    excerpt = CueChars.fit(LineBatch(documents), 2, (3, 5), page_of=[0, 0, 2])
    assert not grams & set(excerpt.vocabulary)
    weighted = CueChars.fit(LineBatch(documents), 2, (3, 5), page_weights=np.array([2.0, 2.0, 1.0]), page_of=[0, 0, 2])
    assert grams <= set(weighted.vocabulary)


def test_a_line_s_row_does_not_depend_on_its_batch() -> None:
    cue = CueChars.fit(LineBatch(DOCUMENTS), 1, (3, 5))
    whole = cue.rows(LineBatch(DOCUMENTS)).to_csr().toarray()
    alone = np.vstack([cue.rows(LineBatch([doc])).to_csr().toarray() for doc in DOCUMENTS])
    assert np.array_equal(whole, alone)


def test_an_empty_vocabulary_and_an_empty_batch() -> None:
    cue = CueChars.fit(LineBatch(DOCUMENTS), 99, (3, 5))
    assert cue.vocabulary == []
    rows = cue.rows(LineBatch(DOCUMENTS))
    assert len(rows) == len(LineBatch(DOCUMENTS)) and not len(rows.data)
    assert len(CueChars.fit(LineBatch(DOCUMENTS), 1).rows(LineBatch([[]]))) == 0


_ALPHABET = st.sampled_from([*"aAbBcİıΣσςß ßéÉ相关新闻ا ل م ह ि ं ् \t\u00a0\u3000.,!-x1", " ", " ", " "])
_LINES = st.lists(st.text(_ALPHABET, max_size=30), min_size=1, max_size=6)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(_LINES, min_size=1, max_size=4), st.sampled_from([(3, 5), (1, 3), (2, 2)]), st.integers(1, 2))
@example([["a", "İ i", "ΣΑΣ σας"]], (3, 5), 1)
def test_rows_match_the_vectorizer_on_any_text(
    documents: list[list[str]], ngram_range: tuple[int, int], min_documents: int
) -> None:
    assert_same(documents, ngram_range, min_documents)


@settings(max_examples=30, deadline=None)
@given(st.lists(st.lists(st.text(max_size=25), min_size=1, max_size=5), min_size=1, max_size=3))
def test_rows_match_the_vectorizer_on_any_unicode(documents: list[list[str]]) -> None:
    assert_same([[line.replace("\r", " ").replace("\n", " ") for line in doc] for doc in documents], (3, 5), 1)


def test_a_vocabulary_not_prefix_closed_is_looked_up_whole() -> None:
    """A fitted vocabulary holds every n-gram's first n - 1 characters, and the look-up skips the
    n-grams that extend none found; a vocabulary made otherwise (by hand) is looked up in full."""
    batch = LineBatch(DOCUMENTS)
    fitted = CueChars.fit(batch, 1, (3, 5))
    assert fitted.lexicon[2]
    longest = [term for term in fitted.vocabulary if len(term) == 5][::3]
    terms = sorted([*longest, "mme"])
    cue = CueChars(terms, np.linspace(1.0, 2.0, len(terms)), (3, 5))
    assert not cue.lexicon[2]
    expected = reference(batch.texts, cue)
    assert expected.any()
    np.testing.assert_allclose(cue.rows(batch).to_csr().toarray(), expected, rtol=0, atol=1e-9)


def test_the_words_kept_between_batches_change_no_row() -> None:
    """Rows are the same from a fresh CueChars, one that saw other batches, one whose cache of
    words overflowed and restarted, and a pickled copy."""
    import pickle

    fitted = CueChars.fit(LineBatch(DOCUMENTS), 1, (3, 5))
    expected = [CueChars(fitted.vocabulary, fitted.idf).rows(LineBatch([doc])).to_csr().toarray() for doc in DOCUMENTS]
    small = CueChars(fitted.vocabulary, fitted.idf)
    small.CACHED_WORDS = 8
    for cue in (fitted, small, pickle.loads(pickle.dumps(fitted))):
        for _ in range(2):
            for doc, rows in zip(DOCUMENTS[::-1], expected[::-1]):
                assert np.array_equal(cue.rows(LineBatch([doc])).to_csr().toarray(), rows)
