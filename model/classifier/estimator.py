"""The line classifier as a scikit-learn estimator: per-line features, a first logistic regression,
and stacked context stages (two by default) that read the previous stage's probabilities in a
window around each line. It is the training side; what it learns is a
:class:`~cleaner.classifier.predictor.Predictor` (``predictor_``), which predicts, and which
:meth:`LineClassifier.save` writes as a model file.

The context stages are what let a teaser block go as a block: a prose-like summary surrounded by
lines the first stage calls boilerplate is pulled down with them, and a related-news box in the
middle of an article does not cut the article in two. Each is trained on out-of-fold probabilities
of the stage before (folds leave whole sites out), so it learns how that stage errs on unseen
sites rather than how it fits the sites it was trained on.

Samples are documents: ``fit(documents, labels)`` takes a sequence of documents (each a sequence of
dump lines) and, for each, one label per line (``"content"``, ``"boilerplate"`` or None for a blank
line); ``predict`` and ``predict_proba`` return one list per document, aligned with its lines.
"""

from __future__ import annotations

import sys
import warnings
from collections.abc import Sequence
from copy import deepcopy
from numbers import Integral, Real
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

import numpy as np
from sklearn.base import BaseEstimator
from sklearn.linear_model import LogisticRegression
from sklearn.neural_network import MLPClassifier
from sklearn.utils import check_random_state
from sklearn.utils._param_validation import Interval, InvalidParameterError, StrOptions
from sklearn.utils.validation import check_is_fitted

from ..features.batch import Documents, LineBatch
from ..features.shape import markup_rows, shape_matrix
from ..labels import CONTENT
from ..text import composed, listed, plural
from .augment import excerpts, recombine, records, reprinted, trimmed
from .first_stage import FirstStage, Labels, line_targets, stopword_lists
from .format import save_model
from .predictor import Predictor
from .stacking import fit_context_stages, in_one_thread, one_class_fold, stage_layers
from .validation import check_classes, training_data

if TYPE_CHECKING:
    from sklearn.utils import Tags  # scikit-learn 1.6 and later, which alone ask for __sklearn_tags__


# The configuration of the model shipped with cleaner, as changes to LineClassifier's defaults:
# what ``make train`` fits (cleaner.training.train.make_estimator, which says why each is there).
SHIPPED_PARAMS: dict[str, Any] = {
    "char_ngrams": (4, 4),
    "reprinted": 0.1,
    "header_echo": True,
    "records": 0.75,
    "cue_logit": True,
    "context_rounds": 3,
}


# The solvers of LogisticRegression that fit a context stage (binary, L2 penalty, sample weights):
# stack_solver's choices.
STACK_SOLVERS = frozenset({"lbfgs", "liblinear", "newton-cg", "newton-cholesky", "sag", "saga"})


