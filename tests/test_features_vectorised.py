"""The batch-vectorised features equal their plain definitions, bit for bit.

The text features read each line without its Markdown markup (cleaner.features.markdown.plain,
tested in tests/test_markdown.py), the markup features the line as given: so does the reference.

cleaner.features computes a whole batch of documents at once with numpy (character classes, hashed
word look-ups, rewritten regexes). This file keeps the plain definitions as the reference: the
per-document, per-line Python the features were first written as, TfidfVectorizer itself for the
word features, and np.percentile, str.strip and set membership for the helpers. Any difference,
however small, fails: the model's outputs must not depend on how fast the features are computed.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from itertools import pairwise, product

import numpy as np
import pytest
from conftest import Labelled
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from sklearn.feature_extraction.text import TfidfVectorizer

from cleaner.classifier.first_stage import stopword_lists
from cleaner.features import context
from cleaner.features.batch import MONTH_NAMES, LineBatch, Text
from cleaner.features.chars import (
    _BULLET,
    _CLOSERS,
    _EDGE_PUNCTUATION,
    _TERMINAL,
    ALPHA,
    DECIMAL,
    EDGE,
    PIPE,
    SPACE,
    TABLE_SIZE,
    WHITESPACE,
    ascii_fold_lines,
    first_where,
    fold_initials,
    strip,
)
from cleaner.features.cuewords import CueWords
from cleaner.features.lexicon import Lexicon, _NgramTable
from cleaner.features.lines import BASE_FEATURES, percentile_90
from cleaner.features.markdown import plain
from cleaner.features.repeats import first_words_shared, repeated_lines
from cleaner.features.scans import (
    DATE,
    DATE_FROM_DIGIT,
    DATE_FROM_MONTH,
    ENDS_DATE,
    NUMBERED,
    SENTENCE_END,
    TIME,
    candidates,
    date_rows,
    digit_run_starts,
    ends_date,
    sentence_rows,
)
from cleaner.features.shape import NEIGHBOUR_FEATURES, NEIGHBOUR_OFFSETS, shape_feature_names, shape_matrix
from cleaner.features.slugs import SLUG_TOKEN
from cleaner.features.stopwords import Stopwords, bit_counts, longest_word_pattern
from cleaner.text import is_blank

PROPERTY = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# Characters that have tripped vectorised text code: case mappings that change length or depend on
# context (İ, Σ), letters and digits outside ASCII and above the class table (fullwidth, CJK),
# whitespace that str.split knows and " " does not, NUL, combining marks, a lone surrogate.
NASTY = "İΣςσßǅ１０：\x0b\x0c\x1c\x85\u2028\u3000\x00\u0301\u0307漢ア한😀\ud800Ａａ²٣、。，đĐưở\xa0\u200bⅫ"
SNIPPETS = [
    "12/3", "10:30 am", "1:30PM", "10h30", "1. ", "12) ", "Jan 5", "5 Dec", "Sept. 12", "MAY 3", "mayo 4",
    "tháng 3", "ngày 12", "3 giờ trước", "2 days ago", "![a](b)", "](", "http://x", "https://y", "...", "…",
    "Tin liên quan", "đọc nhiều", "the ", "of the ", "a-b-c d", "x-y-z-w", "“và”", "(và)", "và,", "---",
    "«the»", "12.", "9. x", " | ", "||", "«««và»»»", "!!!!!!!", "ΑΣ Σ", "İjan 5",
    "相关新闻", "的是了", "他说。我们", "の記事です。", "！？", "」。", "ข่าวที่เกี่ยวข้อง", "กับการ", "der die und",
]  # fmt: skip
LINE = st.one_of(
    st.sampled_from(["", " ", "\t", "  \u3000 ", "![]() |", "11:45 27/02/2025", "- a", "[x]", "1.", *SNIPPETS]),
    st.lists(
        st.one_of(st.sampled_from(SNIPPETS), st.text(st.sampled_from(list("aAbZ09 .,;:!?-|[]()#'\t") + list(NASTY)))),
        max_size=8,
    ).map(" ".join),
    st.text(st.characters(exclude_characters="\r\n"), max_size=40),
)
# Documents whose lines sometimes come back (repeats are features of their own).
DOCUMENT = st.tuples(st.lists(LINE, max_size=12), st.lists(st.integers(0, 11), max_size=4)).map(
    lambda drawn: drawn[0] + [drawn[0][i % len(drawn[0])] for i in drawn[1]] if drawn[0] else []
)
DOCUMENTS = st.lists(DOCUMENT, max_size=5)


# --- The reference: the features as first written, one document at a time, one line at a time. ---

_ALPHA, _UPPER, _DIGIT, _SPACE, _ASCII_ALPHA = 1, 2, 4, 8, 16


def is_letter(c: str) -> bool:
    """A letter, or a combining mark (a Thai or Indic vowel sign is part of its word)."""
    return c.isalpha() or (len(c) == 1 and unicodedata.category(c).startswith("M"))


def _reference_classes(text: str) -> np.ndarray:
    """What the shape features count per character: exact below 0x3000, above only CJK/kana/hangul."""
    out = []
    for c in text:
        if ord(c) >= 0x3000:
            code = ord(c)
            out.append(_ALPHA * ((0x3040 <= code < 0xA000) or (0xAC00 <= code < 0xD7B0)))
        else:
            out.append(
                _ALPHA * is_letter(c)
                | _UPPER * c.isupper()
                | _DIGIT * c.isdigit()
                | _SPACE * (c == " ")
                | _ASCII_ALPHA * (c.isascii() and c.isalpha())
            )
    return np.asarray(out, dtype=np.int64)


def _line_hits(pattern: re.Pattern[str], joined: str, starts: np.ndarray, n: int) -> np.ndarray:
    positions = [m.start() for m in pattern.finditer(joined)]
    if not positions:
        return np.zeros(n)
    return np.bincount(np.searchsorted(starts, positions, side="right") - 1, minlength=n).astype(float)


def _digit_line_hits(pattern: re.Pattern[str], texts: Sequence[str], digits: np.ndarray) -> np.ndarray:
    rows = np.flatnonzero(digits)
    hits = np.zeros(len(texts))
    if len(rows):
        subset = [texts[r] for r in rows]
        starts = np.concatenate([[0], np.cumsum([len(t) + 1 for t in subset[:-1]])]).astype(int)
        hits[rows] = _line_hits(pattern, "\n".join(subset), starts, len(subset))
    return hits


def _reference_ascii_fold(text: str) -> str:
    """Character by character: lower case, accents split off and dropped, punctuation as spaces."""
    decomposed = unicodedata.normalize("NFD", text.lower().replace("đ", "d"))
    letters = "".join(c if c.isalnum() else " " for c in decomposed if not unicodedata.combining(c))
    return " ".join(letters.encode("ascii", "ignore").decode().split())


def _reference_spells_title(texts: list[str], slug: np.ndarray) -> np.ndarray:
    """Line by line: does the slug prefix spell another (non-slug, 15+ character) line of the page?"""
    titles = [_reference_ascii_fold(t)[:40] for t, s in zip(texts, slug) if len(t) >= 15 and not s]
    result = np.zeros(len(texts))
    for row, text in enumerate(texts):
        if slug[row]:
            prefix = " ".join(w for w in text.split()[:12] if SLUG_TOKEN.match(w)).replace("-", " ")[:40]
            result[row] = len(prefix) >= 15 and any(t.startswith(prefix) or prefix.startswith(t) for t in titles)
    return result


def is_unspaced(c: str) -> bool:
    """A letter of a script written without spaces (the plain definition of no_space_letters)."""
    code = ord(c)
    return any(
        low <= code < high
        for low, high in ((0x0E00, 0x0F00), (0x1000, 0x10A0), (0x1780, 0x1800), (0x3040, 0x3100), (0x3400, 0xA000),
                          (0xF900, 0xFB00), (0x20000, 0x30000))
    )  # fmt: skip


def reference_substrings(text: str, words: set[str]) -> int:
    """Stopwords found in ``text`` left to right, the longest at each place, without overlaps."""
    found, i, longest = 0, 0, max(map(len, words), default=0)
    while i < len(text):
        size = next((k for k in range(min(longest, len(text) - i), 0, -1) if text[i : i + k] in words), 0)
        found, i = (found + 1, i + size) if size else (found, i + 1)
    return found


def reference_stopwords(texts: list[str], stopwords: Stopwords) -> np.ndarray:
    """Per line, its stopwords in the list of the page's language: the language whose words (and,
    for languages written without spaces, substrings) the page's lines hit most, the first on a tie."""
    lists = {language: set(words) for language, words in stopwords.lists.items()}
    unspaced = {
        language for language, words in lists.items() if 2 * sum(all(map(is_unspaced, w)) for w in words) > len(words)
    }
    per_line = []
    for text in texts:
        words = [w.strip(_EDGE_PUNCTUATION) for w in text.lower().split()]
        hits = {language: sum(w in listed for w in words) for language, listed in lists.items()}
        if any(map(is_unspaced, text)):
            for language in unspaced:
                hits[language] += reference_substrings(text, {w for w in lists[language] if all(map(is_unspaced, w))})
        per_line.append(hits)
    totals = {language: sum(hits[language] for hits in per_line) for language in lists}
    if not totals or max(totals.values()) == 0:
        return np.zeros(len(texts))
    language = next(language for language in lists if totals[language] == max(totals.values()))
    return np.array([float(hits[language]) for hits in per_line])


