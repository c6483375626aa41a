"""Which model ``cleaner label`` and ``cleaner suggest`` start from: ``--model`` if given, else the
user's own model of the labels folder (:func:`~.common.default_model_file`, which ``cleaner train``
and Retrain write) when it is that folder's and learnt from enough pages, else the default one
(``$CLEANER_MODEL``, else the shipped model). One choice for both, so that ``cleaner suggest`` ranks
the dumps with the model that ``cleaner label`` pre-labels them with (the page orders them as
suggest ranks them). Each command words what it says of a model passed over."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ...text import plural

if TYPE_CHECKING:
    from ...classifier.predictor import Predictor

# --model's value that names the default model ($CLEANER_MODEL, else the shipped one), as cleaner
# evaluate --model and cleaner labels score --model take it: the way past the user's own model.
DEFAULT = "default"


@dataclass(frozen=True)
class Start:
    """The model a command starts from. ``model``: what was loaded, as given (``--model``), the
    user's own model file, or None for the default model. ``foreign``: what the user's model file
    was trained on, when it is another folder's and was passed over; ``few_pages``: how many pages
    it learnt from, when they were too few and it was passed over."""

    model: str | Path | None
    predictor: Predictor
    foreign: str | None = None
    few_pages: int | None = None


def starting_model(model: str | None, own: Path, labels_dir: Path) -> Start:
    """The model to start from (see the module's docstring): ``model`` as given (``default``: the
    default model), else ``own``, the model file of ``labels_dir``, if it is there, shares a page
    with the folder and learnt from enough pages (:func:`cleaner.training.shipped.enough_pages`),
    else the default. Raises :class:`~cleaner.classifier.errors.ModelError` for a model that
    cannot be loaded."""
    from ...classifier.format import load_model
    from ..shipped import enough_pages

    if model is not None:
        return Start(None, load_model()) if model == DEFAULT else Start(model, load_model(model))
    if not own.is_file():
        return Start(None, load_model())
    predictor = load_model(own)
    foreign = _not_of(predictor.manifest, labels_dir)
    if foreign is not None:
        return Start(None, load_model(), foreign=foreign)
    if not enough_pages(predictor.manifest):
        return Start(None, load_model(), few_pages=predictor.manifest["training_data"]["documents"])
    return Start(own, predictor)


def _not_of(manifest: dict[str, Any], labels_dir: Path) -> str | None:
    """What the model of ``manifest`` was trained on, said, when none of its pages (its page
    fingerprints, which cleaner train records) is a page of ``labels_dir``: another folder's
    model. None when it shares a page with the folder, or does not list its pages."""
    from ..labels import page_fingerprint, read_labelled

    known = set(manifest.get("page_fingerprints", ()))
    if not known:
        return None
    try:
        pages = {page_fingerprint(doc.lines) for doc in read_labelled(labels_dir).documents}
    except (OSError, ValueError):  # no folder yet, or one that labels check would refuse
        pages = set()
    if known & pages:
        return None
    where = labels_dir if labels_dir.is_dir() else f"{labels_dir} (not made yet)"
    return f"{plural(len(known), 'page')}, none of them in {where}"
