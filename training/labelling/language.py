"""The language of a dump, for its manifest row: a vote of stopword hits over stopwordsiso's lists.

Stopwords are the most frequent words of a language and occur on every line of prose, so the list
that covers most of a page's words names its language; a full language identifier (fastText,
CLD3) would add a model file and a dependency for a field the user can correct on the page. Scripts
written without spaces between words (Chinese, Japanese, Thai) give no words to count: they are
told by their characters first.

A word is a run of letters and the combining marks written on them: Devanagari, Bengali, Tamil
and the other Brahmic scripts write most vowels as marks (``में`` is the letter ``म`` and two
marks), and counting letters alone cut their words into single letters, which one-letter entries
of another language's list matched (a Hindi page was voted Marathi for its ``म``). A tie goes to
the language more pages of the web are written in (:data:`PREVALENCE`), else by code.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Sequence
from functools import lru_cache

# Languages by their share of the web's pages, most first (Common Crawl's language statistics,
# rounded): the vote's tie-break, where a page's stopwords are as much one language's as another's.
PREVALENCE = (
    "en", "ru", "de", "zh", "ja", "es", "fr", "it", "pt", "pl", "nl", "vi", "id", "tr", "cs", "fa", "sv",
    "ko", "hu", "ar", "ro", "el", "da", "fi", "sk", "uk", "no", "th", "bg", "he", "hi", "hr", "lt", "sr",
    "sl", "ca", "et", "lv", "ms", "bn", "ta", "ur", "mr",
)  # fmt: skip
# Scripts that name their language on their own (checked before the vote): a block of code points.
SCRIPTS = (
    ("ja", re.compile(r"[\u3040-\u30ff]")),  # kana: Japanese (its kanji are Chinese characters too)
    ("ko", re.compile(r"[\uac00-\ud7af]")),  # Hangul
    ("th", re.compile(r"[\u0e00-\u0e7f]")),  # Thai
    ("zh", re.compile(r"[\u4e00-\u9fff]")),  # CJK ideographs without kana
)
SCRIPT_SHARE = 0.2  # of a page's letters, for its script to decide


@lru_cache(maxsize=1)
def stopword_lists() -> dict[str, frozenset[str]]:
    """Every stopwordsiso language's one-word stopwords, lower-cased (multi-word Vietnamese entries
    are left out: the page's words are counted one by one)."""
    import stopwordsiso

    return {
        language: frozenset(word.lower() for word in stopwordsiso.stopwords(language) if " " not in word)
        for language in sorted(stopwordsiso.langs())
    }


@lru_cache(maxsize=1)
def word_pattern() -> re.Pattern[str]:
    """A word: a letter, then letters and combining marks (Unicode categories L and M)."""
    ranges = ["\\U000e0100-\\U000e01ef"]  # variation selectors, the only marks past the first two planes
    start = None
    for code in range(0x20001):
        is_mark = code < 0x20000 and unicodedata.category(chr(code)).startswith("M")
        if is_mark and start is None:
            start = code
        elif not is_mark and start is not None:
            ranges.append(f"\\U{start:08x}-\\U{code - 1:08x}")
            start = None
    return re.compile(r"[^\W\d_](?:[^\W\d_]|[" + "".join(ranges) + "])*")


def words_of(text: str) -> list[str]:
    """The words of ``text`` (:func:`word_pattern`), lower-cased."""
    return [word.lower() for word in word_pattern().findall(text)]


def rank(language: str) -> int:
    """A language's place in :data:`PREVALENCE` (one not listed comes after those listed)."""
    return PREVALENCE.index(language) if language in PREVALENCE else len(PREVALENCE)


def detect_language(lines: Sequence[str], default: str = "und") -> str:
    """The ISO 639-1 code of the page's language, or ``default`` ("undetermined") with no words."""
    text = "\n".join(lines)
    letters = sum(character.isalpha() for character in text)
    if not letters:
        return default
    for language, script in SCRIPTS:
        if len(script.findall(text)) >= SCRIPT_SHARE * letters:
            return language
    words = Counter(words_of(text))
    if not words:
        return default
    hits = {
        language: sum(n for word, n in words.items() if word in stopwords)
        for language, stopwords in stopword_lists().items()
    }
    best = min(hits, key=lambda language: (-hits[language], rank(language), language))
    return best if hits[best] else default
