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
import string
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
_MONTH = r"(?:[Jj]an|[Ff]eb|[Mm]ar|[Aa]pr|[Mm]ay|[Jj]un|[Jj]ul|[Aa]ug|[Ss]ep|[Oo]ct|[Nn]ov|[Dd]ec)"
_DATE = re.compile(  # case-sensitive alternatives: re.IGNORECASE makes the scan slower
    r"\b\d{1,2}[/.-]\d{1,2}(?:[/.-]\d{2,4})?\b"
    rf"|\b{_MONTH}[a-z]*\.? \d{{1,2}}\b"
    rf"|\b\d{{1,2}} {_MONTH}"
    r"|\b(?:[Tt]háng|[Nn]gày) \d{1,2}\b|\b\d+ (?:giờ|phút|ngày|hours?|minutes?|days?) (?:trước|ago)\b"
)
_TERMINAL = frozenset('.!?…"”’»)')
_BULLET = frozenset("•·-–—*►▪●○◦+>")
_SLUG_TOKEN = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
_SENTENCE_END = re.compile(r"[.!?…][\"”’)]?[^\S\n]+(?=[^\W\d_])")

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


# Character classes of code points below 0x3000, looked up with numpy instead of per-character
# Python calls; above it, only CJK, kana and hangul count (as letters without case).
_ALPHA, _UPPER, _DIGIT, _SPACE, _ASCII_ALPHA, _LOWER = 1, 2, 4, 8, 16, 32
_TABLE_SIZE = 0x3000


@lru_cache(maxsize=1)
def _char_classes() -> np.ndarray:
    table = np.zeros(_TABLE_SIZE, dtype=np.uint8)
    for code in range(_TABLE_SIZE):
        c = chr(code)
        table[code] = (
            _ALPHA * c.isalpha()
            | _UPPER * c.isupper()
            | _DIGIT * c.isdigit()
            | _SPACE * (c == " ")
            | _ASCII_ALPHA * (c.isascii() and c.isalpha())
            | _LOWER * c.islower()
        )
    return table


# Punctuation stripped from the ends of a word before the stopword look-up.
_EDGE_PUNCTUATION = string.punctuation.replace("_", "") + "“”‘’«»…–—•·、。，：；！？（）【】《》"
_NUMBERED = re.compile(r"^\d{1,2}[.)]\s", re.MULTILINE)


def _line_hits(pattern: re.Pattern[str], joined: str, starts: np.ndarray, n: int) -> np.ndarray:
    """Per line, how many matches of ``pattern`` begin in it (one regex pass over the document)."""
    positions = [m.start() for m in pattern.finditer(joined)]
    if not positions:
        return np.zeros(n)
    return np.bincount(np.searchsorted(starts, positions, side="right") - 1, minlength=n).astype(float)


def _digit_line_hits(pattern: re.Pattern[str], texts: Sequence[str], digits: np.ndarray) -> np.ndarray:
    """Like :func:`_line_hits` for a pattern that needs a digit: only lines with digits are scanned."""
    rows = np.flatnonzero(digits)
    hits = np.zeros(len(texts))
    if len(rows):
        subset = [texts[r] for r in rows]
        lengths = np.fromiter(map(len, subset), dtype=np.int64, count=len(subset))
        starts = np.concatenate([[0], np.cumsum(lengths[:-1] + 1)])
        hits[rows] = _line_hits(pattern, "\n".join(subset), starts, len(subset))
    return hits


