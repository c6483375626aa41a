"""What ``cleaner label`` keeps while it runs: the pages, the model that pre-labels them, the
label files saved, and the retraining job.

Retraining runs in a background thread (the web page polls its progress): it fits the shipped
configuration on everything in ``labels/`` (the user's own pages weighted, see
:func:`cleaner.training.train.fit_documents`), writes the user's own model file (never the one
inside the installed package), loads it to pre-label the next pages if it learnt from enough
pages (the rule a new ``cleaner label`` applies to it: 20, the shipped pages counted with
``--plus-shipped``), orders the pages left by the new model's uncertainty, and then scores each
labelled page of the sites labelled in this session with a model trained without that page
(leave one page out): how well the model cleans a page of the site it has not seen, now that it
has seen the site's other pages.
"""

from __future__ import annotations

import threading
import time
import traceback
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ...classifier.format import load_model
from ...classifier.predictor import Predictor
from ...labels import BOILERPLATE, CONTENT, TAG_OF, parse_label_text
from ...text import plural
from ..outputs import NotWritten
from ..shipped import FEW_PAGES, enough_pages, read_training_data, shipped_count
from ..suggest import summarize
from .pages import Page
from .store import Row, SaveError, save_page


@dataclass
class Progress:
    """The retraining job as the page shows it."""

    state: str = "idle"  # idle, running, done, failed
    phase: str = ""
    done: int = 0
    total: int = 0
    started: float = 0.0
    finished: float = 0.0
    message: str = ""
    switched: bool = False  # the new model pre-labels from now on (it learnt from enough pages)
    scores: dict[str, Any] = field(default_factory=dict)  # site -> {"pages": {name: char F1}, "char_f1": ...}

    def as_dict(self) -> dict[str, Any]:
        elapsed = (self.finished or time.monotonic()) - self.started if self.started else 0.0
        return {
            "state": self.state,
            "phase": self.phase,
            "done": self.done,
            "total": self.total,
            "seconds": round(elapsed, 1),
            "message": self.message,
            "switched": self.switched,
            "scores": self.scores,
        }


PAGE_CHANGED = (
    "this page changed since it was opened (the server restarted?); reload the page: "
    "your unsaved edits are kept for the page they were made on"
)


class PageChanged(Exception):
    """A request for a page that is not the one the browser opened (see :meth:`Session.opened`)."""


Trainer = Callable[["Session", Callable[[str, int, int], None]], None]


