"""The character n-gram block (cleaner.features.cuechars) against scikit-learn's TfidfVectorizer.

CueChars finds each distinct word's n-grams once with numpy and hashed look-ups; the reference is
``TfidfVectorizer(analyzer="char_wb", sublinear_tf=True)`` itself, given the same vocabulary and
each letter of a script without spaces set apart by spaces (the block's words there), on
text of several scripts (Latin with capitals whose lower case is special, CJK, Arabic, Devanagari),
words of one character, lines of whitespace only after their markup is taken out, and hypothesis's
own text.
"""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from sklearn.feature_extraction.text import TfidfVectorizer

from cleaner.features.batch import LineBatch
from cleaner.features.chars import code_points, no_space_letters
from cleaner.features.cuechars import CueChars, block_words, word_grams

DOCUMENTS = [
    ["Kommentare abonnieren", "Newsletter abonnieren!", "a b c", "Đọc nhiều  Tin liên quan", "x"],
    ["Kommentar schreiben", "Newsletters", "相关新闻 阅读更多", "اقرأ أيضا", "ΣΟΦΙΑ İstanbul", "![](a.png)"],
    ["The the THE the", "हिंदी समाचार पढ़ें", "ab\tcd\u3000ef\u00a0gh", "I", "相关新闻"],
]


def letters_apart(text: str) -> str:
    """``text`` with every letter of a script written without spaces between two spaces, one
    character at a time (the block finds those words with numpy)."""
    apart = no_space_letters(np.array([ord(c) for c in text], dtype=np.int64))
    return "".join(f" {c} " if alone else c for c, alone in zip(text, apart.tolist()))


def reference(texts: list[str], cue: CueChars) -> np.ndarray:
    """The rows TfidfVectorizer gives ``texts`` with CueChars' vocabulary and idf."""
    texts = [letters_apart(text) for text in texts]
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
    expected = reference(batch.texts, cue)
    np.testing.assert_allclose(rows.to_csr().toarray(), expected, rtol=0, atol=1e-9)
    assert np.all(np.diff(rows.indptr) >= 0)
    # What prediction uses: each row's product with the weights, without the rows.
    weights = np.random.default_rng(len(cue.vocabulary)).normal(size=len(cue.vocabulary))
    np.testing.assert_allclose(cue.scores(LineBatch(documents), weights), expected @ weights, rtol=0, atol=1e-9)
    np.testing.assert_allclose(cue.scores(batch, weights), rows @ weights, rtol=0, atol=1e-12)


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
    vectorizer = TfidfVectorizer(analyzer="char_wb", ngram_range=(3, 5), vocabulary=cue.vocabulary).fit(
        [letters_apart(text) for text in batch.texts]
    )
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
    assert np.array_equal(cue.scores(LineBatch(DOCUMENTS), np.zeros(0)), np.zeros(len(rows)))
    fitted = CueChars.fit(LineBatch(DOCUMENTS), 1)
    assert len(fitted.rows(LineBatch([[]]))) == 0
    assert len(fitted.scores(LineBatch([[]]), np.ones(len(fitted.vocabulary)))) == 0


_WORDS = st.sampled_from(["the", "then", "there", "he", "her", "here", "ere", "a", "aa", "aaaa", "abab", "ababab", "x"])


@settings(max_examples=80, deadline=None)
@given(
    st.lists(
        st.lists(st.lists(_WORDS, min_size=1, max_size=40).map(" ".join), min_size=1, max_size=8),
        min_size=1,
        max_size=3,
    ),
    st.sampled_from([(3, 5), (1, 3), (2, 2), (4, 4)]),
)
def test_scores_count_repeated_grams_as_the_rows(documents: list[list[str]], ngram_range: tuple[int, int]) -> None:
    """The products without the rows, on lines where n-grams repeat: a word twice, an n-gram twice in
    a word (``abab``), in two words (``the``, ``then``); each line's product is rows @ weights."""
    batch = LineBatch(documents)
    cue = CueChars.fit(batch, 1, ngram_range)
    weights = np.random.default_rng(0).normal(size=len(cue.vocabulary))
    expected = reference(batch.texts, cue) @ weights
    np.testing.assert_allclose(cue.scores(LineBatch(documents), weights), expected, rtol=0, atol=1e-9)
    np.testing.assert_allclose(cue.scores(batch, weights), cue.rows(batch) @ weights, rtol=0, atol=1e-12)


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
                weights = np.arange(len(fitted.vocabulary)) % 7 - 3.0
                np.testing.assert_allclose(cue.scores(LineBatch([doc]), weights), rows @ weights, rtol=0, atol=1e-12)


_SPELLINGS = st.text(
    st.sampled_from(["a", "b", "\x00", "\xff", "\u0100", "\uffff", "\U0001d538", "ß"]), min_size=1, max_size=18
)


@settings(max_examples=200, deadline=None)
@given(st.lists(_SPELLINGS, min_size=1, max_size=30, unique=True))
def test_packed_words_are_told_apart(words: list[str]) -> None:
    """Two words never share a packed key; a word too long or of too high characters has none."""
    from cleaner.features.cuechars import _packed

    lengths = np.array([len(word) for word in words])
    starts = np.cumsum(lengths + 1) - lengths - 1
    low, high = _packed(code_points(" ".join(words)), starts, starts + lengths)
    keys = {(a, b) for a, b in zip(low.tolist(), high.tolist()) if a}
    assert len(keys) == np.count_nonzero(low)
    for word, a in zip(words, low.tolist()):
        largest = max(map(ord, word))
        assert bool(a) == ((len(word) <= 15 and largest <= 255) or (len(word) <= 7 and largest <= 65535))