def reference_base(lines: Sequence[str], stopwords: Stopwords) -> np.ndarray:
    """Own-line and position features of one document's non-blank lines, line by line."""
    blank = [is_blank(line) for line in lines]
    index = [i for i, b in enumerate(blank) if not b]
    given = [lines[i].strip() for i in index]  # what the markup features read
    texts = [plain(text) for text in given]  # what the text features read: without Markdown markup
    n = len(texts)
    out = np.zeros((n, len(BASE_FEATURES)))
    if n == 0:
        return out
    joined = "\n".join(texts)
    n_chars = np.array([len(t) for t in texts], dtype=np.int64)
    starts = np.concatenate([[0], np.cumsum(n_chars[:-1] + 1)]).astype(int)
    given_starts = np.concatenate([[0], np.cumsum([len(t) + 1 for t in given[:-1]])]).astype(int)
    classes = [_reference_classes(t) for t in texts]

    def per_line(bit: int) -> np.ndarray:
        return np.array([float(((c & bit) > 0).sum()) for c in classes])

    letters, upper, digits, spaces = per_line(_ALPHA), per_line(_UPPER), per_line(_DIGIT), per_line(_SPACE)
    ascii_letters = per_line(_ASCII_ALPHA)
    first_letter = [next((c for c in text if is_letter(c)), "") for text in texts]
    first_upper = np.array([c.isupper() for c in first_letter])
    first_lower = np.array([c.islower() for c in first_letter])
    words = [text.split() for text in texts]
    # In scripts without spaces every two letters count as a word, and split words holding them do not.
    n_words = np.array(
        [float(sum(not any(map(is_unspaced, w)) for w in split)) + sum(map(is_unspaced, t)) / 2
         for split, t in zip(words, texts)]
    )  # fmt: skip
    n_stop = reference_stopwords(texts, stopwords)
    tails = [text.rstrip(" |") for text in texts]
    terminal = np.array([float(t.rstrip(" |" + _CLOSERS)[-1:] in _TERMINAL) for t in tails])
    counts: dict[str, int] = {}
    prefixes: dict[tuple[str, ...], int] = {}
    for text, split in zip(texts, words):
        counts[text] = counts.get(text, 0) + 1
        prefixes[tuple(split[:2])] = prefixes.get(tuple(split[:2]), 0) + 1
    slug = np.zeros(n)
    for row in np.flatnonzero(first_lower):
        if texts[row][:1].isascii():
            run = 0
            for w in words[row]:
                if not SLUG_TOKEN.match(w):
                    break
                run += 1 + w.count("-")
            slug[row] = min(run, 6) / 6 if run >= 3 else 0.0
    rows = np.arange(n)
    same_prev = np.array([float(r > 0 and texts[r - 1] == texts[r]) for r in range(n)])
    columns = {
        "chars_log": np.log1p(n_chars),
        "words_log": np.log1p(n_words),
        "mean_word_len": (n_chars - spaces) / np.maximum(n_words, 1),
        "ends_terminal": terminal,
        "ends_colon": [t.endswith(":") for t in tails],
        "ends_ellipsis": [t.endswith(("...", "…")) for t in tails],
        "starts_upper": first_upper,
        "starts_lower": first_lower,
        "upper_ratio": upper / np.maximum(letters, 1),
        "digit_ratio": digits / n_chars,
        "symbol_ratio": (n_chars - letters - digits - spaces) / n_chars,
        "comma_per_word": np.array([t.count(",") + t.count(";") for t in texts]) / np.maximum(n_words, 1),
        "stopword_ratio": np.minimum(n_stop / np.maximum(n_words, 1), 1.0),
        "stopwords_log": np.log1p(n_stop),
        "has_time": _digit_line_hits(TIME, texts, digits) > 0,
        "has_date": _digit_line_hits(DATE, texts, digits) > 0,
        "ends_date": [ENDS_DATE.search(t) is not None for t in texts],
        "is_image": [t.startswith("![") for t in given],
        "has_link": ["](" in t or "http://" in t or "https://" in t for t in given],
        "has_pipe": ["|" in t for t in texts],
        "starts_bullet": [t[0] in _BULLET for t in given],
        "starts_numbered": _line_hits(NUMBERED, "\n".join(given), given_starts, n) > 0,
        "starts_bracket": [t.startswith("[") for t in given],
        "slug_prefix": slug,
        "slug_spells_title": _reference_spells_title(texts, slug),
        "ascii_letter_ratio": ascii_letters / np.maximum(letters, 1),
        "repeats_log": np.log([float(counts[t]) for t in texts]),
        "same_as_prev": same_prev,
        "same_as_next": np.concatenate([same_prev[1:], [0.0]]),
        "repeats_first_line": [r > 0 and texts[r] == texts[0] for r in range(n)],
        "blank_before": [i > 0 and blank[i - 1] for i in index],
        "blank_after": [i + 1 < len(lines) and blank[i + 1] for i in index],
        "relative_position": rows / max(n - 1, 1),
        "is_first": rows == 0,
        "lines_to_end_log": np.log1p(n - 1 - rows),
        "prose_like": (n_words >= 8) & ((terminal > 0) | (n_words >= 20)) & np.array(["](" not in t for t in given]),
        "sentences_log": np.log1p(reference_sentences(texts, joined, starts, terminal)),
        "chars_vs_longest": np.minimum(n_chars / max(np.percentile(n_chars, 90), 1.0), 2.0),
        "shared_prefix_log": [np.log(float(prefixes[tuple(w[:2])])) if len(w) >= 2 else 0.0 for w in words],
    }
    columns["copy_of_earlier"] = [texts[r] in texts[:r] for r in range(n)]
    sentences = reference_sentences(texts, joined, starts, terminal)
    columns["teaser_run"] = _reference_teaser_runs(
        title=[
            not prose and 5 <= w <= 25 and not end and not image
            for prose, w, end, image in zip(columns["prose_like"], n_words, terminal, columns["is_image"])
        ],
        summary=[bool(prose) and count <= 1 for prose, count in zip(columns["prose_like"], sentences)],
    )
    heading = [
        not prose and 4 <= w <= 30 and not end and upper and not any(flags)
        for prose, w, end, upper, *flags in zip(
            columns["prose_like"],
            n_words,
            terminal,
            [c.isupper() or (is_letter(c) and not c.islower()) for c in first_letter],
            columns["is_image"],
            columns["has_pipe"],
            columns["has_time"],
            columns["has_date"],
            columns["ends_colon"],
        )
    ]
    prose_chars = [int(c) if prose else 0 for c, prose in zip(n_chars, columns["prose_like"])]
    columns["heading_prose_after_log"], columns["heading_prose_before_log"] = _reference_prose_around_headings(
        heading, prose_chars
    )
    for column, name in enumerate(BASE_FEATURES):
        out[:, column] = columns[name]
    return out