class Session:
    """The pages of one ``cleaner label`` run and everything done to them."""

    def __init__(
        self,
        pages: list[Page],
        model: Predictor,
        labels_dir: Path,
        model_out: Path,
        *,
        model_name: str = "",
        jobs: int = 1,
        user_weight: float | None = None,
        plus_shipped: bool = False,
    ) -> None:
        self.pages = pages
        self.model = model
        self.model_name = model_name
        # The model whose pre-labels the pages were first offered with (the shipped one, most often):
        # Retrain's table shows its score beside each page's leave-one-page-out score.
        self.first_model, self.first_model_name = model, model_name
        self.labels_dir = labels_dir
        self.model_out = model_out
        self.jobs = jobs
        self.user_weight = user_weight
        self.plus_shipped = plus_shipped  # Retrain adds the shipped pages (cleaner.training.shipped)
        self.lock = threading.Lock()
        self.progress = Progress()
        self.thread: threading.Thread | None = None
        self.sites_labelled: set[str] = set()
        # The site of the last page saved: proposed for a page that has none of its own (plain dumps
        # in a folder not named like a domain), which otherwise had the site typed again on every page.
        self.last_site = ""
        # The pages this session saved (their numbers): a page found already in labels/ at the start
        # has a name too, and counting those made the closing line claim saves that never happened.
        self.saved_here: set[int] = set()
        self.stopping = False  # the server is stopping: a retrain cut short is no failure to report

    # Pages ------------------------------------------------------------------------------------

    def page(self, number: int) -> Page:
        """The page whose ``number`` is given: numbers never change while the server runs (the
        order does, after a retrain), so a save can never land on another page than the one shown."""
        for page in self.pages:
            if page.number == number:
                return page
        raise KeyError(number)

    def opened(self, number: int, where: object, digest: object) -> Page:
        """Page ``number`` if it is the page the browser opened (its ``where`` and the digest of its
        lines as the browser received them), else :class:`PageChanged`. A number is a place in this
        server's order: a tab left open while the server restarted (with another dump, or another
        model) named another page by it, and its save renamed that page's label file to its own."""
        page = self.page(number)
        if where != page.where or digest != page.digest:
            raise PageChanged(PAGE_CHANGED)
        return page

    def summary(self) -> list[dict[str, Any]]:
        """Every page, in the order to label them (``number`` is the page's, not its position)."""
        return [
            {
                "number": page.number,
                "where": page.where,
                "name": page.saved_as or page.name,
                "site": page.site,
                "saved": page.saved_as is not None,
                "digest": page.digest,
                "uncertain": page.uncertain,
                "lines": sum(1 for line in page.lines if line.strip()),
            }
            for page in self.pages
        ]

    def page_view(self, number: int) -> dict[str, Any]:
        """A page with the current model's P(content) and label for every line (None for blank
        lines), or its labels as saved when it was saved in this session."""
        page = self.page(number)
        with self.lock:
            model = self.model
        scores = model.predict_proba([page.lines])[0]
        threshold = model.threshold
        if page.labels is not None:
            tags = [None if label is None else TAG_OF[label] for label in page.labels]
        else:
            tags = [None if p is None else ("C" if p >= threshold else "B") for p in scores]
        return {
            "number": page.number,
            "where": page.where,
            "digest": page.digest,
            "url": page.url,
            "name": page.saved_as or page.name,
            "site": page.site or self.last_site,
            "language": page.language,
            "kind": page.kind,
            "saved": page.saved_as is not None,
            "threshold": threshold,
            "model": self.model_name,
            "lines": [
                {"text": line, "score": None if p is None else round(float(p), 3), "tag": tag}
                for line, p, tag in zip(page.lines, scores, tags)
            ],
        }

    def save(self, number: int, fields: dict[str, Any]) -> dict[str, Any]:
        """Save page ``number`` with the labels and manifest fields the page sent, if it is the page
        the browser opened (``where`` and ``digest`` as the page view gave them; else
        :class:`PageChanged`)."""
        page = self.opened(number, fields.get("where"), fields.get("digest"))
        tags = fields.get("tags")
        if not isinstance(tags, list):
            raise SaveError("tags: a list with one C, B or null per line")
        row = Row(
            name=str(fields.get("name", "")),
            site=str(fields.get("site", "")),
            language=str(fields.get("language", "")),
            source=page.source,
            kind=str(fields.get("kind", "") or ""),
        )
        with self.lock:
            model = self.model
        predicted = model.predict([page.lines])[0]
        with self.lock:
            path = save_page(self.labels_dir, row, page.lines, tags, page.saved_as)
            page.saved_as = row.name
            self.saved_here.add(page.number)
            page.site = row.site.strip().lower()
            self.last_site = page.site
            page.language = row.language.strip().lower()
            page.kind = row.kind
            page.labels = parse_label_text(path.read_text(encoding="utf-8"), str(path))[1]
            page.unedited = page.labels == predicted
            self.sites_labelled.add(page.site)
        return {"saved": str(path), "name": row.name}

    # Retraining ---------------------------------------------------------------------------------

    def start_retrain(self, trainer: Trainer | None = None) -> bool:
        """Start retraining in the background; False if it is running already."""
        with self.lock:
            if self.thread is not None and self.thread.is_alive():
                return False
            self.progress = Progress(state="running", phase="starting", started=time.monotonic())
            self.thread = threading.Thread(target=self._run, args=(trainer or retrain,), name="retrain", daemon=True)
            self.thread.start()
            return True

    def wait_retrain(self, timeout: float | None = None) -> None:
        if self.thread is not None:
            self.thread.join(timeout)

    def stop(self, timeout: float = 30.0) -> None:
        """Stop a retrain as the server stops: kill its worker processes (joblib's, which would
        otherwise run on, orphaned, for minutes) and let its thread end (a model file is written
        whole or not at all, so none is left half-written)."""
        from ..workers import stop_workers

        self.stopping = True
        stop_workers(timeout)
        self.wait_retrain(timeout)

    def _report(self, phase: str, done: int, total: int) -> None:
        with self.lock:
            self.progress.phase, self.progress.done, self.progress.total = phase, done, total

    def _run(self, trainer: Trainer) -> None:
        try:
            trainer(self, self._report)
        except NotWritten as exc:  # a full disk is said in its one line (and the model kept), not as a bug
            with self.lock:
                self.progress.state = "failed"
                self.progress.message = f"{exc}; pre-labelling goes on with {self.model_name}"
                self.progress.finished = time.monotonic()
            return
        except Exception as exc:  # shown on the page; the server goes on with the model it had
            with self.lock:
                self.progress.state = "failed"
                self.progress.message = f"{type(exc).__name__}: {exc}"
                self.progress.finished = time.monotonic()
            if not self.stopping:
                traceback.print_exc()
            return
        with self.lock:
            self.progress.state = "done"
            self.progress.phase = "done"
            self.progress.finished = time.monotonic()

    def use_model(self, model: Predictor, name: str) -> None:
        """Pre-label with ``model`` from now on, and order the pages not yet saved by its uncertainty.

        The pages are scored outside the lock (seconds, on hundreds of pages), and saves go on
        meanwhile: the new order is made under the lock from the pages as they are then, each page
        once. Made of the lists taken before scoring, a page saved meanwhile was listed twice
        (saved first, and again among the unsaved)."""
        summaries = {}
        with self.lock:
            unsaved = [page for page in self.pages if page.saved_as is None]
        if unsaved:
            for page, scores in zip(unsaved, model.predict_proba_nonblank([page.lines for page in unsaved])):
                summaries[page.number] = summarize(page.where, scores, model.threshold, 0.2)
        with self.lock:
            self.model, self.model_name = model, name
            saved = [page for page in self.pages if page.saved_as is not None]
            unsaved = [page for page in self.pages if page.saved_as is None]
            for page in unsaved:
                page.uncertain = summaries[page.number].uncertain
            unsaved.sort(key=lambda page: summaries[page.number].rank())
            self.pages = saved + unsaved  # a new order; each page keeps its number


