"""Cue character n-grams: TF-IDF of the character n-grams inside words that recur across many pages.

Cue words are learnt per spelling: ``Newsletter``, ``abonnieren`` and ``Kommentar`` teach nothing
about ``Newsletters``, ``abonniere`` or ``Kommentare``. Character n-grams inside words carry a cue
from one inflection or compound to another. Like :class:`~cleaner.features.cuewords.CueWords`,
:meth:`CueChars.fit` keeps only the n-grams seen in at least ``min_documents`` training pages.

The n-grams and weights are those of scikit-learn's ``TfidfVectorizer(analyzer="char_wb",
sublinear_tf=True)``: the words of the lower-cased line (``str.split``, except that each letter of
a script written without spaces is a word of its own: see :func:`block_words`), each padded with one
space on either side, every n-gram of each padded word (a padded word no longer than n counts once,
whole, and ends its n-grams; see :func:`word_grams`), ``1 + log(count)`` times the smoothed idf
over lines, rows scaled to unit l2 norm; tests compare the two to 1e-9.

Speed: a page's words repeat (``the``, a site's menu words), so :meth:`CueChars.rows` finds the
n-grams of each distinct word once, with numpy, and gives every occurrence of the word its word's
n-grams; words seen in earlier batches keep theirs. Words are numbered with numpy too, by a key
that packs the whole word (see :func:`_packed`), so no Python call is made per word. The n-gram
look-up is a hashed :class:`~cleaner.features.lexicon.Lexicon`, which confirms every hash hit
character by character: no collision can add an n-gram that is not there. Prediction needs only
each line's product with the weights (:meth:`CueChars.scores`): a line's sums are its words'
(made once per word), less what its few repeated cells overcount, found without sorting the cells.
Predicting imports neither scikit-learn nor scipy. The block still costs: with (4, 4) the block's
own time fell by about 40% (profiled, 2026-12-04: 190 -> 113 ms per 1000 bench pages, 52 -> 31 ms
for the label pages), and the predictor ran at about 0.87-0.9 times its speed without it, from
0.8-0.85 (on two cores shared with another job); the rest is mostly packing and looking up the
words (half), then expanding them to (line, n-gram) pairs to find the repeated cells. The letters
of scripts without spaces as words add 14% more words on the bench corpus. The whole ``cleaner
predict`` process with the shipped configuration, with and without the block (``make bench``'s
throughput part, two alternating runs, 2026-12-05): 0.84-0.89 of the speed with one job, 0.89 with two.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from functools import cached_property
from itertools import repeat
from typing import Any

import numpy as np

from .batch import LineBatch
from .chars import WHITESPACE, code_points, no_space_letters
from .cuewords import SparseRows, page_vocabulary, tfidf_rows
from .lexicon import KeyTable, Lexicon


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
        self._known = _Known(len(self.vocabulary))  # the words of earlier batches, with their n-grams' columns
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
        per_line: list[set[str]] = [set() for _ in range(len(batch))]
        starts, ends, line = block_words(batch)
        text = batch.lowered.string
        for start, end, row in zip(starts.tolist(), ends.tolist(), line.tolist()):
            word = text[start:end]
            grams = grams_of.get(word)
            if grams is None:
                grams = grams_of[word] = frozenset(word_grams(word, ngram_range))
            per_line[row] |= grams
        vocabulary, idf = page_vocabulary(per_line, batch, min_documents, page_weights, page_of)
        return cls(vocabulary, idf, ngram_range)

    # Words whose n-grams are kept between batches, at most (about 30 MB).
    CACHED_WORDS = 200_000

    def __getstate__(self) -> dict[str, Any]:
        """Pickled (a joblib copy of an estimator) without the lock, the cache and the lexicon."""
        return {k: v for k, v in self.__dict__.items() if k not in ("_known", "_lock", "lexicon")}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)
        self._known, self._lock = _Known(len(self.vocabulary)), threading.Lock()

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
        if not n_rows or not self.vocabulary:
            empty = np.zeros(0, np.int64)
            return tfidf_rows(empty, empty, n_rows, self.idf)
        line, word, known = self._numbered(batch)
        hits, columns = known.pairs(word)
        return tfidf_rows(np.repeat(line, hits), columns, n_rows, self.idf)

    def scores(self, batch: LineBatch, weights: np.ndarray) -> np.ndarray:
        """Each non-blank line's TF-IDF row times ``weights`` (``rows(batch) @ weights``, to 1e-12 or
        so), without making the rows: all prediction needs.

        Few cells repeat in a line (one (line, n-gram) pair in thirteen on the bench corpus), so a
        line's sums are first taken as if each counted once: those of its words, each word's sums
        made once for all its occurrences (see :meth:`_Known.sums`); the repeated cells then take
        off what they were overcounted (see :func:`repeated_cells`). Every sum runs within one
        line, in an order the line alone sets, so a line's product does not depend on its batch.
        Counting every cell (a sort of the cells) and summing them took twice as long (2026-12-04).
        """
        n_rows = len(batch)
        if not n_rows or not self.vocabulary:
            return np.zeros(n_rows)
        weighted = self.idf * np.asarray(weights, dtype=np.float64)
        squared = self.idf * self.idf
        line, word, known = self._numbered(batch)
        with self._lock:
            word_weighted, word_squared = known.sums(weighted, squared)
        hits, columns = known.pairs(word)  # words added meanwhile by another thread change no run of these
        over_weighted, over_squared = repeated_cells(np.repeat(_small(line, n_rows), hits), columns, weighted, squared)
        numerator = np.bincount(line, word_weighted[word], n_rows)
        numerator -= np.bincount(over_weighted[0], over_weighted[1], n_rows)
        norms = np.bincount(line, word_squared[word], n_rows)
        norms -= np.bincount(over_squared[0], over_squared[1], n_rows)
        norms = np.sqrt(norms)
        norms[norms == 0.0] = 1.0
        return numerator / norms

    def _numbered(self, batch: LineBatch) -> tuple[np.ndarray, np.ndarray, _Known]:
        """Each word of the batch (in order): its line, and its number in the words kept, which
        are returned too (:class:`_Known`, which holds each word's columns).

        The words are numbered without a Python call each where they can be: a word of at most
        seven characters below U+10000 or fifteen below U+0100 (nearly every word of most pages) is
        packed whole, with its length, into two 64-bit integers, a key no other word has, looked up
        in a hash table with numpy (see :func:`_packed`). The other words are looked up by their
        strings in a dict."""
        lowered = batch.lowered
        starts, ends, line = block_words(batch)
        line = line.astype(np.intp)
        key = _packed(lowered.codes, starts, ends)
        unpacked = np.flatnonzero(key[0] == 0)
        spelt = _spelt(lowered.codes, starts[unpacked], ends[unpacked])
        with self._lock:
            known = self._known
            occurrence = known.find(key, unpacked, spelt)
            if (occurrence < 0).any():
                at, new_spelt = _new_words(occurrence, key, unpacked, spelt)
                if known.size + len(at) + len(new_spelt) > self.CACHED_WORDS:
                    known = self._known = _Known(len(self.vocabulary))
                    occurrence = known.find(key, unpacked, spelt)
                    at, new_spelt = _new_words(occurrence, key, unpacked, spelt)
                padded = _padded(lowered.codes, starts[at], ends[at], new_spelt)
                number = known.add(len(at) + len(new_spelt), *self._distinct_grams(*padded))
                known.table.add(key[0][at], key[1][at], number[: len(at)])
                known.number.update(zip(new_spelt, number[len(at) :].tolist()))
                unknown = np.flatnonzero(occurrence < 0)  # looked up again, now known
                occurrence[unknown] = known.table.find(key[0][unknown], key[1][unknown])
                if len(unpacked):
                    occurrence[unpacked] = np.fromiter(map(known.number.__getitem__, spelt), np.int64, len(spelt))
        return line, occurrence, known

    def _distinct_grams(
        self, codes: np.ndarray, offsets: np.ndarray, lengths: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray]:
        """The vocabulary n-grams of each of some distinct words, padded, one after another in
        ``codes`` (" w1  w2  w3 ", see :func:`_padded`), at ``offsets``, ``lengths`` long: word
        numbers, in order, and columns, one pair per occurrence of an n-gram in the word."""
        lexicon, columns, closed = self.lexicon
        low, high = self.ngram_range
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


def block_words(batch: LineBatch) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Start, end and line of the block's words in the batch's lower-cased text: the runs of
    non-whitespace (what ``str.split`` gives), each letter of a script written without spaces
    (Chinese, Japanese, Thai...) a word of its own.

    In those scripts a "word" of ``str.split`` is a whole clause, whose n-grams recur on no other
    page: their lines had no row in the block, so its weights (learnt from the spaced scripts' prose
    n-grams) pulled them toward boilerplate. Their letters recur as words do (的, 是, の, は).
    Only the words holding such letters are cut, in place, found from those letters (a first
    version that looked at every word took 61 ms per 1500 bench pages, this one 36, 2026-12-04).
    """
    lowered = batch.lowered
    if batch.lowered_in_place:  # the words of the text, made once for the batch
        starts, ends, line = batch.words
        apart = batch.unspaced
    else:
        starts, ends = lowered.runs(WHITESPACE, inside=False)
        line = lowered.line_of(starts)
        apart = no_space_letters(lowered.codes)
    letters = np.flatnonzero(apart)
    if not len(letters):
        return starts, ends, line
    mixed = np.unique(np.searchsorted(starts, letters, side="right") - 1)  # the words holding such letters
    lengths = ends[mixed] - starts[mixed]
    owner = np.repeat(np.arange(len(mixed)), lengths)
    position = starts[mixed][owner] + np.arange(len(owner)) - np.repeat(np.cumsum(lengths) - lengths, lengths)
    # A piece starts at its word's start, at each such letter, and just after one.
    cut = (position == starts[mixed][owner]) | apart[position] | apart[position - 1]
    piece_start, piece_owner = position[cut], owner[cut]
    following = np.append(piece_start[1:], len(apart))
    piece_end = np.minimum(following, ends[mixed][piece_owner])
    count = np.ones(len(starts), np.int64)  # words out per word in
    count[mixed] = np.bincount(piece_owner, minlength=len(mixed))
    is_mixed = np.zeros(len(starts), bool)
    is_mixed[mixed] = True
    new_starts, new_ends, new_line = np.repeat(starts, count), np.repeat(ends, count), np.repeat(line, count)
    pieces = np.flatnonzero(np.repeat(is_mixed, count))  # the pieces' places, in the pieces' order
    new_starts[pieces], new_ends[pieces] = piece_start, piece_end
    return new_starts, new_ends, new_line


def _packed(codes: np.ndarray, starts: np.ndarray, ends: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Each word ``codes[start:end]`` as two 64-bit integers that no other word shares, if it fits:
    up to seven characters below U+10000 two bytes each, or eight to fifteen below U+0100 a byte
    each, over 120 bits, with the length (which says which) in the first integer's top byte (so it
    is never 0). (0, 0) for the other words.

    The words are taken longest first, so that those with a k-th character are a slice, and each
    character is read once, into the one form its word takes (reading the short words of higher
    characters again, two bytes a character, took a fifth of the time, 2026-12-04)."""
    lengths = ends - starts
    order = np.argsort(16 - np.minimum(lengths, 16).astype(np.uint8), kind="stable")
    first = starts[order]
    sorted_lengths = lengths[order]
    longer = np.searchsorted(-np.minimum(sorted_lengths, 16), -np.arange(15), side="left").tolist()  # > k characters
    n = len(starts)
    low, high = np.zeros(n, np.uint64), np.zeros(n, np.uint64)
    largest = np.zeros(n, np.uint32)
    eight = longer[7]  # the words of eight characters or more come first: [:eight]
    for k in range(15):
        m = longer[k]
        if not m:
            break
        char = codes[first[:m] + k]
        np.maximum(largest[:m], char, out=largest[:m])
        a = min(m, eight)  # the long words' characters, a byte each, then the short ones', two bytes
        if k < 7:
            low[:a] |= np.left_shift(char[:a], np.uint64(8 * k), dtype=np.uint64)
        else:
            high[:a] |= np.left_shift(char[:a], np.uint64(8 * (k - 7)), dtype=np.uint64)
        if m > a:
            short = np.left_shift(char[a:], np.uint64(16 * k if k < 3 else 16 * (k - 3)), dtype=np.uint64)
            (low if k < 3 else high)[a:m] |= short
    fits = np.where(sorted_lengths <= 7, largest <= 65535, (sorted_lengths <= 15) & (largest <= 255))
    low |= sorted_lengths.astype(np.uint64) << np.uint64(56)
    low[~fits] = high[~fits] = 0
    packed_low, packed_high = np.empty(n, np.uint64), np.empty(n, np.uint64)
    packed_low[order], packed_high[order] = low, high
    return packed_low, packed_high


def _new_words(
    occurrence: np.ndarray, key: tuple[np.ndarray, np.ndarray], unpacked: np.ndarray, spelt: list[str]
) -> tuple[np.ndarray, list[str]]:
    """The words not known yet (``occurrence`` -1), once each: the packed ones' first occurrences,
    and the strings of the others."""
    unknown = np.flatnonzero(occurrence < 0)
    unknown = unknown[key[0][unknown] != 0]
    low, high = key[0][unknown], key[1][unknown]
    order = np.lexsort((high, low))
    low, high = low[order], high[order]
    at = unknown[order[np.r_[True, (low[1:] != low[:-1]) | (high[1:] != high[:-1])][: len(order)]]]
    new_spelt = list({spelt[k] for k in np.flatnonzero(occurrence[unpacked] < 0).tolist()})
    return at, new_spelt


def _padded(
    codes: np.ndarray, starts: np.ndarray, ends: np.ndarray, spelt: list[str]
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The words ``codes[start:end]``, then ``spelt``, each padded with a space on either side, one
    after another (" w1  w2  w3 "): their code points, and each padded word's offset and length."""
    inner = ends - starts
    lengths = np.concatenate([inner, np.fromiter(map(len, spelt), np.int64, len(spelt))]) + 2
    offsets = np.cumsum(lengths) - lengths
    taken = int(inner.sum())
    padded = np.full(int(lengths[: len(inner)].sum()), ord(" "), np.uint32)
    source = np.repeat(starts - (np.cumsum(inner) - inner), inner) + np.arange(taken)
    padded[source + np.repeat(offsets[: len(inner)] + 1 - starts, inner)] = codes[source]
    if spelt:
        padded = np.concatenate([padded, code_points(" " + "  ".join(spelt) + " ")])
    return padded, offsets, lengths


def _spelt(codes: np.ndarray, starts: np.ndarray, ends: np.ndarray) -> list[str]:
    """The words ``codes[start:end]`` as strings, decoded together: the few words that are not
    packed are spelt from their own code points, not sliced from the batch's whole text, whose
    decoding cost more than all the rest of the look-up of these words (2026-12-04)."""
    if not len(starts):
        return []
    padded = _padded(codes, starts, ends, [])[0]  # " w1  w2 ": words hold no whitespace
    return padded.tobytes().decode("utf-32-le", "surrogatepass")[1:-1].split("  ")


def repeated_cells(
    rows: np.ndarray, columns: np.ndarray, weighted: np.ndarray, squared: np.ndarray
) -> tuple[tuple[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]:
    """What the sums of rows taken with every (row, column) pair counted once overcount: for each
    cell that ``count`` pairs share, its row and ``(count - t) * weighted[column]`` (and ``(count -
    t * t) * squared[column]``), ``t = 1 + log(count)`` (scikit-learn's sublinear tf). ``rows`` must
    be non-decreasing (the pairs come row by row).

    The cells are found without sorting them: a stable sort of the columns alone (a radix sort
    while they fit in 16 bits) keeps each column's pairs in row order, so the pairs of a cell end
    up side by side. A row's cells come in column order, whatever its batch."""
    column, row = _small(columns, len(weighted)), _small(rows, int(rows[-1]) + 1 if len(rows) else 0)
    order = np.argsort(column, kind="stable")
    column, row = column[order], row[order]
    again = np.flatnonzero((column[1:] == column[:-1]) & (row[1:] == row[:-1])) + 1  # a cell's 2nd, 3rd... pair
    runs = np.flatnonzero(np.diff(again, prepend=-2) > 1)  # where each cell's pairs start in again
    counts = np.diff(np.append(runs, len(again))) + 1.0
    tf = np.log(counts) + 1.0
    cell_row, cell_column = row[again[runs]].astype(np.intp), column[again[runs]].astype(np.intp)
    return (cell_row, (counts - tf) * weighted[cell_column]), (cell_row, (counts - tf * tf) * squared[cell_column])


def _small(values: np.ndarray, bound: int) -> np.ndarray:
    """``values`` (all below ``bound``) as 16-bit integers if they fit, else 32-bit: numpy sorts
    16-bit integers by radix, and moves them about faster."""
    return values.astype(np.uint16 if bound <= 1 << 16 else np.uint32, copy=False)


class _Known:
    """The words whose n-grams were looked up already, kept between batches: most words of a batch
    were in the batches before (``the``, a site's menu), and looking up their n-grams again was
    most of the block's cost. Word ``k``'s columns are ``columns[first[k] : first[k + 1]]`` (16-bit
    while the vocabulary allows); a packed word (see :func:`_packed`) is numbered by ``table``,
    another by ``number``."""

    def __init__(self, width: int) -> None:
        self.width = width
        self.number: dict[str, int] = {}
        self.table = KeyTable()
        self.first = np.zeros(1, np.int64)
        self.columns = _small(np.zeros(0, np.int64), width)
        self._sums: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None  # weighted and per word sums

    @property
    def size(self) -> int:
        return len(self.first) - 1

    def find(self, key: tuple[np.ndarray, np.ndarray], unpacked: np.ndarray, spelt: list[str]) -> np.ndarray:
        """The number of each word (by its packed key, or at ``unpacked`` by ``spelt``), -1 if unknown."""
        occurrence = self.table.find(*key)
        if len(unpacked):
            occurrence[unpacked] = np.fromiter(map(self.number.get, spelt, repeat(-1)), np.int64, len(spelt))
        return occurrence

    def add(self, count: int, word_of: np.ndarray, columns: np.ndarray) -> np.ndarray:
        """Number ``count`` new words after the known ones, with their n-grams as _distinct_grams
        gives them; their numbers."""
        ends = np.searchsorted(word_of, np.arange(1, count + 1)) + len(self.columns)
        number = np.arange(self.size, self.size + count)
        self.first = np.concatenate([self.first, ends])
        self.columns = np.concatenate([self.columns, _small(columns, self.width)])
        return number

    def pairs(self, word: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """For words (numbers, one per occurrence): how many columns each has, and their columns,
        one after another (a word's occurrence gives a run of ``columns``)."""
        start = self.first[word]
        hits = self.first[word + 1] - start
        at = np.repeat(start - np.cumsum(hits) + hits, hits) + np.arange(int(hits.sum()))
        return hits, self.columns[at]

    def sums(self, weighted: np.ndarray, squared: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Per known word, the sum of ``weighted`` and of ``squared`` (the idf squared, the same on
        every call) over its columns, each in the word's order, so that a word's sum never depends
        on the others. Kept for the next batch while ``weighted`` is the same (one predictor's), and
        made for the words added since only."""
        if self._sums is None or not np.array_equal(self._sums[0], weighted):
            self._sums = (weighted.copy(), np.zeros(0), np.zeros(0))
        kept, word_weighted, word_squared = self._sums
        done = len(word_weighted)
        if done < self.size:
            start = int(self.first[done])
            word = np.repeat(np.arange(self.size - done), np.diff(self.first[done:]))
            columns = self.columns[start:].astype(np.intp)
            word_weighted = np.concatenate([word_weighted, np.bincount(word, weighted[columns], self.size - done)])
            word_squared = np.concatenate([word_squared, np.bincount(word, squared[columns], self.size - done)])
            self._sums = kept, word_weighted, word_squared
        return word_weighted, word_squared