def reference_sentences(texts: list[str], joined: str, starts: np.ndarray, terminal: np.ndarray) -> np.ndarray:
    """Sentence ends followed by a space, a terminal mark ending the line, and 。！？ followed by a
    letter of a script without spaces (which puts no space after a sentence)."""
    unspaced_ends = [sum(c in "。！？" and is_unspaced(d) for c, d in pairwise(t)) for t in texts]
    return _line_hits(SENTENCE_END, joined, starts, len(texts)) + terminal + np.array(unspaced_ends)


def _reference_teaser_runs(title: list[bool], summary: list[bool]) -> np.ndarray:
    """Lines in 3 or more consecutive (title, summary) pairs, pair by pair from each start."""
    n = len(title)
    is_pair = [title[i] and i + 1 < n and summary[i + 1] for i in range(n)]
    run = np.zeros(n)
    for start in range(n):
        if start >= 2 and is_pair[start - 2]:
            continue  # inside a run that began earlier
        pairs = 0
        while start + 2 * pairs < n and is_pair[start + 2 * pairs]:
            pairs += 1
        if pairs >= 3:
            run[start : start + 2 * pairs] = 1.0
    return run


def _reference_prose_around_headings(heading: list[bool], prose_chars: list[int]) -> tuple[np.ndarray, np.ndarray]:
    """For each heading, log(1 + prose characters) between it and the next heading (or the end),
    and between the previous heading (or the start) and it; 0 for other lines."""
    n = len(heading)
    after, before = np.zeros(n), np.zeros(n)
    for row in np.flatnonzero(heading):
        stop = next((r for r in range(row + 1, n) if heading[r]), n)
        start = next((r for r in range(row - 1, -1, -1) if heading[r]), -1)
        after[row] = np.log1p(sum(prose_chars[row + 1 : stop]))
        before[row] = np.log1p(sum(prose_chars[start + 1 : row]))
    return after, before