def retrain(session: Session, report: Callable[[str, int, int], None]) -> None:
    """Fit on labels/ (after the shipped pages, with ``plus_shipped``), save the user's model and
    pre-label with it if it learnt from enough pages (the rule a new ``cleaner label`` applies to
    it, :func:`~cleaner.training.shipped.enough_pages`), then score the labelled sites' pages by
    leave-one-page-out (see the module docstring)."""
    from ..train import train

    fitting = f"fitting the model on {session.labels_dir}/" + (
        " plus the pages the shipped model learnt from" if session.plus_shipped else ""
    )
    report(fitting, 0, 1)
    manifest = train(
        session.labels_dir,
        session.model_out,
        cross_validate=False,
        n_jobs=session.jobs,
        user_weight=session.user_weight,
        plus_shipped=session.plus_shipped,
    )
    model = load_model(session.model_out)
    switched = enough_pages(model.manifest)
    if switched:
        session.use_model(model, str(session.model_out))
    report(fitting, 1, 1)
    documents = read_training_data(session.labels_dir, session.plus_shipped)[0].documents
    sites = sorted(session.sites_labelled & {doc.site for doc in documents})
    scores = leave_one_page_out(documents, sites, session.jobs, session.user_weight, report)
    compare_with_first_model(session, documents, sites, scores)
    pages = manifest["training_data"]["documents"]
    unscored = (
        "; no site scored: leave-one-page-out scores the sites of the pages saved while this server runs"
        if not sites
        else ""
    )
    with session.lock:
        session.progress.scores = scores
        session.progress.switched = switched
        session.progress.message = (
            f"trained on {plural(pages, 'page')} in {manifest['fit_seconds']} s; saved {session.model_out}"
            f"{'' if switched else '; ' + too_few_pages(session, pages)}{unscored}"
        )


def compare_with_first_model(
    session: Session, documents: Sequence[Any], sites: Sequence[str], scores: dict[str, Any]
) -> None:
    """Beside the leave-one-page-out scores, per site: the char F1 of the model that first
    pre-labelled the pages (``prelabel``, its name in ``prelabel_model``), and the pages saved in
    this session without an edit (``unedited``). The table measures agreement with the labels: pages
    saved as pre-labelled scored 0.98 while carrying the shipped model's mistakes, and nothing said so."""
    from ..evaluate import score

    with session.lock:
        unedited = {page.saved_as for page in session.pages if page.unedited and page.saved_as}
    for site in sites:
        pages = [doc for doc in documents if doc.site == site]
        predictions = session.first_model.predict([doc.lines for doc in pages])
        values = {
            doc.name: round(score("first", [doc], [predicted]).overall.scores()["char_f1"], 4)
            for doc, predicted in zip(pages, predictions)
        }
        scores[site]["prelabel"] = values
        scores[site]["prelabel_char_f1"] = round(sum(values.values()) / len(values), 4) if values else None
        scores[site]["prelabel_model"] = session.first_model_name
        scores[site]["unedited"] = sorted(doc.name for doc in pages if doc.name in unedited)