@settings(max_examples=100, deadline=None)
@given(st.lists(st.tuples(st.integers(1, 40), st.integers(0, 3)), max_size=300, unique=True), st.integers(1, 5))
def test_the_key_table_finds_every_key_added(keys: list[tuple[int, int]], parts: int) -> None:
    """Keys added in several rounds (the table grows) are all found, with their numbers; others are not."""
    from cleaner.features.lexicon import KeyTable

    table = KeyTable(bits=2)
    low = np.array([a for a, _ in keys], np.uint64)
    high = np.array([b for _, b in keys], np.uint64)
    bounds = np.linspace(0, len(keys), parts + 1).astype(int)
    for start, stop in itertools.pairwise(bounds):
        table.add(low[start:stop], high[start:stop], np.arange(start, stop))
        found = table.find(low, high)
        assert np.array_equal(found, np.where(np.arange(len(keys)) < stop, np.arange(len(keys)), -1))
    assert np.array_equal(table.find(np.array([0, 41], np.uint64), np.array([0, 0], np.uint64)), [-1, -1])


def test_words_of_every_kind_share_the_cache() -> None:
    """Short and long words, of low and high characters, seen before or not: rows as from scratch."""
    documents = [
        ["Đọc nhiều tin liên quan", "相关新闻 相关新闻阅读更多", "😀😃x 😀😃x abc", "x" * 20 + " " + "x" * 15],
        ["Donaudampfschifffahrtsgesellschaft Donau", "ΣΟΦΙΑ σοφια", "ÿÿÿ ÿÿÿ ĀĀĀ"],
    ]
    fitted = CueChars.fit(LineBatch(documents), 1, (2, 4))
    cue = CueChars(fitted.vocabulary, fitted.idf, (2, 4))
    for doc in documents + documents[::-1] + [documents[0] + documents[1]]:
        batch = LineBatch([doc])
        expected = reference(batch.texts, fitted)
        np.testing.assert_allclose(cue.rows(batch).to_csr().toarray(), expected, rtol=0, atol=1e-9)


_SCRIPTS = ["the", "then", "a", "I", "đọc", "nhiều", "người", "ngưỡng", "相关", "新闻", "اقرأ", "أيضا", "हिंदी"]
_MIXED_WORDS = st.sampled_from([*_SCRIPTS, "😀😃", "ab" * 10, "x"])
_MIXED_LINES = st.lists(st.lists(_MIXED_WORDS, max_size=12).map(" ".join), min_size=1, max_size=6)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(_MIXED_LINES, min_size=1, max_size=4), st.sampled_from([(4, 4), (3, 5), (2, 2)]))
def test_scores_sum_words_then_correct_repeated_cells(documents: list[list[str]], ngram_range: tuple[int, int]) -> None:
    """Scores are summed word by word and corrected for the cells that repeat in a line: on lines of
    repeated words of several scripts (empty lines, words shorter than n, words sharing n-grams),
    they are the vectorizer's rows times the weights, and each document's are the same alone as in
    the batch, for any weights, the kept sums of one set of weights not reused for another."""
    batch = LineBatch(documents)
    cue = CueChars.fit(batch, 1, ngram_range)
    rng = np.random.default_rng(len(cue.vocabulary))
    for weights in (rng.normal(size=len(cue.vocabulary)), rng.normal(size=len(cue.vocabulary))):
        expected = reference(batch.texts, cue) @ weights if len(batch.texts) else np.zeros(0)
        scores = cue.scores(LineBatch(documents), weights)
        np.testing.assert_allclose(scores, expected, rtol=0, atol=1e-9)
        np.testing.assert_allclose(scores, cue.rows(batch) @ weights, rtol=0, atol=1e-12)
        alone = [cue.scores(LineBatch([doc]), weights) for doc in documents]
        assert np.array_equal(np.concatenate(alone), scores)


def test_letters_of_scripts_without_spaces_are_words_of_their_own() -> None:
    """A Chinese or Japanese clause is one "word" of str.split, whose n-grams recur on no other page;
    the block takes its letters one by one (and what sits between them, as written)."""
    batch = LineBatch([["相关新闻 阅读更多", "ข่าวล่าสุด", "Đọc 2025年11月 thêm", "とてもabcだ", "plain words"]])
    starts, ends, line = block_words(batch)
    text = batch.lowered.string
    words = [text[a:b] for a, b in zip(starts.tolist(), ends.tolist())]
    assert words == [
        *"相关新闻阅读更多",
        *"ข่าวล่าสุด",
        "đọc",
        "2025",
        "年",
        "11",
        "月",
        "thêm",
        *"とても",
        "abc",
        "だ",
        "plain",
        "words",
    ]
    assert line.tolist() == [0] * 8 + [1] * len("ข่าวล่าสุด") + [2] * 6 + [3] * 5 + [4] * 2