def reference_main_block(prose: np.ndarray, chars: np.ndarray, max_gap: int = 2) -> tuple[int, int]:
    best, best_span = 0.0, (-1, -1)
    start, mass, gap = -1, 0.0, 0
    for row, is_prose in enumerate(prose):
        if is_prose:
            if start < 0:
                start, mass = row, 0.0
            mass += chars[row]
            gap = 0
            if mass > best:
                best, best_span = mass, (start, row)
        elif start >= 0:
            gap += 1
            if gap > max_gap:
                start, gap = -1, 0
    return best_span


def reference_rows(lines: Sequence[str], stopwords: frozenset[str]) -> np.ndarray:
    """Every feature of one document's non-blank lines."""
    base = reference_base(lines, stopwords)
    n = len(base)
    blank_ratio = sum(map(is_blank, lines)) / max(len(lines), 1)
    document = np.tile([blank_ratio, np.log1p(len(lines))], (n, 1))
    columns = [BASE_FEATURES.index(name) for name in NEIGHBOUR_FEATURES]
    neighbours = []
    for offset in NEIGHBOUR_OFFSETS:
        shifted = np.zeros((n, len(columns) + 1))
        for row in range(n):
            if 0 <= row + offset < n:
                shifted[row, :-1] = base[row + offset, columns]
            else:
                shifted[row, -1] = 1.0
        neighbours.append(shifted)
    block = np.zeros((n, 7))
    if n:
        prose = base[:, BASE_FEATURES.index("prose_like")]
        chars = np.expm1(base[:, BASE_FEATURES.index("chars_log")]) * prose
        cumulative = np.concatenate([[0.0], np.cumsum(prose)])
        rows = np.arange(n)
        for column, radius in ((0, 3), (1, 8)):
            lo, hi = np.clip(rows - radius, 0, n), np.clip(rows + radius + 1, 0, n)
            block[:, column] = (cumulative[hi] - cumulative[lo]) / (hi - lo)
        total = chars.sum()
        if total > 0:
            before = np.cumsum(chars) - chars
            block[:, 2] = before / total
            block[:, 3] = (total - before - chars) / total
        start, end = reference_main_block(prose, chars)
        if start >= 0:
            block[:, 4] = (rows >= start) & (rows <= end)
            block[:, 5] = np.log1p(np.clip(start - rows, 0, None))
            block[:, 6] = np.log1p(np.clip(rows - end, 0, None))
    return np.hstack([base, document, *neighbours, block])


