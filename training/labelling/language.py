"""The language of a dump, for its manifest row: a vote of stopword hits over stopwordsiso's lists.

Stopwords are the most frequent words of a language and occur on every line of prose, so the list
that covers most of a page's words names its language; a full language identifier (fastText,
CLD3) would add a model file and a dependency for a field the user can correct on the page. Scripts
written without spaces between words (Chinese, Japanese, Thai) give no words to count: they are
told by their characters first.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from functools import lru_cache

WORD = re.compile(r"[^\W\d_]+")
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


def detect_language(lines: Sequence[str], default: str = "und") -> str:
    """The ISO 639-1 code of the page's language, or ``default`` ("undetermined") with no words."""
    text = "\n".join(lines)
    letters = sum(character.isalpha() for character in text)
    if not letters:
        return default
    for language, script in SCRIPTS:
        if len(script.findall(text)) >= SCRIPT_SHARE * letters:
            return language
    words = Counter(word.lower() for word in WORD.findall(text))
    if not words:
        return default
    hits = {
        language: sum(n for word, n in words.items() if word in stopwords)
        for language, stopwords in stopword_lists().items()
    }
    best = max(hits, key=lambda language: (hits[language], language == "en"))
    return best if hits[best] else default