class LineClassifier(BaseEstimator):
    """Classify every line of a dump as content or boilerplate.

    The defaults are the plain configuration, not the shipped model's: ``LineClassifier.shipped()``
    is the configuration of the model shipped with cleaner, the one ``make train`` and ``cleaner
    train`` fit and ``cleaner evaluate`` cross-validates (its parameters are in
    :data:`SHIPPED_PARAMS`; ``LineClassifier.shipped(context_rounds=1)`` changes one). It adds
    character 4-grams, a third context round, record-shaped and reprinted training documents and
    two context inputs (``header_echo``, ``cue_logit``), each measured where its parameter is
    described below; they cost fitting and prediction time. The defaults stay as they are so that
    a ``LineClassifier()`` fitted before means the same estimator.

    Parameters
    ----------
    C : float, default=0.03
        Inverse regularisation of the first-stage logistic regression. Strong (small C): with pages
        from a few dozen sites, a simpler first stage transfers better to sites never seen.
    use_words : bool, default=True
        Add word 1-2-gram TF-IDF features of the line to the shape features. They learn cue phrases
        (``Tin liên quan``, ``Related``, ``Share``); see :class:`~cleaner.features.cuewords.CueWords`.
    min_documents : int, default=3
        A word n-gram is a feature only if it occurs in at least this many training documents.
    n_splits : int, default=10
        Folds (grouped by site) for the out-of-fold probabilities the context stages learn from; one
        site per fold when there are fewer sites. More folds train each out-of-fold model on more
        sites, so its errors look more like the final model's on a new site.
    threshold : float or None, default=None
        P(content) at or above which a line is kept. None chooses it in ``fit`` from the last
        context stage's held-out probabilities (cross-validation by site, within
        :data:`~.thresholds.THRESHOLD_RANGE`), and makes it 0.5 when no context stage is fitted:
        with ``context_rounds=0``, with training data of one site, or when a fold's training part
        holds lines of one class only (``fit`` warns of the last two).
    stopword_languages : tuple of str or None, default=None
        Languages whose stopword lists the model keeps (None: every list stopwordsiso has). Each
        page's density is measured against the list of its own language, the one its words hit
        most often.
    stack_C : float, default=1.0
        Inverse regularisation of the context stages when they are logistic regressions
        (``stack_hidden=0``).
    stack_hidden : int, default=32
        Hidden ReLU units of each context stage, a small neural network
        (scikit-learn's MLPClassifier); 0 makes them logistic regressions. A linear stage adds its
        evidence up: a prose line scores as well between two menus as inside an article, and an
        article line as badly at the edge of a short record as in a page's footer. A hidden layer
        lets the window's evidence combine (prose, but with chrome on both sides and the article
        elsewhere), which is what tells a teaser summary from a paragraph: held-out character F1
        0.912 -> 0.930 in cross-validation by site (the README's step 3), at the same prediction
        cost within noise.
    stack_alpha : float, default=0.1
        L2 penalty of the context stages' networks (``stack_hidden > 0``).
    augment : float, default=0.0
        Recombined pages added per training page (see :mod:`cleaner.classifier.augment`); off by
        default because it did not help on held-out sites (the model card measures it).
    excerpts : float, default=0.5
        Short documents cut from the training pages, per training page: runs of one to four lines
        with the line above, most led by an article line, some by a chrome line
        (:func:`~cleaner.classifier.augment.excerpts`). Training pages are whole pages, so without
        them the context stages learn that a line with few neighbours is at a page's edge, where
        boilerplate is, and a short record (a forum post, a product blurb, a JSONL field holding one
        paragraph) came out empty. An excerpt counts as its page in the cue words' page counts.
        ``make eval-short`` measures it; whole pages score as without.
    trimmed : float, default=0.0
        Training pages cut at their article's edges, per training page: the chrome above the
        first content line, below the last, or both cut off
        (:func:`~cleaner.classifier.augment.trimmed`). For dumps that begin or end at the article
        (an extractor's output, a record cut short): without them a page's last paragraph is
        dropped for standing where footers stand. Off by default because whole pages pay for it:
        held out by site (5 folds), 0.3 lifts pages cut below their article from char F1 0.903 to
        0.944 and the article alone from 0.875 to 0.938, but whole pages fall from 0.935 to 0.928
        and ``../shared/devset/vi`` from 0.961 to 0.916 (at 0.1: 0.925 and 0.913 for the cut
        pages, 0.933 and 0.955 for whole pages and vi): teaser summaries below an article read
        like its last paragraphs once the page's end no longer tells them apart.
        ``make eval-surrounded`` measures both sides.
    records : float, default=0.0
        Short documents shaped as a record, per training page: one to three article lines (or, for
        half of them, chrome lines) with the nearest chrome line of their page above and below
        (:func:`~cleaner.classifier.augment.records`). Excerpts are mostly cut from an article's
        middle, so few of them have a record's shape, and a fit's treatment of a short record
        depended on its random start. 1.0 kept 95-100% of the records' text of
        ``tests/test_short_records.py`` at random states 0 to 3, where the shipped configuration
        keeps 58-93%; whole pages pay in precision: trained alone as the shipped model it took
        devset vi line F1 from 0.907 to 0.882, below issue 14's floor of 0.90. The shipped
        configuration (:meth:`shipped`) uses 0.75, with ``header_echo`` and three context rounds
        (the README's "Short records").
    reprinted : float, default=0.0
        Training pages printed twice in one dump, per training page, the second print all
        boilerplate (:func:`~cleaner.classifier.augment.reprinted`): a page built for two screens
        holds its article twice, and only the first print is the article. The shipped
        configuration uses 0.1.
    random_state : int, RandomState instance or None, default=0
        Seed of the augmentation, the excerpts and the context stages' initial weights. An int is
        that seed; None (numpy's global random state) or a RandomState gives ``fit`` one int seed,
        drawn once at its start and used as an int is (a new one at every fit, as in scikit-learn),
        and :meth:`save` records that int: the parameters in the file fit the same model again.
    context_rounds : int, default=2
        How many context-reading stages follow the first (0: none). Each reads the previous stage's
        held-out probabilities around every line; a second round lets a decision about a block
        settle after its neighbours' decisions have. The shipped configuration uses 3 (see
        ``cleaner.training.train.make_estimator`` for what the third round gained).
    word_weight : float, default=20.0
        Scale of the word block against the scaled shape features (see :class:`FirstStage`).
    stack_solver : {"lbfgs", "liblinear", "newton-cg", "newton-cholesky", "sag", "saga"}, default="lbfgs"
        scikit-learn's solver for the context stages when they are logistic regressions
        (``stack_hidden=0``; :data:`STACK_SOLVERS`, the binary L2-penalised regression's with
        sample weights, as LogisticRegression takes them; another name is refused before the fit
        starts, not in its context stages). "newton-cholesky" fits
        them several times faster on a few hundred pages (a few dozen dense features), converging
        further than lbfgs's default tolerance, which moves their coefficients and the threshold.
    char_ngrams : (int, int) or None, default=None
        Sizes of the character n-grams inside words (scikit-learn's ``char_wb``) added to the
        first stage after the word block; None adds none. A cue word is learnt per spelling, and
        character n-grams carry it to other inflections and compounds (``Kommentar``,
        ``Kommentare``): with (3, 5), held-out character F1 0.929 -> 0.933 in cross-validation by
        site and multilingual dev snippet F1 0.867 -> 0.886; with (4, 4) and the letters of
        scripts without spaces as words, 0.933 held out (Chinese 0.78 -> 0.81 against whole
        clauses), dev snippet F1 0.868-0.877 over three fits (2026-12-04). The shipped
        configuration uses (4, 4); off by default, as it costs prediction speed (see
        :mod:`cleaner.features.cuechars`).
    char_min_documents : int, default=5
        A character n-gram is a feature only if it occurs in at least this many training pages:
        n-grams are many more than words, and those of a few pages are their topics' words.
    char_weight : float, default=0.5
        Scale of the character block against the word block (both then times ``word_weight``):
        a cue phrase holds many character n-grams, which would otherwise outweigh its words.
    n_jobs : int or None, default=None
        Processes for the out-of-fold fits inside ``fit`` (the first stages whose held-out
        probabilities the context stages learn from, and each context stage's held-out
        predictions); None means 1 unless in a joblib ``parallel_config`` context, as in
        scikit-learn. They are most of a fit's time, and the fitted model is the same for any
        value, so :meth:`save` does not record it.
    topic_overlap : bool, default=False
        The context stages also read how much of each line's vocabulary the document's other lines
        carry with the previous stage's P(content) (:mod:`cleaner.features.topics`): a teaser
        summary reads like prose but is about another story. Held out by site on the 298 pages of
        labels/ (2026-12-06), char F1 0.931 -> 0.934 and line F1 0.885 -> 0.887. Off until the
        shipped model is retrained with it and ``make eval-dev`` measured: fitted without
        cross-validation, the pages never trained on gain (``labels/candidates`` 0.915 -> 0.923,
        ``labels/new-languages`` 0.914 -> 0.925) and the devset does not (multi 0.872 -> 0.869,
        en 0.923 -> 0.919, vi 0.972 -> 0.960, within a refit's noise). It costs a fifth of the
        prediction's throughput (the README's step 1).
    span_share : bool, default=False
        The context stages also read two facts of the whole page
        (:data:`~cleaner.features.context.PAGE_FEATURES`): how much of the document's P(content)
        the previous stage's best span holds, and how many of its lines. An article's span holds
        most of its page's content, a thread's first post a small part of the thread, so a
        thread's replies need not read as comments below an article. Held out by site on the
        298 pages of labels/ (2026-12-06), char F1 0.931 -> 0.933, forum pages 0.843 -> 0.882
        (the README's step 3). Off until the shipped model is retrained with it and ``make
        eval-dev`` measured it.
    header_echo : bool, default=False
        The context stages also read whether a line sits under a header line of the form the
        page's main prose block sits under, and how many other headers of each form the page
        holds (:mod:`cleaner.features.headers`): a thread's replies sit under headers of its
        first post's form, comments under an article under headers of another form than the
        article's. Held out by site on the 298 pages of labels/ (2026-12-06), char F1 0.931 ->
        0.936, line F1 0.885 -> 0.886, forum pages 0.843 -> 0.926 (the README's step 3). On in
        the shipped configuration since 2026-12-06 (off by default); it costs about 5% of
        prediction's CPU time.
    cue_logit : bool, default=False
        The context stages also read the part of each line's first-stage logit that its cue blocks
        (words and character n-grams) give, apart from the whole. The cue rows are scaled to unit
        length, so a cue such as ``cookies`` or ``newsletter`` in a paragraph of forty words moves
        the logit a few times less than on a line of its own, while the paragraph's shape (long,
        prose) counts in full: a consent banner or a subscription pitch written as prose reads as
        the article. With the cue part apart, a stage can weigh it against the shape part as the
        line's length and its neighbours say. Measured in the README's step 3; on in the shipped
        configuration since the evening of 2026-12-06 (off by default), at no measurable cost in
        speed.
    verbose : int, default=0
        Above 0, ``fit`` prints a line to stderr as each of its stages starts (the first stage, the
        first stages on sites left out that the context stages learn from, each context stage), as
        scikit-learn's estimators print their progress: a fit on a few hundred pages takes minutes,
        and without a word a slow fit looks like a hung one (``cleaner train`` sets it). It says how
        to fit, not what: the model is the same, and :meth:`save` does not record it.

    Attributes
    ----------
    stopwords_ : Stopwords
        The stopword lists of ``stopword_languages`` when the model was fitted; kept with it.
    first_stage_ : FirstStage
        The fitted first stage: ``scaler_``, ``cue_words_``, ``cue_chars_`` (None without
        ``char_ngrams``) and ``classifier_``.
    context_stages_ : list of MLPClassifier or LogisticRegression
        The fitted context stages: empty when ``context_rounds`` is 0, when the data has one site,
        or when a fold's training part holds lines of one class only (one of the two
        cross-validations by site the stages learn from; ``fit`` warns of these two cases).
    threshold_ : float
        The cut on P(content) in use: ``threshold`` if given, else the one chosen by
        cross-validation within :data:`~.thresholds.THRESHOLD_RANGE`, or 0.5 when no context
        stage was fitted (``context_stages_`` is empty: there are no held-out probabilities to
        choose it from).
    f1_threshold_ : float
        The cut that maximises character F1 on the held-out probabilities, before that range
        (only when ``threshold`` is None and the context stages were fitted).
    near_best_cuts_ : (float, float)
        The lowest and highest cut whose held-out character F1 is within :data:`~.thresholds.NEAR_BEST_F1` of
        that best one's (with ``f1_threshold_``): how firmly the data choose the cut.
    predictor_ : Predictor
        The fitted model as plain arrays: what predicts, and what :meth:`save` writes.
    """

    _parameter_constraints: ClassVar[dict[str, list[Any]]] = {
        "C": [Interval(Real, 0, None, closed="neither")],
        "use_words": ["boolean"],
        "min_documents": [Interval(Integral, 1, None, closed="left")],
        "n_splits": [Interval(Integral, 2, None, closed="left")],
        "threshold": [None, Interval(Real, 0, 1, closed="both")],
        "stopword_languages": [None, tuple, list],
        "stack_C": [Interval(Real, 0, None, closed="neither")],
        "stack_hidden": [Interval(Integral, 0, None, closed="left")],
        "stack_alpha": [Interval(Real, 0, None, closed="left")],
        "augment": [Interval(Real, 0, None, closed="left")],
        "excerpts": [Interval(Real, 0, None, closed="left")],
        "trimmed": [Interval(Real, 0, None, closed="left")],
        "records": [Interval(Real, 0, None, closed="left")],
        "reprinted": [Interval(Real, 0, None, closed="left")],
        "random_state": ["random_state"],
        "context_rounds": [Interval(Integral, 0, None, closed="left")],
        "word_weight": [Interval(Real, 0, None, closed="neither")],
        "stack_solver": [StrOptions(STACK_SOLVERS)],
        "char_ngrams": [None, tuple, list],
        "char_min_documents": [Interval(Integral, 1, None, closed="left")],
        "char_weight": [Interval(Real, 0, None, closed="neither")],
        "n_jobs": [None, Integral],
        "topic_overlap": ["boolean"],
        "span_share": ["boolean"],
        "header_echo": ["boolean"],
        "cue_logit": ["boolean"],
        "verbose": ["verbose"],
    }

    def __init__(
        self,
        C: float = 0.03,
        use_words: bool = True,
        min_documents: int = 3,
        n_splits: int = 10,
        threshold: float | None = None,
        stopword_languages: tuple[str, ...] | None = None,
        stack_C: float = 1.0,
        stack_hidden: int = 32,
        stack_alpha: float = 0.1,
        augment: float = 0.0,
        excerpts: float = 0.5,
        trimmed: float = 0.0,
        records: float = 0.0,
        reprinted: float = 0.0,
        random_state: int | np.random.RandomState | None = 0,
        context_rounds: int = 2,
        word_weight: float = 20.0,
        stack_solver: str = "lbfgs",
        char_ngrams: tuple[int, int] | None = None,
        char_min_documents: int = 5,
        char_weight: float = 0.5,
        n_jobs: int | None = None,
        topic_overlap: bool = False,
        span_share: bool = False,
        header_echo: bool = False,
        cue_logit: bool = False,
        verbose: int = 0,
    ) -> None:
        self.C = C
        self.use_words = use_words
        self.min_documents = min_documents
        self.n_splits = n_splits
        self.threshold = threshold
        self.stopword_languages = stopword_languages
        self.stack_C = stack_C
        self.stack_hidden = stack_hidden
        self.stack_alpha = stack_alpha
        self.augment = augment
        self.excerpts = excerpts
        self.trimmed = trimmed
        self.records = records
        self.reprinted = reprinted
        self.random_state = random_state
        self.context_rounds = context_rounds
        self.word_weight = word_weight
        self.stack_solver = stack_solver
        self.char_ngrams = char_ngrams
        self.char_min_documents = char_min_documents
        self.char_weight = char_weight
        self.n_jobs = n_jobs
        self.topic_overlap = topic_overlap
        self.span_share = span_share
        self.header_echo = header_echo
        self.cue_logit = cue_logit
        self.verbose = verbose

    def _validate_params(self) -> None:
        """scikit-learn's check of the parameters against :attr:`_parameter_constraints`, and of
        ``char_ngrams``, whose (smallest, largest) pair no constraint expresses: one call that
        ``fit`` makes first, and ``cleaner train --set`` before any fit starts."""
        super()._validate_params()
        _char_range(self.char_ngrams)

    def __sklearn_tags__(self) -> Tags:
        """What scikit-learn's tools may assume: samples are documents, lists of lines (str), not a
        2-D array, and fit needs their labels. Not a classifier's ``estimator_type``: a sample's
        prediction is a list of labels, one per line, not one label, so there is no ``classes_``
        for scikit-learn's classifier tools (calibration, ``is_classifier``). :meth:`score` is
        the content class's character F1 over the lines, as ``cleaner evaluate`` scores, which
        ``cross_val_score`` uses when given no scoring."""
        tags = super().__sklearn_tags__()
        tags.input_tags.two_d_array = False
        tags.input_tags.string = True
        tags.target_tags.required = True
        return tags

    @classmethod
    def shipped(cls, **params: Any) -> LineClassifier:
        """An unfitted estimator of the shipped model's configuration (:data:`SHIPPED_PARAMS` over
        the defaults), with ``params`` changed: what ``make train`` fits, to fit on your own labels."""
        return cls(**{**SHIPPED_PARAMS, **params})

    def _fit_first_stage(
        self,
        documents: list[list[str]],
        labels: Labels,
        batch: LineBatch,
        shape: np.ndarray,
        y: np.ndarray,
        weights: np.ndarray | None = None,
        page_of: list[int] | None = None,
    ) -> FirstStage:
        """Fit a first stage, on the documents plus recombined ones when ``augment`` > 0 (those weigh 1
        and count as new pages)."""
        extra_docs, extra_labels = recombine(documents, labels, round(self.augment * len(documents)), self._seed)
        if extra_docs:
            if page_of is not None:
                page_of = page_of + list(range(max(page_of) + 1, max(page_of) + 1 + len(extra_docs)))
            batch = LineBatch(documents + extra_docs)
            extra_shape = shape_matrix(LineBatch(extra_docs), self.stopwords_)
            shape = np.vstack([shape, extra_shape])
            y = np.concatenate([y, line_targets(extra_labels)])
            if weights is not None:
                weights = np.concatenate([weights, np.ones(len(extra_shape))])
        first = FirstStage(
            C=self.C,
            use_words=self.use_words,
            min_documents=self.min_documents,
            word_weight=self.word_weight,
            char_ngrams=_char_range(self.char_ngrams),
            char_min_documents=self.char_min_documents,
            char_weight=self.char_weight,
        )
        return first.fit(batch, shape, y, weights, page_of)

    def fit(
        self,
        documents: Documents,
        labels: Labels,
        groups: Sequence[str] | None = None,
        sample_weight: Sequence[float] | None = None,
    ) -> LineClassifier:
        """Fit on labelled documents; ``groups`` (one per document, e.g. its site) keep the
        out-of-fold folds from mixing pages of one site.

        ``documents``: a list of documents, each a list of its lines (str; ``cleaner.text.split_lines``
        splits a dump). ``labels``: per document, one label per line: ``"content"``,
        ``"boilerplate"``, or None for a blank line (``cleaner.labels.parse_label_text`` reads a label
        file's ``C``/``B`` tags into them). Both are checked first, with a TypeError or ValueError that
        says what was given and what is expected.

        ``sample_weight`` (one per document, default 1) makes a page count as that many pages: in
        every stage's regression, in which cue words are frequent enough to learn, and in the
        threshold. It is how the few pages a user labels of their own site outweigh the many of
        other sites (``cleaner train``'s ``user_weight``; ``cleaner evaluate --adapt`` measures it).
        """
        self._validate_params()
        self._seed = _fit_seed(self.random_state)
        # What save() records: the parameters of this fit (a set_params after it changes no model),
        # with random_state as the int seed it used; kept once the fit has succeeded.
        fit_params = {k: self._seed if k == "random_state" else deepcopy(v) for k, v in self.get_params().items()}
        given, labels = training_data(documents, labels)
        check_classes(line_targets(labels))
        lines = [composed(doc) for doc in given]  # read as prediction reads them
        groups = list(groups) if groups is not None else [str(i) for i in range(len(lines))]
        page_of = list(range(len(lines)))  # the page each document is, or was cut from
        for name, values in (("groups", groups), ("sample_weight", sample_weight)):
            if values is not None and len(values) != len(lines):
                raise ValueError(f"{name}: {len(values)} values for {len(lines)} documents")
        extras = []
        if self.excerpts > 0:
            extras.append(excerpts(lines, labels, round(self.excerpts * len(lines)), self._seed))
        if self.trimmed > 0:
            extras.append(trimmed(lines, labels, round(self.trimmed * len(lines)), self._seed))
        if self.records > 0:
            extras.append(records(lines, labels, round(self.records * len(lines)), self._seed))
        if self.reprinted > 0:
            extras.append(reprinted(lines, labels, round(self.reprinted * len(lines)), self._seed))
        for sources, extra_lines, extra_labels in extras:
            lines = lines + extra_lines
            labels = [*labels, *extra_labels]
            groups = groups + [groups[i] for i in sources]
            page_of = page_of + sources
            if sample_weight is not None:
                sample_weight = [*sample_weight, *(sample_weight[i] for i in sources)]
        y = line_targets(labels)
        languages = None if self.stopword_languages is None else tuple(self.stopword_languages)
        self.stopwords_ = stopword_lists(languages)
        batch = LineBatch(lines)
        shape = shape_matrix(batch, self.stopwords_)
        markup = markup_rows(shape, batch)
        weights = _line_weights(sample_weight, batch) if sample_weight is not None else None
        cut = f", and {plural(len(lines) - len(given), 'document')} cut from them" if len(lines) > len(given) else ""
        self._say(f"fitting the first stage on {plural(len(given), 'page')}{cut} ({plural(len(y), 'line')})")
        self.first_stage_ = in_one_thread(self._fit_first_stage)(lines, labels, batch, shape, y, weights, page_of)
        self.context_stages_: list[MLPClassifier | LogisticRegression] = []
        self.threshold_ = 0.5 if self.threshold is None else float(self.threshold)
        n_splits = min(self.n_splits, len(set(groups)))
        # Said when the context stages are skipped: without them nothing chooses the cut.
        half = ", and the threshold is 0.5 (not chosen by cross-validation)" if self.threshold is None else ""
        if self.context_rounds > 0 and n_splits < 2:
            warnings.warn(
                f"{len(set(groups))} group (site) in the training data: the context stages learn from "
                f"predictions on sites left out, which needs at least 2; fitting the first stage only{half}",
                UserWarning,
                stacklevel=2,
            )
        if self.context_rounds > 0 and n_splits >= 2:
            one_class = one_class_fold(groups, batch.bounds, y, ~markup, n_splits)
            if one_class is None:
                fit_stages = in_one_thread(fit_context_stages)
                fit_stages(self, lines, labels, groups, n_splits, batch, shape, y, markup, weights, page_of)
            else:
                warnings.warn(
                    "the context stages learn from predictions on groups (sites) left out, but the groups other "
                    f"than {listed(one_class[0])} hold {one_class[1]} lines only; fitting the first stage only{half}",
                    UserWarning,
                    stacklevel=2,
                )
        self.predictor_ = Predictor(
            stopwords=self.stopwords_,
            scaling=self.first_stage_.scaling,
            coef=self.first_stage_.classifier_.coef_[0],
            intercept=float(self.first_stage_.classifier_.intercept_[0]),
            word_weight=self.word_weight,
            words=self.first_stage_.cue_words_,
            context_stages=[stage_layers(stage) for stage in self.context_stages_],
            threshold=self.threshold_,
            chars=self.first_stage_.cue_chars_,
            char_weight=self.char_weight,
            topics=self.topic_overlap and bool(self.context_stages_),
            span_share=self.span_share and bool(self.context_stages_),
            header_echo=self.header_echo and bool(self.context_stages_),
            cue_logit=self.cue_logit and bool(self.context_stages_),
        )
        self._fit_params = fit_params
        return self

    def _say(self, message: str) -> None:
        """``message`` on stderr, as a stage of ``fit`` starts, when ``verbose`` is above 0."""
        if self.verbose > 0 and sys.stderr is not None:  # closed: print(file=None) would write to stdout
            print(f"cleaner: {message}", file=sys.stderr, flush=True)

    def predict_proba_nonblank(self, documents: Documents) -> list[np.ndarray]:
        """P(content) of the non-blank lines of each document (see :class:`Predictor`)."""
        check_is_fitted(self, "predictor_")
        return self.predictor_.predict_proba_nonblank(documents)

    def predict_proba(self, documents: Documents) -> list[list[float | None]]:
        """P(content) for every line of every document; None for blank lines."""
        check_is_fitted(self, "predictor_")
        return self.predictor_.predict_proba(documents)

    def predict(self, documents: Documents, threshold: float | None = None) -> list[list[str | None]]:
        """``"content"``, ``"boilerplate"`` or None (blank) for every line of every document."""
        check_is_fitted(self, "predictor_")
        return self.predictor_.predict(documents, threshold)

    def score(self, documents: Documents, labels: Labels, sample_weight: Sequence[float] | None = None) -> float:
        """The content class's F1 on ``documents`` against ``labels`` (as :meth:`fit` takes them),
        weighted by characters: each labelled line counts as many times as it has characters,
        stripped, as ``cleaner evaluate``'s char F1 counts them (precision 1 when no line is kept,
        recall 1 when none is content). ``sample_weight``: per document, as in :meth:`fit`. What
        ``cross_val_score`` and ``GridSearchCV`` use when given no scoring; higher is better."""
        given, gold = training_data(documents, labels)
        weights = [1.0] * len(given) if sample_weight is None else [float(w) for w in sample_weight]
        if len(weights) != len(given):
            raise ValueError(f"sample_weight: {len(weights)} weights for {len(given)} documents")
        tp = fp = fn = 0.0
        for lines, truth, guess, weight in zip(given, gold, self.predict(given), weights):
            for line, true, guessed in zip(lines, truth, guess):
                if true is None:
                    continue
                chars = len(line.strip()) * weight
                if true == CONTENT and guessed == CONTENT:
                    tp += chars
                elif guessed == CONTENT:
                    fp += chars
                elif true == CONTENT:
                    fn += chars
        precision = tp / (tp + fp) if tp + fp else 1.0
        recall = tp / (tp + fn) if tp + fn else 1.0
        return 2 * precision * recall / (precision + recall) if precision + recall else 0.0

    def save(self, path: Path | str, manifest: dict[str, Any] | None = None) -> dict[str, Any]:
        """Write the fitted model as one ``.npz`` file (:mod:`cleaner.classifier.format`), with
        ``manifest`` (what it was trained on, its scores) and the parameters the model was fitted
        with (those of the last ``fit``, not any set since; ``random_state`` as the int seed it
        used); returns the manifest written."""
        check_is_fitted(self, "predictor_")
        params = {k: v for k, v in self._fit_params.items() if k not in ("n_jobs", "verbose")}  # how, not what
        if params["char_ngrams"] is None:  # as before there were character n-grams: the same file
            params = {k: v for k, v in params.items() if k not in ("char_ngrams", "char_min_documents", "char_weight")}
        self.predictor_.manifest = {
            **(manifest or {}),
            "estimator": {"class": type(self).__name__, "params": _jsonable(params)},
        }
        return save_model(self.predictor_, Path(path))


