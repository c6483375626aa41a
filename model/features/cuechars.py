"""Cue character n-grams: TF-IDF of the character n-grams inside words that recur across many pages.

Cue words are learnt per spelling: ``Newsletter``, ``abonnieren`` and ``Kommentar`` teach nothing
about ``Newsletters``, ``abonniere`` or ``Kommentare``. Character n-grams inside words carry a cue
from one inflection or compound to another. Like :class:`~cleaner.features.cuewords.CueWords`,
:meth:`CueChars.fit` keeps only the n-grams seen in at least ``min_documents`` training pages.

The n-grams and weights are those of scikit-learn's ``TfidfVectorizer(analyzer="char_wb",
sublinear_tf=True)``: the words of the lower-cased line (``str.split``), each padded with one
space on either side, every n-gram of each padded word (a padded word no longer than n counts once,
whole, and ends its n-grams; see :func:`word_grams`), ``1 + log(count)`` times the smoothed idf
over lines, rows scaled to unit l2 norm; tests compare the two to 1e-9.

Speed: a page's words repeat (``the``, a site's menu words), so :meth:`CueChars.rows` finds the
n-grams of each distinct word once, with numpy, and gives every occurrence of the word its word's
n-grams; words seen in earlier batches keep theirs. The look-up is a hashed
:class:`~cleaner.features.lexicon.Lexicon`, which confirms every hash hit character by character:
no collision can add an n-gram that is not there. Predicting imports neither scikit-learn nor
scipy. The block still costs: with (3, 5) the predictor ran at 0.5-0.6 times its speed without it
(2026-12-04), most of it counting the (line, n-gram) pairs, about seven per word, with a sort.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from functools import cached_property
from typing import Any

import numpy as np

from .batch import WHITESPACE, LineBatch, code_points
from .cuewords import SparseRows, page_vocabulary, tfidf_rows
from .lexicon import Lexicon


def word_grams(word: str, ngram_range: tuple[int, int]) -> list[str]:
    """The character n-grams of one word, as scikit-learn's ``_char_wb_ngrams`` makes them: of the
    word padded with one space on either side, all n-grams of each size n; a padded word of n
    characters or fewer is one n-gram, whole, and no larger n follows."""
    padded = f" {word} "
    grams = []
    for n in range(ngram_range[0], ngram_range[1] + 1):
        if len(padded) <= n:
            grams.append(padded)
            break
        grams.extend(padded[i : i + n] for i in range(len(padded) - n + 1))
    return grams


class CueChars:
    """TF-IDF of the vocabulary's character n-grams (inside words) in each line.

    Parameters
    ----------
    vocabulary : list of str
        The n-grams, sorted, in column order (a padded word's n-grams hold its spaces).
    idf : ndarray of shape (len(vocabulary),)
        The columns' inverse document frequencies.
    ngram_range : (int, int)
        The smallest and largest n-gram sizes counted.
    """

    def __init__(self, vocabulary: list[str], idf: np.ndarray, ngram_range: tuple[int, int] = (3, 5)) -> None:
        self.vocabulary = list(vocabulary)
        self.idf = np.asarray(idf, dtype=np.float64)
        self.ngram_range = (int(ngram_range[0]), int(ngram_range[1]))
        self._known = _Known()  # the words of earlier batches, with their n-grams' columns
        self._lock = threading.Lock()  # for a predictor shared by threads: one batch updates the cache at a time

    @classmethod
    def fit(
        cls,
        batch: LineBatch,
        min_documents: int,
        ngram_range: tuple[int, int] = (3, 5),
        page_weights: np.ndarray | None = None,
        page_of: Sequence[int] | None = None,
    ) -> CueChars:
        """The n-grams of the batch's lines that occur in at least ``min_documents`` of its pages,
        sorted, with their smoothed idf over lines: ``log((1 + n) / (1 + df)) + 1``.

        ``page_weights`` and ``page_of`` (one per document) count pages as
        :meth:`CueWords.fit <cleaner.features.cuewords.CueWords.fit>` does: a page weighs its
        weight, and an excerpt adds nothing to the count of the page it was cut from."""
        grams_of: dict[str, frozenset[str]] = {}
        per_line: list[set[str]] = []
        for text in map(str.lower, batch.texts):
            terms: set[str] = set()
            for word in text.split():
                grams = grams_of.get(word)
                if grams is None:
                    grams = grams_of[word] = frozenset(word_grams(word, ngram_range))
                terms |= grams
            per_line.append(terms)
        vocabulary, idf = page_vocabulary(per_line, batch, min_documents, page_weights, page_of)
        return cls(vocabulary, idf, ngram_range)

    # Words whose n-grams are kept between batches, at most (about 30 MB).
    CACHED_WORDS = 200_000

    def __getstate__(self) -> dict[str, Any]:
        """Pickled (a joblib copy of an estimator) without the lock, the cache and the lexicon."""
        return {k: v for k, v in self.__dict__.items() if k not in ("_known", "_lock", "lexicon")}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)
        self._known, self._lock = _Known(), threading.Lock()

    @cached_property
    def lexicon(self) -> tuple[Lexicon, np.ndarray, bool]:
        """The vocabulary as a :class:`Lexicon`, the column of each of its strings, and whether the
        vocabulary is prefix-closed (made on first use, not saved: it is rebuilt faster than it loads).

        A fitted vocabulary is: an n-gram's first n - 1 characters are an (n - 1)-gram of every page
        it is on (when n - 1 is still a size counted), so they count at least as many pages. Then
        only the n-grams whose first n - 1 characters were found need looking up.
        """
        lexicon = Lexicon(self.vocabulary)
        column = {term: i for i, term in enumerate(self.vocabulary)}
        closed = all(term[:-1] in column for term in self.vocabulary if len(term) > self.ngram_range[0])
        return lexicon, np.fromiter((column[s] for s in lexicon.strings), np.int64, len(lexicon.strings)), closed

    def rows(self, batch: LineBatch) -> SparseRows:
        """The TF-IDF rows of the batch's non-blank lines.

        The words are the runs of non-whitespace of the lower-cased text (what ``str.split`` gives);
        the distinct ones are padded and joined into one string, their n-grams looked up there at
        once, and each occurrence of a word then takes its word's columns.
        """
        n_rows = len(batch)
        empty = np.zeros(0, np.int64)
        if not n_rows or not self.vocabulary:
            return tfidf_rows(empty, empty, n_rows, self.idf)
        lowered = batch.lowered
        starts, _ = lowered.runs(WHITESPACE, inside=False)
        line = lowered.line_of(starts).astype(np.int64)
        words = lowered.string.split()  # the same runs, as strings
        with self._lock:
            known = self._known
            new = set(words).difference(known.number)
            if len(known.number) + len(new) > self.CACHED_WORDS:
                known = self._known = _Known()
                new = set(words)
            if new:
                known.add(list(new), *self._distinct_grams(list(new)))
            occurrence = np.fromiter(map(known.number.__getitem__, words), np.int64, len(words))
            # Each occurrence of a word, its word's n-grams: a run of known.columns.
            first = known.first[occurrence]
            hits = known.first[occurrence + 1] - first
            at = np.repeat(first - np.cumsum(hits) + hits, hits) + np.arange(int(hits.sum()))
            columns = known.columns[at]
        return tfidf_rows(np.repeat(line, hits), columns, n_rows, self.idf)

    def _distinct_grams(self, words: list[str]) -> tuple[np.ndarray, np.ndarray]:
        """The vocabulary n-grams of each of ``words`` (distinct): word numbers, in order, and
        columns, one pair per occurrence of an n-gram in the word."""
        lexicon, columns, closed = self.lexicon
        low, high = self.ngram_range
        lengths = np.fromiter(map(len, words), np.int64, len(words)) + 2  # padded
        # The padded words one after another: " w1  w2  w3 ".
        offsets = np.cumsum(lengths) - lengths
        codes = code_points(" " + "  ".join(words) + " ")
        short = np.flatnonzero(lengths < low)  # a padded word shorter than the smallest n: itself
        found = [lexicon.find(codes, offsets[short], lengths[short])]
        owners = [short]
        # The n-grams of each size n: all of those of the padded words of n characters or more, or,
        # in a prefix-closed vocabulary, those that extend an (n - 1)-gram found.
        start, owner = np.zeros(0, np.int64), np.zeros(0, np.int64)
        for n in range(low, high + 1):
            if n == low or not closed:
                fits = np.flatnonzero(lengths >= n)
                count = lengths[fits] - n + 1
                owner = np.repeat(fits, count)
                start = offsets[owner] + np.arange(len(owner)) - np.repeat(np.cumsum(count) - count, count)
            else:
                longer = start + n <= offsets[owner] + lengths[owner]
                start, owner = start[longer], owner[longer]
            hit = lexicon.find(codes, start, np.full(len(start), n))
            if closed:
                kept = hit >= 0
                start, owner, hit = start[kept], owner[kept], hit[kept]
            found.append(hit)
            owners.append(owner)
        gram, word = np.concatenate(found), np.concatenate(owners)
        hit = np.flatnonzero(gram >= 0)
        order = np.argsort(word[hit], kind="stable")
        return word[hit][order], columns[gram[hit][order]]


class _Known:
    """The words whose n-grams were looked up already, kept between batches: most words of a batch
    were in the batches before (``the``, a site's menu), and looking up their n-grams again was
    most of the block's cost. Word ``number[w]``'s columns are ``columns[first[k] : first[k + 1]]``."""

    def __init__(self) -> None:
        self.number: dict[str, int] = {}
        self.first = np.zeros(1, np.int64)
        self.columns = np.zeros(0, np.int32)

    def add(self, words: list[str], word_of: np.ndarray, columns: np.ndarray) -> None:
        """Number ``words`` (new) after the known ones, with their n-grams as _distinct_grams gives them."""
        self.number.update(zip(words, range(len(self.number), len(self.number) + len(words))))
        ends = np.searchsorted(word_of, np.arange(1, len(words) + 1)) + len(self.columns)
        self.first = np.concatenate([self.first, ends])
        self.columns = np.concatenate([self.columns, columns.astype(np.int32)])
