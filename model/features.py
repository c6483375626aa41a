"""Per-line features that transfer across sites and languages.

A line alone cannot tell a teaser summary from a body paragraph: both are prose. What differs is
the line's surroundings: a teaser summary sits after a repeated title and a timestamp, far below the
article's longest run of prose; a body paragraph sits inside that run. So besides the line's own
shape (length, punctuation, stopword density, markup), every row carries its neighbours' shape and
its place relative to the document's main prose block.

All transformers take ``documents``, a sequence of documents, each a sequence of dump lines, and
return one row per non-blank line, in order (blank lines carry no label and get no row).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import lru_cache
from typing import Any

import numpy as np
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.feature_extraction.text import TfidfVectorizer

from cleaner.text import is_blank

Documents = Sequence[Sequence[str]]

_WORD_EDGE = re.compile(r"^\W+|\W+$")
_TIME = re.compile(r"\b\d{1,2}[:h]\d{2}\b|\b\d{1,2}:\d{2}\s*[AaPp]\.?[Mm]\b")
_DATE = re.compile(
    r"\b\d{1,2}[/.-]\d{1,2}(?:[/.-]\d{2,4})?\b"
    r"|\b(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)[a-z]*\.? \d{1,2}\b"
    r"|\b\d{1,2} (?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)"
    r"|\b(?:tháng|ngày) \d{1,2}\b|\b\d+ (?:giờ|phút|ngày|hours?|minutes?|days?) (?:trước|ago)\b",
    re.IGNORECASE,
)
_TERMINAL = frozenset('.!?…"”’»)')
_BULLET = frozenset("•·-–—*►▪●○◦+>")
_SLUG_TOKEN = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
_SENTENCE_END = re.compile(r"[.!?…][\"”’)]?\s+(?=[^\W\d_])")

BASE_FEATURES = (
    "chars_log",
    "words_log",
    "mean_word_len",
    "ends_terminal",
    "ends_colon",
    "ends_ellipsis",
    "starts_upper",
    "starts_lower",
    "upper_ratio",
    "digit_ratio",
    "symbol_ratio",
    "comma_per_word",
    "stopword_ratio",
    "stopwords_log",
    "has_time",
    "has_date",
    "is_image",
    "has_link",
    "has_pipe",
    "starts_bullet",
    "starts_numbered",
    "starts_bracket",
    "slug_prefix",
    "ascii_letter_ratio",
    "repeats_log",
    "same_as_prev",
    "same_as_next",
    "repeats_first_line",
    "blank_before",
    "blank_after",
    "relative_position",
    "is_first",
    "lines_to_end_log",
    "prose_like",
    "sentences_log",
    "chars_vs_longest",
    "shared_prefix_log",
)
DOCUMENT_FEATURES = ("doc_blank_ratio", "doc_lines_log")
NEIGHBOUR_FEATURES = (
    "chars_log",
    "ends_terminal",
    "prose_like",
    "is_image",
    "has_time",
    "has_date",
    "stopword_ratio",
    "starts_bracket",
    "same_as_prev",
)
NEIGHBOUR_OFFSETS = (-2, -1, 1, 2)
BLOCK_FEATURES = (
    "prose_window_3",
    "prose_window_8",
    "prose_chars_before",
    "prose_chars_after",
    "in_main_block",
    "lines_before_main_block_log",
    "lines_after_main_block_log",
)


_MARKUP_ONLY = re.compile(r"^(?:!\[.*?\]\([^()\s]*(?:\([^()\s]*\)[^()\s]*)*\)[\s|]*)+$")


def is_markup_only(line: str) -> bool:
    """True for a line that is nothing but image markup (``![alt](src)``, perhaps with table pipes).

    The labelling guideline makes such lines boilerplate whatever their alt text says (a caption is
    a line of its own), so the classifier does not have to learn it from context.
    """
    text = line.strip()
    return text.startswith("![") and bool(_MARKUP_ONLY.match(text))


@lru_cache(maxsize=8)
def stopword_set(languages: tuple[str, ...]) -> frozenset[str]:
    """Single-word stopwords of the given languages (stopwordsiso's lists, lower-cased).

    Vietnamese is written in syllables separated by spaces, so its multi-syllable entries are left
    out rather than split: their syllables are often content words on their own.
    """
    import stopwordsiso

    words: set[str] = set()
    for language in languages:
        words.update(w.lower() for w in stopwordsiso.stopwords(language) if " " not in w)
    return frozenset(words)


def _base_matrix(lines: Sequence[str], stopwords: frozenset[str]) -> np.ndarray:
    """Own-line and document-position features for the non-blank lines of one document."""
    blank = [is_blank(line) for line in lines]
    index = [i for i, b in enumerate(blank) if not b]
    texts = [lines[i].strip() for i in index]
    n = len(texts)
    out = np.zeros((n, len(BASE_FEATURES)), dtype=np.float64)
    if n == 0:
        return out
    counts: dict[str, int] = {}
    for text in texts:
        counts[text] = counts.get(text, 0) + 1
    first = texts[0]
    prefixes: dict[tuple[str, ...], int] = {}
    for text in texts:
        key = tuple(text.split()[:2])
        prefixes[key] = prefixes.get(key, 0) + 1
    longest = max(np.percentile([len(t) for t in texts], 90), 1.0)
    for row, (i, text) in enumerate(zip(index, texts)):
        words = text.split()
        n_words = len(words)
        n_chars = len(text)
        letters = sum(c.isalpha() for c in text)
        upper = sum(c.isupper() for c in text)
        digits = sum(c.isdigit() for c in text)
        spaces = text.count(" ")
        symbols = n_chars - letters - digits - spaces
        tokens = [_WORD_EDGE.sub("", w).lower() for w in words]
        n_stop = sum(t in stopwords for t in tokens)
        tail = text.rstrip(" |")
        first_alpha = next((c for c in text if c.isalpha()), "")
        slug = 0
        for w in words:
            if not _SLUG_TOKEN.match(w):
                break
            slug += 1 + w.count("-")
        ascii_letters = sum(c.isascii() for c in text if c.isalpha())
        prose = n_words >= 8 and (tail[-1:] in _TERMINAL or n_words >= 20) and "](" not in text
        out[row] = (
            np.log1p(n_chars),
            np.log1p(n_words),
            (n_chars - spaces) / max(n_words, 1),
            tail[-1:] in _TERMINAL,
            tail.endswith(":"),
            tail.endswith("...") or tail.endswith("…"),
            first_alpha.isupper(),
            first_alpha.islower(),
            upper / max(letters, 1),
            digits / n_chars,
            symbols / n_chars,
            (text.count(",") + text.count(";")) / max(n_words, 1),
            n_stop / max(n_words, 1),
            np.log1p(n_stop),
            bool(_TIME.search(text)),
            bool(_DATE.search(text)),
            text.startswith("!["),
            "](" in text or "http://" in text or "https://" in text,
            "|" in text,
            text[0] in _BULLET,
            bool(re.match(r"\d{1,2}[.)]\s", text)),
            text.startswith("["),
            min(slug, 6) / 6 if slug >= 3 and first_alpha.islower() else 0.0,
            ascii_letters / max(letters, 1),
            np.log(counts[text]),
            row > 0 and texts[row - 1] == text,
            row + 1 < n and texts[row + 1] == text,
            row > 0 and text == first,
            i > 0 and blank[i - 1],
            i + 1 < len(lines) and blank[i + 1],
            row / max(n - 1, 1),
            row == 0,
            np.log1p(n - 1 - row),
            prose,
            np.log1p(len(_SENTENCE_END.findall(text)) + (tail[-1:] in _TERMINAL)),
            min(n_chars / longest, 2.0),
            np.log(prefixes[tuple(words[:2])]) if n_words >= 2 else 0.0,
        )
    return out


def _block_matrix(base: np.ndarray) -> np.ndarray:
    """Where each line sits relative to the document's prose: local prose density, the share of
    prose characters before and after it, and its distance to the main prose block (the run of
    prose-like lines, gaps of up to two other lines allowed, with the most prose characters)."""
    n = len(base)
    out = np.zeros((n, len(BLOCK_FEATURES)))
    if n == 0:
        return out
    prose = base[:, BASE_FEATURES.index("prose_like")]
    chars = np.expm1(base[:, BASE_FEATURES.index("chars_log")]) * prose
    cumulative = np.concatenate([[0.0], np.cumsum(prose)])
    for column, radius in ((0, 3), (1, 8)):
        lo = np.clip(np.arange(n) - radius, 0, n)
        hi = np.clip(np.arange(n) + radius + 1, 0, n)
        out[:, column] = (cumulative[hi] - cumulative[lo]) / (hi - lo)
    total = chars.sum()
    if total > 0:
        before = np.cumsum(chars) - chars
        out[:, 2] = before / total
        out[:, 3] = (total - before - chars) / total
    start, end = _main_block(prose, chars)
    if start >= 0:
        rows = np.arange(n)
        out[:, 4] = (rows >= start) & (rows <= end)
        out[:, 5] = np.log1p(np.clip(start - rows, 0, None))
        out[:, 6] = np.log1p(np.clip(rows - end, 0, None))
    return out


def _main_block(prose: np.ndarray, chars: np.ndarray, max_gap: int = 2) -> tuple[int, int]:
    """(first, last) row of the run of prose lines with the most prose characters, or (-1, -1)."""
    best, best_span = 0.0, (-1, -1)
    start, mass, gap = -1, 0.0, 0
    for row, is_prose in enumerate(prose):
        if is_prose:
            if start < 0:
                start, mass = row, 0.0
            mass += chars[row]
            gap = 0
            last = row
            if mass > best:
                best, best_span = mass, (start, last)
        elif start >= 0:
            gap += 1
            if gap > max_gap:
                start, gap = -1, 0
    return best_span


def _neighbour_matrix(base: np.ndarray) -> np.ndarray:
    """The neighbours' shape, shifted into each row, with an indicator for 'no such neighbour'."""
    columns = [BASE_FEATURES.index(name) for name in NEIGHBOUR_FEATURES]
    n = len(base)
    blocks = []
    for offset in NEIGHBOUR_OFFSETS:
        shifted = np.zeros((n, len(columns) + 1))
        source = np.arange(n) + offset
        valid = (source >= 0) & (source < n)
        shifted[valid, :-1] = base[source[valid]][:, columns]
        shifted[~valid, -1] = 1.0
        blocks.append(shifted)
    return np.hstack(blocks) if blocks else np.zeros((n, 0))


class LineShapeFeatures(TransformerMixin, BaseEstimator):
    """Dense, language-light features of every non-blank line and its context.

    Parameters
    ----------
    stopword_languages : tuple of str
        ISO 639-1 codes whose stopword lists count towards ``stopword_ratio``.
    """

    def __init__(self, stopword_languages: tuple[str, ...] = ("vi", "en")) -> None:
        self.stopword_languages = stopword_languages

    def fit(self, documents: Documents, y: object = None) -> LineShapeFeatures:
        self.n_features_out_ = len(self.get_feature_names_out())
        return self

    def transform(self, documents: Documents) -> np.ndarray:
        stopwords = stopword_set(tuple(self.stopword_languages))
        matrices = [self.transform_document(lines, stopwords) for lines in documents]
        if not matrices:
            return np.zeros((0, len(self.get_feature_names_out())))
        return np.vstack(matrices)

    def transform_document(self, lines: Sequence[str], stopwords: frozenset[str]) -> np.ndarray:
        base = _base_matrix(lines, stopwords)
        n = len(base)
        blank_ratio = sum(map(is_blank, lines)) / max(len(lines), 1)
        document = np.tile([blank_ratio, np.log1p(len(lines))], (n, 1))
        return np.hstack([base, document, _neighbour_matrix(base), _block_matrix(base)])

    def get_feature_names_out(self, input_features: object = None) -> np.ndarray:
        neighbours = [
            f"{'prev' if o < 0 else 'next'}{abs(o)}_{name}"
            for o in NEIGHBOUR_OFFSETS
            for name in (*NEIGHBOUR_FEATURES, "missing")
        ]
        return np.asarray([*BASE_FEATURES, *DOCUMENT_FEATURES, *neighbours, *BLOCK_FEATURES], dtype=object)


class NonBlankLines(TransformerMixin, BaseEstimator):
    """Flatten documents into their non-blank lines, the input of a text vectorizer."""

    def fit(self, documents: Documents, y: object = None) -> NonBlankLines:
        return self

    def transform(self, documents: Documents) -> list[str]:
        return [line.strip() for lines in documents for line in lines if not is_blank(line)]

    def get_feature_names_out(self, input_features: object = None) -> np.ndarray:
        return np.asarray(["line"], dtype=object)


class CueWordTfidf(TransformerMixin, BaseEstimator):
    """Word n-gram TF-IDF of each non-blank line, over words that recur across many documents.

    Boilerplate cues (``Tin liên quan``, ``Đọc nhiều``, ``Related``, ``Share``) recur on every page
    of every site; an article's topical words recur only within its own page. Keeping n-grams seen
    in at least ``min_documents`` training documents lets the model learn the cues without learning
    that today's news topics are content.
    """

    def __init__(self, ngram_range: tuple[int, int] = (1, 2), min_documents: int = 4) -> None:
        self.ngram_range = ngram_range
        self.min_documents = min_documents

    def _vectorizer(self, vocabulary: Sequence[str] | None = None) -> TfidfVectorizer:
        return TfidfVectorizer(ngram_range=self.ngram_range, sublinear_tf=True, vocabulary=vocabulary)

    def fit(self, documents: Documents, y: object = None) -> CueWordTfidf:
        analyze = self._vectorizer().build_analyzer()
        document_frequency: dict[str, int] = {}
        for lines in documents:
            terms = {term for line in lines if not is_blank(line) for term in analyze(line)}
            for term in terms:
                document_frequency[term] = document_frequency.get(term, 0) + 1
        vocabulary = sorted(t for t, n in document_frequency.items() if n >= self.min_documents)
        self.vectorizer_ = self._vectorizer(vocabulary or ["\0"]).fit(NonBlankLines().transform(documents))
        return self

    def transform(self, documents: Documents) -> Any:
        return self.vectorizer_.transform(NonBlankLines().transform(documents))

    def get_feature_names_out(self, input_features: object = None) -> np.ndarray:
        return self.vectorizer_.get_feature_names_out()
