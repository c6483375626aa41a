"""Peer systems scored side by side with the model on the same dumps (``make eval-dev``).

Each peer sees the dump lines only, as in ``../shared/devset/BASELINES.md``. jusText and
datatrove's C4 rule come from the optional ``bench`` extra; a peer that is not installed is
reported as skipped rather than faked.
"""

from __future__ import annotations

import html
from collections.abc import Callable, Sequence

from cleaner.labels import BOILERPLATE, CONTENT
from cleaner.text import is_blank
from cleaner.training.labels import LabelledDocument

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


def justext_rule() -> Predictor:
    """jusText with each line as a ``<p>`` and the document language's stoplist, defaults otherwise."""
    import justext

    stoplists = {"vi": justext.get_stoplist("Vietnamese"), "en": justext.get_stoplist("English")}

    def predict(documents: Sequence[LabelledDocument]) -> list[list[str | None]]:
        result = []
        for doc in documents:
            language = doc.language or "en"
            indices = [i for i, line in enumerate(doc.lines) if not is_blank(line)]
            page = "<html><body>" + "".join(f"<p>{html.escape(doc.lines[i])}</p>" for i in indices) + "</body></html>"
            paragraphs = justext.justext(page, stoplists.get(language, stoplists["en"])) if indices else []
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
    for name, factory in (("C4 line rule (datatrove)", c4_line_rule), ("jusText", justext_rule)):
        try:
            peers[name] = factory()
        except ImportError as exc:
            skipped[name] = f"not installed ({exc.name or exc}); pip install -e '.[bench]'"
    seeds = [doc for doc in training if doc.origin == "seed"] or list(training)
    peers["single-line TF-IDF (seeds)"] = single_line_tfidf(seeds)
    return peers, skipped