def _base_matrix(lines: Sequence[str], stopwords: frozenset[str]) -> np.ndarray:
    """Own-line and document-position features for the non-blank lines of one document.

    Character classes and regex matches are computed over the whole document at once (numpy and
    one regex pass each); only cheap C-level string methods run per line.
    """
    blank = [is_blank(line) for line in lines]
    index = [i for i, b in enumerate(blank) if not b]
    texts = [lines[i].strip() for i in index]
    n = len(texts)
    out = np.zeros((n, len(BASE_FEATURES)), dtype=np.float64)
    if n == 0:
        return out
    joined = "\n".join(texts)
    n_chars = np.fromiter(map(len, texts), dtype=np.int64, count=n)
    starts = np.concatenate([[0], np.cumsum(n_chars[:-1] + 1)])
    codes = np.frombuffer(joined.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
    wide_letter = ((codes >= 0x3040) & (codes < 0xA000)) | ((codes >= 0xAC00) & (codes < 0xD7B0))  # CJK, kana, hangul
    classes = np.where(codes < _TABLE_SIZE, _char_classes()[np.minimum(codes, _TABLE_SIZE - 1)], wide_letter * _ALPHA)

    def per_line(bit: int) -> np.ndarray:
        return np.add.reduceat(((classes & bit) > 0).astype(np.int64), starts).astype(float)

    letters, upper, digits, spaces = per_line(_ALPHA), per_line(_UPPER), per_line(_DIGIT), per_line(_SPACE)
    ascii_letters = per_line(_ASCII_ALPHA)
    # The first letter is nearly always the first character, so a short Python scan is cheapest.
    first_letter = [next((c for c in text if c.isalpha()), "") for text in texts]
    first_upper = np.fromiter((c.isupper() for c in first_letter), bool, n)
    first_lower = np.fromiter((c.islower() for c in first_letter), bool, n)

    words = [text.split() for text in texts]
    n_words = np.fromiter(map(len, words), dtype=float, count=n)
    lowered = joined.lower().split("\n")
    n_stop = np.fromiter(
        (sum(w.strip(_EDGE_PUNCTUATION) in stopwords for w in low.split()) for low in lowered), float, n
    )
    tails = [text.rstrip(" |") for text in texts]
    terminal = np.fromiter((t[-1:] in _TERMINAL for t in tails), float, n)
    counts: dict[str, int] = {}
    prefixes: dict[tuple[str, ...], int] = {}
    for text, split in zip(texts, words):
        counts[text] = counts.get(text, 0) + 1
        key = tuple(split[:2])
        prefixes[key] = prefixes.get(key, 0) + 1
    slug = np.zeros(n)
    for row in np.flatnonzero(first_lower):
        if texts[row][:1].isascii():
            run = 0
            for w in words[row]:
                if not _SLUG_TOKEN.match(w):
                    break
                run += 1 + w.count("-")
            slug[row] = min(run, 6) / 6 if run >= 3 else 0.0
    links = np.fromiter(("](" in t or "http://" in t or "https://" in t for t in texts), float, n)
    rows = np.arange(n)
    same_prev = np.fromiter((r > 0 and texts[r - 1] == texts[r] for r in range(n)), float, n)
    same_next = np.concatenate([same_prev[1:], [0.0]])
    sentences = _line_hits(_SENTENCE_END, joined, starts, n) + terminal
    columns = {
        "chars_log": np.log1p(n_chars),
        "words_log": np.log1p(n_words),
        "mean_word_len": (n_chars - spaces) / np.maximum(n_words, 1),
        "ends_terminal": terminal,
        "ends_colon": np.fromiter((t.endswith(":") for t in tails), float, n),
        "ends_ellipsis": np.fromiter((t.endswith(("...", "…")) for t in tails), float, n),
        "starts_upper": first_upper,
        "starts_lower": first_lower,
        "upper_ratio": upper / np.maximum(letters, 1),
        "digit_ratio": digits / n_chars,
        "symbol_ratio": (n_chars - letters - digits - spaces) / n_chars,
        "comma_per_word": np.fromiter((t.count(",") + t.count(";") for t in texts), float, n) / np.maximum(n_words, 1),
        "stopword_ratio": n_stop / np.maximum(n_words, 1),
        "stopwords_log": np.log1p(n_stop),
        "has_time": _digit_line_hits(_TIME, texts, digits) > 0,
        "has_date": _digit_line_hits(_DATE, texts, digits) > 0,
        "is_image": np.fromiter((t.startswith("![") for t in texts), float, n),
        "has_link": links,
        "has_pipe": np.fromiter(("|" in t for t in texts), float, n),
        "starts_bullet": np.fromiter((t[0] in _BULLET for t in texts), float, n),
        "starts_numbered": _line_hits(_NUMBERED, joined, starts, n) > 0,
        "starts_bracket": np.fromiter((t.startswith("[") for t in texts), float, n),
        "slug_prefix": slug,
        "ascii_letter_ratio": ascii_letters / np.maximum(letters, 1),
        "repeats_log": np.log(np.fromiter((counts[t] for t in texts), float, n)),
        "same_as_prev": same_prev,
        "same_as_next": same_next,
        "repeats_first_line": np.fromiter((r > 0 and texts[r] == texts[0] for r in range(n)), float, n),
        "blank_before": np.fromiter((i > 0 and blank[i - 1] for i in index), float, n),
        "blank_after": np.fromiter((i + 1 < len(lines) and blank[i + 1] for i in index), float, n),
        "relative_position": rows / max(n - 1, 1),
        "is_first": rows == 0,
        "lines_to_end_log": np.log1p(n - 1 - rows),
        "prose_like": (n_words >= 8)
        & ((terminal > 0) | (n_words >= 20))
        & np.fromiter(("](" not in t for t in texts), bool, n),
        "sentences_log": np.log1p(sentences),
        "chars_vs_longest": np.minimum(n_chars / max(np.percentile(n_chars, 90), 1.0), 2.0),
        "shared_prefix_log": np.where(
            n_words >= 2, np.log(np.fromiter((prefixes[tuple(w[:2])] for w in words), float, n)), 0.0
        ),
    }
    for column, name in enumerate(BASE_FEATURES):
        out[:, column] = columns[name]
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