def too_few_pages(session: Session, pages: int) -> str:
    """Why a model Retrain wrote does not pre-label, and what to do."""
    count = shipped_count()
    shipped = f"the {count} pages" if count is not None else "the pages"
    return (
        f"not used to pre-label: it learnt from only {plural(pages, 'labelled page')}, fewer than {FEW_PAGES}, "
        f"and a model of so few pages keeps far more chrome than the shipped model (a new cleaner label "
        f"refuses it too), so {session.model_name} goes on pre-labelling. Label more pages and retrain, or "
        f"start cleaner label again with --plus-shipped: Retrain then fits your pages plus {shipped} the "
        "shipped model learnt from (a fit of minutes)"
    )


def leave_one_page_out(
    documents: Sequence[Any],
    sites: Sequence[str],
    jobs: int,
    user_weight: float | None,
    report: Callable[[str, int, int], None],
) -> dict[str, Any]:
    """Per site of ``sites``: the char F1 of each of its labelled pages, predicted by a model
    trained on every other page of labels/ (its site's other pages included), and their mean; the
    pages that cannot be scored so (nothing left to learn from), under ``unscored`` with the reason."""
    from joblib import Parallel, delayed

    from ..evaluate import score
    from ..train import fit_documents

    def trainable(index: int) -> bool:
        """Whether the other pages have both labels to learn from (not so with one page alone)."""
        labels = {label for i, doc in enumerate(documents) if i != index for label in doc.labels}
        return {CONTENT, BOILERPLATE} <= labels

    def why_not(index: int) -> str:
        """Why a page cannot be scored (not :func:`trainable`), said on the page beside its ``-``."""
        others = [doc for i, doc in enumerate(documents) if i != index]
        if not others:
            return "needs 2 labelled pages: without its only page there is nothing to train on"
        held = {label for doc in others for label in doc.labels}
        missing = " and ".join(label for label in (CONTENT, BOILERPLATE) if label not in held)
        return f"the other labelled pages have no {missing} line to learn from: label another page of the site"

    targets = [i for i, doc in enumerate(documents) if doc.site in sites and trainable(i)]
    unscored = [i for i, doc in enumerate(documents) if doc.site in sites and not trainable(i)]

    def run(index: int) -> tuple[int, dict[str, float], list[tuple[str, type[Warning]]]]:
        """The page's scores, and the warnings of its fit: raised in a worker process, they were
        printed there as Python prints them (a file path, a source line), not as the server's lines."""
        train = [doc for i, doc in enumerate(documents) if i != index]
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            model = fit_documents(train, user_weight=user_weight)
        test = documents[index]
        said = [(str(warning.message), warning.category) for warning in caught]
        return index, score("lopo", [test], model.predict([test.lines])).overall.scores(), said

    results: dict[str, Any] = {site: {"pages": {}} for site in sites}
    phase = "leave-one-page-out: " + ", ".join(sites)
    report(phase, 0, len(targets))
    outcomes = Parallel(n_jobs=jobs, return_as="generator_unordered")(delayed(run)(index) for index in targets)
    said: dict[str, type[Warning]] = {}
    for done, (index, scores, warned) in enumerate(outcomes, 1):
        said.update(warned)
        doc = documents[index]
        results[doc.site]["pages"][doc.name] = round(scores["char_f1"], 4)
        report(phase, done, len(targets))
    for message, category in said.items():  # once each, in the server's process (and as its lines)
        warnings.warn(message, category, stacklevel=2)
    for index in unscored:  # with its reason: a "-" alone left the person guessing
        results[documents[index].site].setdefault("unscored", {})[documents[index].name] = why_not(index)
    for site in sites:
        values = list(results[site]["pages"].values())
        results[site]["char_f1"] = round(sum(values) / len(values), 4) if values else None
    return results