def assert_same(documents: list[list[str]]) -> None:
    stopwords = stopword_lists(("vi", "en", "de", "zh", "ja", "th"))
    names = shape_feature_names()
    expected = np.vstack([np.zeros((0, len(names))), *(reference_rows(doc, stopwords) for doc in documents)])
    actual = shape_matrix(LineBatch(documents), stopwords)
    assert actual.shape == expected.shape
    mismatch = np.argwhere(actual != expected)
    assert not len(mismatch), sorted({str(names[column]) for _, column in mismatch})


# --- Shape features ---


def test_shape_features_of_labelled_pages_equal_the_reference(seed_documents: list[Labelled]) -> None:
    assert_same([doc.lines for doc in seed_documents])


@PROPERTY
@given(DOCUMENTS)
@example([["1.", "x"], ["2."], ["Σ 3. x", "x İ"]])  # "^\d[.)]\s" takes the line break inside a document only
@example([["Tin liên quan", "Tin liên quan", "tin  liên", "tin liên\tquan"]])
def test_shape_features_equal_the_reference(documents: list[list[str]]) -> None:
    assert_same(documents)


@PROPERTY
@given(DOCUMENTS)
def test_shape_features_without_context_dependent_case(documents: list[list[str]]) -> None:
    """Without "İ" and "Σ" the lower-cased text comes from a table rather than str.lower."""
    assert_same([[line.replace("İ", "I").replace("Σ", "S") for line in doc] for doc in documents])


# --- Word features: CueWords against scikit-learn's TfidfVectorizer ---


def reference_tokens(line: str) -> list[str]:
    """The tokens of a lower-cased line: its runs of two or more word characters (the vectorizer's
    default tokens), except letters of scripts without spaces, of which every two adjacent ones
    are a token (character bigrams)."""
    # Combining marks are word characters here, not in the regex \w: written as a letter for it.
    masked = "".join(" " if is_unspaced(c) else "a" if is_letter(c) and not c.isalpha() else c for c in line)
    found = [(m.start(), line[m.start() : m.end()]) for m in re.finditer(r"\w\w+", masked)]
    found += [(i, a + b) for i, (a, b) in enumerate(pairwise(line)) if is_unspaced(a) and is_unspaced(b)]
    return [token for _, token in sorted(found)]


def reference_analyzer(line: str) -> list[str]:
    """The word 1-2-grams of a line, lower-cased (see :func:`reference_tokens`)."""
    tokens = reference_tokens(line.lower())
    return tokens + [f"{a} {b}" for a, b in pairwise(tokens)]


def vectorizer_reference(training: list[list[str]], min_documents: int) -> TfidfVectorizer:
    """TfidfVectorizer with CueWords' settings, its vocabulary the n-grams of at least
    ``min_documents`` training documents, fitted on the training lines: what CueWords reproduces."""
    analyze = reference_analyzer
    counts: dict[str, int] = {}
    for doc in training:
        for term in {term for line in doc if not is_blank(line) for term in analyze(plain(line.strip()))}:
            counts[term] = counts.get(term, 0) + 1
    vocabulary = sorted(term for term, n in counts.items() if n >= min_documents) or ["\0"]
    lines = [plain(line.strip()) for doc in training for line in doc if not is_blank(line)]
    return TfidfVectorizer(analyzer=reference_analyzer, sublinear_tf=True, vocabulary=vocabulary).fit(lines)


def assert_same_tfidf(training: list[list[str]], documents: list[list[str]], min_documents: int = 2) -> None:
    words = CueWords.fit(LineBatch(training), min_documents)
    if not any(not is_blank(line) for doc in training for line in doc):  # the vectorizer cannot fit on nothing
        assert words.vocabulary == []
        assert words.rows(LineBatch(documents)).to_csr().nnz == 0
        return
    reference = vectorizer_reference(training, min_documents)
    assert words.vocabulary == [t for t in reference.get_feature_names_out() if t != "\0"]
    if words.vocabulary:
        np.testing.assert_allclose(words.idf, reference.idf_, rtol=1e-12)
    lines = [plain(line.strip()) for doc in documents for line in doc if not is_blank(line)]
    actual = words.rows(LineBatch(documents)).to_csr()
    assert actual.shape == (len(lines), len(words.vocabulary))
    if lines and words.vocabulary:
        expected = reference.transform(lines)
        np.testing.assert_allclose(actual.toarray(), expected.toarray(), rtol=1e-12, atol=1e-15)


def test_tfidf_of_labelled_pages_equals_the_vectorizer(seed_documents: list[Labelled]) -> None:
    documents = [doc.lines for doc in seed_documents]
    assert_same_tfidf(documents, documents)


@PROPERTY
@given(DOCUMENTS, DOCUMENTS)
@example([["Tin Liên Quan x tin liên quan", "A b tin", "İstanbul ΣΑΣ", "đọc  nhiều, đọc nhiều"]] * 2, [["tin liên"]])
def test_tfidf_equals_the_vectorizer(training: list[list[str]], documents: list[list[str]]) -> None:
    assert_same_tfidf(training, documents, min_documents=1)


