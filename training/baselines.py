"""Peer systems scored side by side with the model on the same dumps (``make eval-dev``).

Each peer sees the dump lines only, as in ``../shared/devset/BASELINES.md``. jusText and
datatrove's C4 rule come from the optional ``bench`` extra; a peer that is not installed is
reported as skipped rather than faked.
"""

from __future__ import annotations

import html
from collections.abc import Callable, Collection, Sequence

from ..labels import BOILERPLATE, CONTENT
from ..text import is_blank
from .extras import install_hint
from .labels import LabelledDocument

Predictor = Callable[[Sequence[LabelledDocument]], list[list[str | None]]]


def _per_line(documents: Sequence[LabelledDocument], keep: Callable[[str], bool]) -> list[list[str | None]]:
    return [
        [None if is_blank(line) else (CONTENT if keep(line) else BOILERPLATE) for line in doc.lines]
        for doc in documents
    ]


def keep_all(documents: Sequence[LabelledDocument]) -> list[list[str | None]]:
    """Every line is content: the recall ceiling and precision floor."""
    return _per_line(documents, lambda line: True)


# How the C4 line rule is built (see c4_line_rule); `make bench` prints it with its speed.
C4_OPTIONS = {"split_paragraph": True, "min_num_sentences": -1}


def c4_line_rule() -> Predictor:
    """datatrove's C4QualityFilter applied to each line alone, document-level rules off.

    As ``../shared/devset/BASELINES.md`` runs it (its scores and its 14.7 MB/s are reproduced):
    ``split_paragraph=True`` applies the rules to the line (C4's own unit), and
    ``min_num_sentences=-1`` is datatrove's documented switch for the document-level sentence count.
    ``split_paragraph=False`` would apply them to each spaCy sentence of the line instead, a
    different rule and 50 times slower, as would counting sentences (spaCy again) with 0.
    """
    from datatrove.data import Document
    from datatrove.pipeline.filters import C4QualityFilter

    rule = C4QualityFilter(**C4_OPTIONS)  # one filter for every line

    def keep(line: str) -> bool:
        document = Document(text=line, id="line")
        return rule.filter(document) is True and bool(document.text.strip())

    return lambda documents: _per_line(documents, keep)


# ISO 639 codes of the languages jusText ships a stoplist for, to its stoplist names. The devset and
# labels/manifest.csv name languages by ISO code; jusText by English name.
JUSTEXT_STOPLISTS = {
    "af": "Afrikaans", "sq": "Albanian", "ar": "Arabic", "an": "Aragonese", "rup": "Aromanian",
    "hy": "Armenian", "ast": "Asturian", "az": "Azerbaijani", "eu": "Basque", "be": "Belarusian",
    "bn": "Bengali", "bpy": "Bishnupriya_Manipuri", "bs": "Bosnian", "br": "Breton", "bg": "Bulgarian",
    "ca": "Catalan", "ceb": "Cebuano", "cv": "Chuvash", "hr": "Croatian", "cs": "Czech", "da": "Danish",
    "nl": "Dutch", "en": "English", "eo": "Esperanto", "et": "Estonian", "fi": "Finnish", "fr": "French",
    "gl": "Galician", "ka": "Georgian", "de": "German", "el": "Greek", "gu": "Gujarati", "ht": "Haitian",
    "he": "Hebrew", "hi": "Hindi", "hu": "Hungarian", "is": "Icelandic", "io": "Ido", "ig": "Igbo",
    "id": "Indonesian", "ga": "Irish", "it": "Italian", "jv": "Javanese", "kn": "Kannada", "kk": "Kazakh",
    "ko": "Korean", "ku": "Kurdish", "ky": "Kyrgyz", "la": "Latin", "lv": "Latvian", "lt": "Lithuanian",
    "lmo": "Lombard", "nds": "Low_Saxon", "lb": "Luxembourgish", "mk": "Macedonian", "ms": "Malay",
    "ml": "Malayalam", "mt": "Maltese", "mr": "Marathi", "nap": "Neapolitan", "ne": "Nepali", "new": "Newar",
    "nb": "Norwegian_Bokmal", "no": "Norwegian_Bokmal", "nn": "Norwegian_Nynorsk", "oc": "Occitan",
    "fa": "Persian", "pms": "Piedmontese", "pl": "Polish", "pt": "Portuguese", "qu": "Quechua",
    "ro": "Romanian", "ru": "Russian", "sgs": "Samogitian", "sr": "Serbian", "sh": "Serbo_Croatian",
    "scn": "Sicilian", "sk": "Slovak", "sl": "Slovenian", "es": "Spanish", "su": "Sundanese",
    "sw": "Swahili", "sv": "Swedish", "tl": "Tagalog", "ta": "Tamil", "te": "Telugu", "tr": "Turkish",
    "tk": "Turkmen", "uk": "Ukrainian", "ur": "Urdu", "uz": "Uzbek", "vi": "Vietnamese", "vo": "Volapuk",
    "wa": "Walloon", "war": "Waray_Waray", "cy": "Welsh", "fy": "West_Frisian", "pnb": "Western_Panjabi",
    "yo": "Yoruba",
}  # fmt: skip
LANGUAGE_INDEPENDENT = "none: language-independent mode"


