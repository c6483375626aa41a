"""The trained model as plain numpy arrays: what ``load_model`` returns and everything predicts with.

Importing scikit-learn takes about a second, most of a short run's time, and prediction needs none
of it: the scaler is ``(x - mean) / scale``, each logistic regression a product, an intercept and a
sigmoid, and the features are cleaner's own numpy code. So a :class:`Predictor` holds the fitted
numbers and computes P(content) itself; the scikit-learn :class:`~cleaner.classifier.estimator.LineClassifier`
makes one when it is fitted and predicts through it, so the two cannot disagree.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from functools import partial
from pathlib import Path
from typing import Any

import numpy as np

from ..features.batch import Documents, LineBatch
from ..features.context import (
    Layers,
    context_inputs,
    context_probability,
    context_rows,
    expit,
    row_dot,
    with_extra_inputs,
)
from ..features.cuechars import CueChars
from ..features.cuewords import CueWords, SparseRows
from ..features.headers import IN_MAIN_BLOCK, header_echo
from ..features.shape import markup_rows, shape_matrix
from ..features.stopwords import Stopwords
from ..features.topics import page_words, topic_overlap
from ..features.unwrap import Edges, rejoin
from ..labels import BOILERPLATE, CONTENT
from ..text import composed, is_blank, join_nonblank_kept, nth, plural, split_lines, str_lines
from .short_dumps import decisions, short_dumps_value, warn_short_dumps
from .thresholds import model_threshold, threshold_value

# Documents predicted in one batch hold at most this many lines together (one longer than a
# window is predicted alone, in windows): the feature matrices' rows, about 3 KB each at the peak.
BATCH_LINES = 16384


def first_stage_parts(
    shape: np.ndarray,
    words: SparseRows | None,
    scaling: tuple[np.ndarray, np.ndarray],
    coef: np.ndarray,
    intercept: float,
    word_weight: float,
    chars: SparseRows | Callable[[np.ndarray], np.ndarray] | None = None,
    char_weight: float = 0.5,
) -> tuple[np.ndarray, np.ndarray]:
    """The first stage's P(content): a logistic regression on the standardised shape features
    (``scaling``: the scaler's mean and scale), the word block times ``word_weight`` and the
    character n-gram block (if any) times ``word_weight * char_weight``, computed block by block,
    since stacking the dense and the sparse blocks into one matrix costs more than the product.
    ``coef`` is the regression's weights: shape columns, then word columns, then character ones.
    ``chars`` is the character block's rows, or a function of its weights that gives each line's
    product with them (:meth:`CueChars.scores <cleaner.features.cuechars.CueChars.scores>`, all a
    prediction needs: faster than making the rows).

    Returned with it: the part of each line's logit that the cue blocks (words and character
    n-grams) give, which context stages fitted with ``cue_logit`` read."""
    if len(shape) == 0:
        return np.zeros(0), np.zeros(0)
    mean, scale = scaling
    n_shape = shape.shape[1]
    standardised = shape - mean
    standardised /= scale  # in place: the same values as (shape - mean) / scale, one matrix fewer
    score = row_dot(standardised, coef[:n_shape]) + intercept
    cues = np.zeros(len(shape))
    if words is not None:
        word_part = (words @ coef[n_shape : n_shape + words.n_columns]) * word_weight
        score += word_part
        cues += word_part
    if chars is not None:
        start = n_shape + (words.n_columns if words is not None else 0)
        products = chars @ coef[start:] if isinstance(chars, SparseRows) else chars(coef[start:])
        char_part = products * (word_weight * char_weight)
        score += char_part
        cues += char_part
    return expit(score), cues


def _documents(documents: Documents, what: str = "documents") -> list[list[str]]:
    """The documents as lists of lines, or a TypeError that says what was expected: a str or
    bytes where a sequence of lines belongs would otherwise be taken character by character. A
    numpy array (an object array of lists, as scikit-learn's model selection indexes documents)
    is taken as its list: ``fit`` took one and ``predict`` refused it, so ``cross_val_score`` got nan."""
    if isinstance(documents, np.ndarray) and documents.ndim >= 1:
        documents = documents.tolist()
    if isinstance(documents, (str, bytes)) or not isinstance(documents, Sequence):
        raise TypeError(f"{what}: expected a list of documents, each a list of lines; got {type(documents).__name__}")
    return [_lines(doc, f"{what}: {nth(index, len(documents), 'document')}") for index, doc in enumerate(documents)]


# A line is read for its features up to this many characters. Features are computed per character
# and per word, about 40 bytes a character, and windows bound a document's lines, not a line's
# length: a whole page on one line of 5 MB took 270 MB. Past a paragraph's length, the rest of a
# line changes nothing of what it looks like.
MAX_LINE_CHARS = 100_000


def _read(lines: list[str]) -> list[str]:
    """The lines as the features read them: each cut to :data:`MAX_LINE_CHARS` (after stripping,
    so that a blank line stays blank and a non-blank one non-blank), then composed
    (:func:`~cleaner.text.composed`), so that a page on one huge line is never composed whole. The
    output keeps the lines as they were."""
    if not all(len(line) <= MAX_LINE_CHARS for line in lines):
        lines = [line if len(line) <= MAX_LINE_CHARS else line.strip()[:MAX_LINE_CHARS] for line in lines]
    return composed(lines)


def _lines(lines: Sequence[str], what: str = "lines") -> list[str]:
    if isinstance(lines, (str, bytes)) or not isinstance(lines, Sequence):
        hint = " (split a dump with cleaner.text.split_lines, or call clean(text))" if isinstance(lines, str) else ""
        raise TypeError(f"{what}: expected a list of lines (str){hint}; got {type(lines).__name__}")
    return str_lines(lines, what)


def _groups(documents: list[list[str]], is_long: Callable[[list[str]], bool]) -> Iterator[list[int]]:
    """The documents' indices in the groups they are predicted in: one long document alone (in
    windows, unless rejoining its paragraphs makes it short), else as many as hold at most
    :data:`BATCH_LINES` lines together."""
    batch: list[int] = []
    lines = 0
    for index, doc in enumerate(documents):
        if is_long(doc):
            yield [index]
            continue
        if batch and lines + len(doc) > BATCH_LINES:
            yield batch
            batch, lines = [], 0
        batch.append(index)
        lines += len(doc)
    if batch:
        yield batch


class Predictor:
    """P(content) of every line of a dump, from a trained model's arrays.

    Get one with :func:`cleaner.load_model`. A dump is a list of lines (blank lines carry no label:
    they get None); several dumps are predicted together faster than one by one, with the same
    result.

    Attributes
    ----------
    threshold : float
        Lines with P(content) at or above it are content: a number from 0 to 1, checked when it
        is used (``clean``, ``predict``, ``clean_batch``: a ValueError otherwise), not when set.
    manifest : dict
        What the model was trained on and how it scored (see ``cleaner.classifier.format``).
    """

    def __init__(
        self,
        stopwords: Stopwords,
        scaling: tuple[np.ndarray, np.ndarray],
        coef: np.ndarray,
        intercept: float,
        word_weight: float,
        words: CueWords | None,
        context_stages: list[Layers],
        threshold: float,
        manifest: dict[str, Any] | None = None,
        chars: CueChars | None = None,
        char_weight: float = 0.5,
        topics: bool = False,
        span_share: bool = False,
        header_echo: bool = False,
        cue_logit: bool = False,
    ) -> None:
        self.stopwords = stopwords
        self.scaling = scaling
        self.coef = coef
        self.intercept = float(intercept)
        self.word_weight = float(word_weight)
        self.words = words
        self.chars = chars
        self.char_weight = float(char_weight)
        self.context_stages = context_stages
        self.topics = topics  # the context stages read each line's topic overlap (features.topics), last
        self.span_share = span_share  # they read the page's span shares (features.context.PAGE_FEATURES), before it
        self.header_echo = header_echo  # and the lines' post headers (features.headers), between the two
        self.cue_logit = cue_logit  # and the cue blocks' part of each line's first-stage logit, after all
        self.threshold = float(threshold)
        self.manifest: dict[str, Any] = dict(manifest or {})

    def predict_proba_nonblank(self, documents: Documents) -> list[np.ndarray]:
        """P(content) of the non-blank lines of each document; 0 for lines of image markup only.

        Hard-wrapped documents are classified paragraph by paragraph, each line getting its
        paragraph's score (cleaner.features.unwrap): rejoined here, before the choice between a
        batch and windows, so that both read the same paragraphs.

        Memory: documents are predicted in batches of at most :data:`BATCH_LINES` lines, and one
        longer than a window (cleaner.classifier.windows) a window of lines at a time, so that
        the feature matrices never hold more than a few thousand lines, whatever the input. Each
        document's scores are the same in any batch, so this changes no result.
        """
        from .windows import is_long, predict_long

        read = [_read(doc) for doc in _documents(documents)]
        results: list[np.ndarray] = [np.zeros(0)] * len(read)
        for group in _groups(read, is_long):
            given = [read[i] for i in group]
            # A long document is never held whole in a batch: its edges are read from its lines.
            batch = None if len(given) == 1 and is_long(given[0]) else LineBatch(given)
            rejoined = rejoin(given, None if batch is None else Edges.of_batch(batch))
            if rejoined is not None:
                given, batch = rejoined.documents, None
            if len(given) == 1 and is_long(given[0]):
                scores = [predict_long(self, given[0])]
            else:
                scores = self._predict_batch(given, batch)
            if rejoined is not None:  # each paragraph's score to every line of it
                scores = rejoined.spread(scores)
            for at, document_scores in zip(group, scores):
                results[at] = document_scores
        return results

    def first_stage_parts(self, shape: np.ndarray, batch: LineBatch) -> tuple[np.ndarray, np.ndarray]:
        """The first stage's P(content) of the batch's lines, given their shape features, and the
        cue blocks' part of each line's logit (see :func:`first_stage_parts`)."""
        words = self.words.rows(batch) if self.words is not None and len(batch) else None
        chars = partial(self.chars.scores, batch) if self.chars is not None and len(batch) else None
        return first_stage_parts(
            shape, words, self.scaling, self.coef, self.intercept, self.word_weight, chars, self.char_weight
        )

    def _predict_batch(self, documents: list[list[str]], batch: LineBatch | None = None) -> list[np.ndarray]:
        """:meth:`predict_proba_nonblank` of a batch of documents, all at once, as given (not
        rejoined); ``batch``: theirs, if made already."""
        batch = LineBatch(documents) if batch is None else batch  # lines stripped and classified once
        shape = shape_matrix(batch, self.stopwords)
        markup = markup_rows(shape, batch)
        probabilities, cues = self.first_stage_parts(shape, batch)
        offsets = batch.bounds
        if (~markup).any():
            inputs = context_inputs(shape, offsets, markup)  # the same for every stage
            words = page_words(batch) if self.topics else None
            headers = header_echo(batch, shape[:, IN_MAIN_BLOCK])[~markup] if self.header_echo else None
            cue_logits = cues[~markup] if self.cue_logit else None
            for layers in self.context_stages:
                rows = context_rows(probabilities, shape, offsets, markup, inputs, self.span_share)
                topics = None
                if words is not None:
                    topics = topic_overlap(np.where(markup, 0.0, probabilities), words)[~markup]
                rows = with_extra_inputs(rows, headers, topics, cue_logits)
                probabilities[~markup] = context_probability(rows, layers)
        probabilities[markup] = 0.0
        return [probabilities[offsets[i] : offsets[i + 1]] for i in range(len(documents))]

    def predict_proba(self, documents: Documents) -> list[list[float | None]]:
        """P(content) for every line of every document; None for blank lines."""
        documents = _documents(documents)
        result = []
        for doc, probabilities in zip(documents, self.predict_proba_nonblank(documents)):
            values = iter(probabilities.tolist())
            result.append([None if is_blank(line) else next(values) for line in doc])
        return result

    def predict(self, documents: Documents, threshold: float | None = None) -> list[list[str | None]]:
        """``"content"``, ``"boilerplate"`` or None (blank) for every line of every document."""
        cut = self._cut(threshold)
        return [
            [None if p is None else (CONTENT if p >= cut else BOILERPLATE) for p in doc]
            for doc in self.predict_proba(documents)
        ]

    def predict_lines(self, lines: Sequence[str], threshold: float | None = None) -> list[str | None]:
        """``"content"``, ``"boilerplate"`` or None (blank) for each line of one dump."""
        return self.predict([_lines(lines)], threshold=threshold)[0]

    def predict_proba_lines(self, lines: Sequence[str]) -> list[float | None]:
        """P(content) for each line of one dump; None for blank lines."""
        return self.predict_proba([_lines(lines)])[0]

    def clean(self, text: str, threshold: float | None = None, short_dumps: str = "keep") -> str:
        """The dump with its boilerplate lines deleted, nothing else changed: its kept lines in
        order, one blank line where it had blank lines between two of them, and a line break after
        the last (:func:`cleaner.clean_batch` ends each text as it ended, as JSONL records do).

        A dump with too few lines to clean line by line (a page on one line) is kept whole, or
        dropped whole with ``short_dumps="drop"``, as ``cleaner predict`` and
        :func:`cleaner.clean_batch` do (:data:`~cleaner.classifier.short_dumps.SHORT_LINES`), and
        said in a :class:`~cleaner.classifier.short_dumps.ShortDumpWarning`; :meth:`predict_lines`
        still gives the model's verdict on each of its lines."""
        if not isinstance(text, str):
            hint = " (decode bytes first, e.g. data.decode('utf-8'))" if isinstance(text, (bytes, bytearray)) else ""
            raise TypeError(f"clean: expected the dump as a str{hint}; got {type(text).__name__}")
        cut, rule = self._cut(threshold), short_dumps_value(short_dumps)
        lines = split_lines(text)
        keep, short = decisions(lines, self.predict_proba_nonblank([lines])[0], cut, rule)
        warn_short_dumps([0] if short else [], None, rule)
        return join_nonblank_kept(lines, keep)

    def _cut(self, threshold: float | None) -> float:
        """The cut on P(content): ``threshold``, else the model's own; either checked here, where
        it is used (a ValueError naming it and the range 0 to 1)."""
        return model_threshold(self) if threshold is None else threshold_value(threshold)

    def save(self, path: Path | str) -> None:
        """Write the model to ``path`` as one ``.npz`` file (see :mod:`cleaner.classifier.format`)."""
        from .format import save_model  # here: the format module builds Predictors, so it imports this one

        save_model(self, Path(path))

    def __reduce__(self) -> tuple[Any, ...]:
        """Pickled as its model file's bytes (0.77 MB; its attributes, look-up tables included, were
        7 MB to send to every worker), read back as a model file is read (arrays and JSON only), and
        its threshold as set (checked where it is used, as ever)."""
        from .format import model_bytes

        return (_unpickled, (model_bytes(self), self.threshold))

    def __repr__(self) -> str:
        words = len(self.words.vocabulary) if self.words is not None else 0
        chars = len(self.chars.vocabulary) if self.chars is not None else 0
        data = self.manifest.get("training_data", {})
        documents = data.get("documents") if isinstance(data, dict) else None
        trained = f", trained on {plural(documents, 'document')}" if documents is not None else ""
        return (
            f"<cleaner Predictor: {len(self.coef) - words - chars} shape features, {words} cue words, "
            + (f"{chars} character n-grams, " if chars else "")
            + f"{len(self.context_stages)} context stages, threshold {self.threshold:.3f}{trained}>"
        )


def _unpickled(data: bytes, threshold: float) -> Predictor:
    """A :class:`Predictor` from its pickle (see ``Predictor.__reduce__``)."""
    from .format import model_from_bytes

    predictor = model_from_bytes(data)
    predictor.threshold = threshold
    return predictor