def test_tfidf_by_hashed_cells_equals_the_dense_table(
    seed_documents: list[Labelled], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Large n-gram tables are hashed rather than held densely: the same rows."""
    documents = [doc.lines for doc in seed_documents]
    dense = CueWords.fit(LineBatch(documents), 2).rows(LineBatch(documents))
    monkeypatch.setattr(_NgramTable, "DENSE_CELLS", 0)
    searched = CueWords.fit(LineBatch(documents), 2).rows(LineBatch(documents))
    assert np.array_equal(dense.indptr, searched.indptr) and np.array_equal(dense.data, searched.data)


# --- Helpers ---


DATE_TEXT = st.lists(
    st.sampled_from(
        ["5", "12", "123", "0", "１", " ", " ", "/", "-", ".", ":", "h", "Jan", "jan", "Dec", "may", "Mayo", "Sept.",
         "tháng", "Tháng", "ngày", "Ngày", "xjan", "giờ", "phút", "trước", "ago", "days", "hour", "am", "PM", "a", "_",
         "é", "\t"]
    ),
    max_size=10,
).map("".join)  # fmt: skip


@settings(max_examples=500, deadline=None)
@given(DATE_TEXT)
@example("tháng 5")
@example("ngày 21 đến")
@example("3 ngày trước")
@example("xtháng 5")
@example("Dec. 12")
@example("12 Sept")
@example("x1/2 then 12345 ngày trước")  # the scan starts at a candidate that does not match
@example("a12:30 or 9h05")
def test_fast_date_patterns_match_the_same_lines(text: str) -> None:
    expected = DATE.search(text) is not None
    assert expected == (DATE_FROM_DIGIT.search(text) is not None or DATE_FROM_MONTH.search(text) is not None)
    line = Text.of([text])
    decimal = np.flatnonzero(line.classes & DECIMAL)
    if TIME.search(text):  # the time scan skips lines without a digit before ":" or "h"
        assert re.search(r"\d[:h]", text)
        # ... and starts at the run of digits of the first such digit
        after = line.codes[np.minimum(decimal + 1, len(line.codes) - 1)]
        rows, offsets = candidates(line, digit_run_starts(decimal)[(after == ord(":")) | (after == ord("h"))])
        assert list(rows) == [0] and TIME.search(text, int(offsets[0]))
    if DATE_FROM_DIGIT.search(text):  # the date scan skips the lines date_rows leaves out
        rows, offsets = date_rows(line, decimal, digit_run_starts(decimal))
        assert list(rows) == [0]
        assert DATE_FROM_DIGIT.search(text, int(offsets[0]))  # and the characters before its offset
    line = text.strip()
    assert ends_date([line], np.array([0]))[0] == (ENDS_DATE.search(line) is not None)


SENTENCE_TEXT = st.lists(
    st.sampled_from(["a", "É", "1", " ", "\t", ".", "!", "?", "…", '"', "”", ")", "»", "_"]), max_size=12
).map("".join)


@settings(max_examples=300, deadline=None)
@given(SENTENCE_TEXT)
def test_sentence_scan_skips_only_lines_without_a_sentence_end(text: str) -> None:
    if SENTENCE_END.search(text):
        rows, offsets = sentence_rows(Text.of([text]))
        assert list(rows) == [0]
        assert SENTENCE_END.findall(text, int(offsets[0])) == SENTENCE_END.findall(text)


@given(st.lists(st.lists(st.integers(0, 10**6), min_size=0, max_size=40), max_size=12))
def test_percentile_90_is_numpys(groups: list[list[int]]) -> None:
    values = np.asarray([v for group in groups for v in group], dtype=np.int64)
    bounds = np.concatenate([[0], np.cumsum([len(group) for group in groups])]).astype(np.int64)
    expected = [np.percentile(np.asarray(group, dtype=np.int64), 90) if group else 0.0 for group in groups]
    np.testing.assert_array_equal(percentile_90(values, bounds), expected)


def test_percentile_90_is_numpys_for_every_size_up_to_500() -> None:
    rng = np.random.default_rng(0)
    sizes = np.arange(1, 501)
    values = rng.integers(0, 2000, sizes.sum())
    bounds = np.concatenate([[0], np.cumsum(sizes)])
    expected = [np.percentile(values[a:b], 90) for a, b in pairwise(bounds)]
    np.testing.assert_array_equal(percentile_90(values, bounds), expected)


def strings_of(pieces: list[str], min_size: int = 0, max_size: int = 6) -> st.SearchStrategy[str]:
    return st.lists(st.sampled_from(pieces), min_size=min_size, max_size=max_size).map("".join)


WORDS = st.lists(strings_of([*"abcđư.,«»-!", "ab", "của", "İ", "😀"]), max_size=30)


@given(WORDS, WORDS)
@example(["", "a", "ab"], ["", "a", "b", "ab", "abc"])
def test_lexicon_finds_exactly_its_strings(strings: list[str], candidates: list[str]) -> None:
    lexicon = Lexicon(strings)
    text = Text.of(candidates)
    found = lexicon.find(text.codes, text.starts, text.lengths)
    assert [lexicon.strings[i] if i >= 0 else None for i in found] == [
        c if c in set(strings) else None for c in candidates
    ]


def test_lexicon_survives_many_strings_of_one_length() -> None:
    strings = [f"{i:05d}" for i in range(0, 100000, 7)]
    candidates = [f"{i:05d}" for i in range(0, 3000)]
    text = Text.of(candidates)
    found = Lexicon(strings).find(text.codes, text.starts, text.lengths)
    assert [i >= 0 for i in found] == [int(c) % 7 == 0 for c in candidates]


@given(
    st.lists(st.tuples(st.integers(0, 5), st.sets(st.integers(0, 63), max_size=4)), max_size=40),
    st.integers(1, 64),
    st.booleans(),
)
def test_bit_counts_counts_each_groups_items_per_bit(
    items: list[tuple[int, set[int]]], width: int, ordered: bool
) -> None:
    """Per group and bit, the items of the group with that bit set, counted one by one; the groups
    in order (as a batch's documents are) or not."""
    if ordered:
        items = sorted(items, key=lambda item: item[0])
    bits = np.array([sum(1 << b for b in set_bits) for _, set_bits in items], dtype=np.uint64)
    groups = np.array([group for group, _ in items], dtype=np.intp)
    expected = [
        [sum(g == group and b in set_bits for g, set_bits in items) for b in range(width)] for group in range(6)
    ]
    assert bit_counts(bits, groups, 6, width).tolist() == expected


@given(st.lists(st.text("的确是了一个.", min_size=1, max_size=4), max_size=12), st.text("的确是了一个.人", max_size=40))
def test_longest_word_pattern_finds_what_the_words_longest_first_find(words: list[str], text: str) -> None:
    """The trie pattern of unspaced stopwords finds, in any text, the words the plain alternation
    of them, longest first, finds (words that are prefixes of others, and a regex metacharacter)."""
    alternation = re.compile("|".join(map(re.escape, sorted(set(words), key=lambda w: (-len(w), w)))) or "(?!)")
    assert longest_word_pattern(words).findall(text) == alternation.findall(text)


@given(st.lists(strings_of([*"ab.,!«»-", "xxx", "." * 9], min_size=1), max_size=20))
def test_strip_is_str_strip(words: list[str]) -> None:
    text = Text.of(words)
    starts, ends = strip(text, text.starts, text.ends, EDGE)
    assert [text.joined[a:b] for a, b in zip(starts, ends)] == [w.strip(_EDGE_PUNCTUATION) for w in words]


@given(st.lists(strings_of(["a", "B", "1", " ", "|", "1......", "|" * 7], min_size=1), max_size=20))
def test_first_where_finds_letters_and_tails(lines: list[str]) -> None:
    text = Text.of(lines)
    first = first_where(text.classes, ALPHA, True, text.starts, text.ends)
    last = first_where(text.classes, SPACE | PIPE, False, text.starts, text.ends, backwards=True)
    for line, start, at, tail_at in zip(lines, text.starts, first, last):
        letters = [i for i, c in enumerate(line) if c.isalpha()]
        assert at - start == (letters[0] if letters else len(line))
        assert tail_at - start == len(line.rstrip(" |")) - 1


FOLD_TEXT = strings_of([*"aZ09 -.,\n\t", *NASTY, "Việt Nam", "ǅ\u0301", "\u0301\u0323", " " * 9], max_size=60)


@PROPERTY
@given(st.lists(FOLD_TEXT, max_size=8), st.sampled_from([None, 1, 5, 40]))
def test_ascii_fold_lines_is_the_plain_fold(lines: list[str], width: int | None) -> None:
    expected = [_reference_ascii_fold(line)[:width] for line in lines]
    assert ascii_fold_lines(lines, width) == expected


@PROPERTY
@given(FOLD_TEXT)
def test_a_fold_starts_with_its_first_characters_initial(line: str) -> None:
    initial = fold_initials()[min(ord(line[0]), TABLE_SIZE)] if line else 0
    if initial:
        assert _reference_ascii_fold(line)[0] == chr(initial)


def test_fold_initials_are_the_first_characters_of_the_plain_folds() -> None:
    initials = fold_initials()
    for code in range(TABLE_SIZE):
        fold = _reference_ascii_fold(chr(code))
        assert initials[code] == (ord(fold[0]) if fold else 0)
    assert initials[TABLE_SIZE] == 0


def test_ascii_fold_lines_folds_every_character_as_the_plain_fold() -> None:
    characters = [chr(code) for code in range(0x110000)]
    lines = ["É" + "".join(characters[i : i + 61]) + "x" for i in range(0, len(characters), 61)]
    assert ascii_fold_lines(lines) == [_reference_ascii_fold(line) for line in lines]
    assert ascii_fold_lines(lines, 40) == [_reference_ascii_fold(line)[:40] for line in lines]


# --- Second stage: the context features of a batch equal those of each document alone ---


def reference_stack_features(p: np.ndarray, shape: np.ndarray) -> np.ndarray:
    """The context-stage features of one document, as first written (per document)."""
    n = len(p)
    if n == 0:
        return np.zeros((0, len(context.stack_feature_names())))
    logit = context._logit(p)
    rows = np.arange(n)
    columns = []
    for offset in context.STACK_OFFSETS:
        source = rows + offset
        valid = (source >= 0) & (source < n)
        columns.append(np.where(valid, logit[np.clip(source, 0, n - 1)], 0.0))
        if offset:
            columns.append((~valid).astype(float))
    cumulative = np.concatenate([[0.0], np.cumsum(p)])
    for radius in context.STACK_WINDOWS:
        lo, hi = np.clip(rows - radius, 0, n), np.clip(rows + radius + 1, 0, n)
        columns.append((cumulative[hi] - cumulative[lo]) / (hi - lo))
    columns.append(np.where(rows > 0, cumulative[rows] / np.maximum(rows, 1), 0.5))
    columns.append(np.where(rows < n - 1, (cumulative[n] - cumulative[rows + 1]) / np.maximum(n - 1 - rows, 1), 0.5))
    start, end = context._best_span(p - 0.5)
    columns.append(((rows >= start) & (rows <= end)).astype(float))
    columns.append(np.log1p(np.clip(start - rows, 0, None)))
    columns.append(np.log1p(np.clip(rows - end, 0, None)))
    return np.column_stack([*columns, shape[:, context._STACK_SHAPE_COLUMNS]])


def test_stacking_a_batch_equals_stacking_each_document() -> None:
    rng = np.random.default_rng(0)
    for _ in range(200):
        sizes = rng.integers(0, 20, rng.integers(0, 6))
        offsets = np.concatenate([[0], np.cumsum(sizes)]).astype(int)
        n = int(offsets[-1])
        probabilities = rng.choice([0.5, 0.25, 0.75, 0.0, 1.0, 0.123], n) if rng.random() < 0.5 else rng.random(n)
        shape = rng.random((n, len(BASE_FEATURES)))
        markup = rng.random(n) < 0.2
        batch = context.context_rows(probabilities, shape, offsets, markup)
        alone = [
            reference_stack_features(probabilities[a:b][~markup[a:b]], shape[a:b][~markup[a:b]])
            for a, b in pairwise(offsets)
        ]
        expected = np.vstack([np.zeros((0, batch.shape[1])), *alone])
        np.testing.assert_array_equal(batch, expected)


@given(
    st.lists(strings_of(["h", "ttp", "s", ":", "//", "](", "|", "a", " ", "đ"], max_size=12), max_size=12),
    st.sampled_from(["](", "http://", "https://", "|", ":", "h", "ttp:", "đ"]),
)
def test_text_contains_is_the_in_operator(lines: list[str], literal: str) -> None:
    assert Text.of(lines).contains(literal).tolist() == [literal in line for line in lines]


@PROPERTY
@given(st.lists(DATE_TEXT | strings_of([*NASTY, "MAY", "Mar", "mai", "ja", "Jun ", "xdec"], max_size=20), max_size=8))
def test_month_rows_are_the_lines_with_a_token_starting_like_a_month(lines: list[str]) -> None:
    batch = LineBatch([lines])
    months = tuple(m.lower() for m in MONTH_NAMES)
    tokens = [reference_tokens(text.lower()) for text in batch.texts]
    expected = [row for row, words in enumerate(tokens) if any(word.startswith(months) for word in words)]
    assert batch.month_rows(np.ones(len(batch), bool)).tolist() == expected


SHARING_LINES = strings_of(["ab", "ba", "a", "b", "Tin", " ", "  ", "\t", "đ", "İ"], max_size=8)


@PROPERTY
@given(st.lists(st.lists(SHARING_LINES, max_size=10), max_size=5))
def test_first_words_shared_counts_the_lines_of_the_document_starting_alike(documents: list[list[str]]) -> None:
    batch = LineBatch(documents)
    word_starts, word_ends = batch.text.runs(WHITESPACE, inside=False)
    words = [text.split() for text in batch.texts]
    two = np.array([row for row, w in enumerate(words) if len(w) >= 2], dtype=np.int64)
    keys = [(int(batch.doc[row]), tuple(words[row][:2])) for row in two.tolist()]
    expected = [float(keys.count(key)) for key in keys]
    assert first_words_shared(batch, word_starts, word_ends, two).tolist() == expected


REPEATING_LINES = st.sampled_from(["a", "ab", "ba", "a b", "b a", "Tin", "tin", "đ", "xđ", "  a"])


@PROPERTY
@given(st.lists(st.lists(REPEATING_LINES, max_size=12), max_size=5))
def test_repeated_lines_count_the_same_lines_of_the_document(documents: list[list[str]]) -> None:
    batch = LineBatch(documents)
    repeats, numbers = repeated_lines(batch)
    keys = list(zip(batch.doc.tolist(), batch.texts))
    assert repeats.tolist() == [float(keys.count(key)) for key in keys]
    for i, j in product(range(len(keys)), repeat=2):
        if keys[i][0] == keys[j][0]:
            assert (numbers[i] == numbers[j]) == (keys[i] == keys[j])


def test_lower_case_keeps_whitespace_and_places_but_for_dotted_capital_i() -> None:
    """The stopwords group takes the words of the lower-cased text from the text's when both are as long."""
    for code in range(0x110000):
        char = chr(code)
        lowered = char.lower()
        assert (len(lowered) == 1) == (char != "İ")
        assert lowered[0].isspace() == char.isspace()