def justext_stoplist_name(language: str, available: Collection[str]) -> str | None:
    """The jusText stoplist for a page's language (an ISO 639 code, or already a stoplist name
    such as ``German``), or None when jusText has none for it (Chinese, Japanese, Thai...).

    ``available`` is ``justext.get_stoplists()``, passed in so that the choice can be checked
    without jusText installed."""
    code = language.strip().lower().replace("_", "-")
    name = JUSTEXT_STOPLISTS.get(code) or JUSTEXT_STOPLISTS.get(code.split("-")[0])
    if name is None:
        name = next((n for n in available if n.lower() == language.strip().lower()), None)
    return name if name in available else None


def describe_justext_stoplists(languages: Collection[str]) -> dict[str, str]:
    """For the report: which stoplist jusText used for each language, or that it ran without one."""
    import justext

    available = justext.get_stoplists()
    return {
        language or "(none)": justext_stoplist_name(language, available)
        or f"{LANGUAGE_INDEPENDENT} (jusText has no stoplist for {language or 'an unknown language'})"
        for language in sorted(set(languages))
    }


def justext_rule() -> Predictor:
    """jusText with each line as a ``<p>`` and the page language's stoplist, defaults otherwise.

    A language jusText has no stoplist for is run in jusText's own language-independent mode (an
    empty stoplist with both stopword-density thresholds at 0, what ``python -m justext None`` does),
    rather than with another language's list, which would call every paragraph stopword-poor."""
    import justext

    available = justext.get_stoplists()
    cache: dict[str, frozenset[str]] = {}

    def stoplist(language: str) -> frozenset[str]:
        if language not in cache:
            name = justext_stoplist_name(language, available)
            cache[language] = frozenset(justext.get_stoplist(name)) if name else frozenset()
        return cache[language]

    def predict(documents: Sequence[LabelledDocument]) -> list[list[str | None]]:
        result = []
        for doc in documents:
            words = stoplist(doc.language)
            thresholds = {} if words else {"stopwords_low": 0, "stopwords_high": 0}
            indices = [i for i, line in enumerate(doc.lines) if not is_blank(line)]
            page = "<html><body>" + "".join(f"<p>{html.escape(doc.lines[i])}</p>" for i in indices) + "</body></html>"
            paragraphs = justext.justext(page, words, **thresholds) if indices else []
            labels: list[str | None] = [None] * len(doc.lines)
            for i in indices:
                labels[i] = BOILERPLATE
            # jusText may drop or merge paragraphs; match its output back to lines by text, in order.
            cursor = 0
            for paragraph in paragraphs:
                for j in range(cursor, len(indices)):
                    if " ".join(doc.lines[indices[j]].split()) == " ".join(paragraph.text.split()):
                        labels[indices[j]] = BOILERPLATE if paragraph.is_boilerplate else CONTENT
                        cursor = j + 1
                        break
            result.append(labels)
        return result

    return predict


def single_line_tfidf(training: Sequence[LabelledDocument]) -> Predictor:
    """The design card's literal model: char n-gram TF-IDF + logistic regression on single lines."""
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline

    lines = [line for doc in training for line, label in zip(doc.lines, doc.labels) if label is not None]
    targets = [label == CONTENT for doc in training for label in doc.labels if label is not None]
    model = make_pipeline(
        TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5)),
        # Balanced classes: unweighted, the seeds' few content lines never win a single line.
        LogisticRegression(max_iter=2000, class_weight="balanced"),
    ).fit(lines, targets)

    def predict(documents: Sequence[LabelledDocument]) -> list[list[str | None]]:
        result = []
        for doc in documents:
            indices = [i for i, line in enumerate(doc.lines) if not is_blank(line)]
            guesses = model.predict([doc.lines[i] for i in indices]) if indices else []
            labels: list[str | None] = [None] * len(doc.lines)
            for i, guess in zip(indices, guesses):
                labels[i] = CONTENT if guess else BOILERPLATE
            result.append(labels)
        return result

    return predict


def available_baselines(training: Sequence[LabelledDocument]) -> tuple[dict[str, Predictor], dict[str, str]]:
    """The peers that can run here, and why the others cannot."""
    peers: dict[str, Predictor] = {"keep every line": keep_all}
    skipped: dict[str, str] = {}
    for name, factory, packages in (
        ("C4 line rule (datatrove)", c4_line_rule, ("datatrove", "spacy", "regex")),
        ("jusText", justext_rule, ("justext", "lxml_html_clean")),
    ):
        try:
            peers[name] = factory()
        except ImportError as exc:
            skipped[name] = f"not installed ({exc.name or exc}); {install_hint('bench', packages)}"
    seeds = [doc for doc in training if doc.origin == "seed"] or list(training)
    peers["single-line TF-IDF (seeds)"] = single_line_tfidf(seeds)
    return peers, skipped