def _line_weights(sample_weight: Sequence[float], batch: LineBatch) -> np.ndarray:
    """Per non-blank line, the weight of its document; checked like the labels."""
    weights = np.asarray(sample_weight, dtype=np.float64)
    n_documents = batch.bounds.shape[0] - 1
    if weights.shape != (n_documents,):
        raise ValueError(f"sample_weight: {weights.size} weights for {n_documents} documents")
    if not np.all(np.isfinite(weights)) or np.any(weights <= 0):
        raise ValueError("sample_weight: weights must be positive numbers")
    return weights[batch.doc]


def _char_range(char_ngrams: Sequence[int] | None) -> tuple[int, int] | None:
    """``char_ngrams`` as a (smallest, largest) pair of sizes, checked."""
    if char_ngrams is None:
        return None
    sizes = tuple(char_ngrams)
    whole = all(isinstance(n, Integral) and not isinstance(n, bool) for n in sizes)
    if len(sizes) != 2 or not whole or not 1 <= int(sizes[0]) <= int(sizes[1]):
        raise InvalidParameterError(  # a ValueError, as the constraints' own
            "The 'char_ngrams' parameter of LineClassifier must be None or (smallest, largest) n-gram sizes "
            f"with 1 <= smallest <= largest. Got {char_ngrams!r} instead."
        )
    return int(sizes[0]), int(sizes[1])


def _fit_seed(random_state: int | np.random.RandomState | None) -> int:
    """The int seed of a fit: ``random_state`` itself if it is an int (the seeds every fit used
    before other forms were accepted), else one drawn from it, as scikit-learn's estimators draw
    the seeds of their parts (``check_random_state(random_state).randint(...)``)."""
    if isinstance(random_state, Integral):
        return int(random_state)
    return int(check_random_state(random_state).randint(np.iinfo(np.int32).max))


def _jsonable(params: dict[str, Any]) -> dict[str, Any]:
    return {k: list(v) if isinstance(v, tuple) else v for k, v in params.items()}
