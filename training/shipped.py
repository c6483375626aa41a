"""The labelled pages the shipped model learnt from, and training on them plus a user's own pages
(``--plus-shipped`` of ``cleaner train``, ``cleaner label`` and ``cleaner labels check``).

A wheel holds them as package data, ``cleaner/data/labels`` (the checkout's ``labels/``, mapped there
by ``pyproject.toml``, its subfolders of held-out sets left out); a checkout, or an editable install,
has them in ``labels/``. Without them, ``cleaner train --labels mylabels`` from a wheel fitted ten
pages of the user's sites alone, a model that cleaned even those sites worse than the shipped one
(cross-validated char F1 0.907 against 0.937), and nothing said so.

Combined, the shipped pages come first and the user's after them. A page name is one page: a name
in both folders is an error that names both files. A site is one site: a site in both folders (a
seed site the user labelled more pages of) is trained, and cross-validated, as one group, and a
note says so.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from ..labels import LabelFormatError, capped
from ..text import listed, plural
from .labels import LabelledData, LabelledDocument, read_labelled, read_manifest, refuse_unfit

# Inside an installed package (from a wheel, or `pip install .`), and in a checkout of cleaner.
PACKAGED_LABELS = Path(__file__).resolve().parent.parent / "data" / "labels"
CHECKOUT_LABELS = Path(__file__).resolve().parent.parent / "labels"
MANIFEST = "manifest.csv"
OPTION = "--plus-shipped"
# Fewer of the user's own pages than this, trained on alone, and the commands say that the model
# knows only them (cleaner label keeps pre-labelling with the shipped model below it).
FEW_PAGES = 20


def shipped_labels() -> Path | None:
    """The folder of the shipped training pages: in the package, else the checkout's ``labels/``;
    None when neither is there (an install without them)."""
    for candidate in (PACKAGED_LABELS, CHECKOUT_LABELS):
        if (candidate / MANIFEST).is_file():
            return candidate
    return None


def checked(directory: Path) -> str:
    """``directory`` as a command that fell back to it names it: the shipped pages for what they are
    (a wheel's are deep in site-packages), any other by its path."""
    return f"the pages shipped with cleaner ({directory})" if is_shipped(directory) else str(directory)


def guide_path() -> Path | None:
    """The labelling guideline, README.md of the shipped pages (``cleaner labels guide``); None
    without it."""
    shipped = shipped_labels()
    guide = None if shipped is None else shipped / "README.md"
    return guide if guide is not None and guide.is_file() else None


def is_shipped(directory: Path) -> bool:
    """Whether ``directory`` is the shipped training pages' folder itself (not a copy of it)."""
    shipped = shipped_labels()
    return shipped is not None and directory.resolve() == shipped.resolve()


def require_shipped() -> Path:
    """The shipped pages' folder, or :class:`LabelFormatError` saying what to do without it."""
    shipped = shipped_labels()
    if shipped is None:
        raise LabelFormatError(
            f"{OPTION}: the labelled pages shipped with cleaner are not there ({PACKAGED_LABELS}); reinstall cleaner"
        )
    return shipped


def shipped_count() -> int | None:
    """How many pages the shipped folder lists, for messages; None without it or its manifest."""
    shipped = shipped_labels()
    try:
        return None if shipped is None else len(read_manifest(shipped / MANIFEST))
    except (OSError, LabelFormatError):
        return None


def read_training_data(directory: Path, plus_shipped: bool = False) -> tuple[LabelledData, dict[str, Any] | None]:
    """The pages a model is trained on: ``directory``'s, after the shipped ones if ``plus_shipped``;
    and what :func:`read_with_shipped` says of the shipped ones (None without them)."""
    return read_with_shipped(directory) if plus_shipped else (refuse_unfit(directory, read_labelled(directory)), None)


def read_with_shipped(directory: Path) -> tuple[LabelledData, dict[str, Any] | None]:
    """The shipped pages, then ``directory``'s (just the shipped ones when it is their folder), and
    which shipped data they hold, for the model's manifest (``training_data["shipped"]``): how many
    pages, their sha256 and the sites both folders have; None when ``directory`` is their folder.

    ``sha256`` names the combination (the two folders' own hashes, hashed). A page name in both
    folders is a :class:`LabelFormatError` naming both files, raised before any fit."""
    shipped_dir = require_shipped()
    shipped = read_labelled(shipped_dir)
    if directory.resolve() == shipped_dir.resolve():
        return shipped, None
    mine = refuse_unfit(directory, read_labelled(directory))
    problems = name_collisions(directory, [doc.name for doc in mine.documents], shipped_dir)
    if problems:
        raise LabelFormatError(*capped(problems, directory / MANIFEST))
    digest = hashlib.sha256(f"{shipped.sha256}\0{mine.sha256}".encode()).hexdigest()
    sites = shared_sites(mine.documents, shipped.documents)
    summary = {"documents": len(shipped.documents), "sha256": shipped.sha256, "shared_sites": sites}
    return LabelledData(shipped.documents + mine.documents, digest), summary


def name_collisions(directory: Path, names: Sequence[str], shipped_dir: Path) -> list[str]:
    """Each page of ``names`` (in ``directory``) named as a shipped page, said with both files: two
    pages of one name would be one page to every report, and one of them silently lost. When every
    page is one, the folder is a copy of the shipped pages, which is said once."""
    shipped = {row["name"] for row in read_manifest(shipped_dir / MANIFEST)}
    both = [name for name in names if name in shipped]
    if not both:
        return []
    if len(both) == len(names) == len(shipped):
        return [
            f"{directory}: every page of it is a page shipped with cleaner ({shipped_dir}), by name: a copy of "
            f"them; train on it without {OPTION}"
        ]
    return [
        f"{directory / (name + '.tsv')} and {shipped_dir / (name + '.tsv')} (shipped with cleaner) are both named "
        f"{name!r}; with {OPTION} a name must be one page: rename yours (its .tsv and its row in "
        f"{directory / MANIFEST})"
        for name in both
    ]


def shared_sites(mine: Sequence[LabelledDocument], shipped: Sequence[LabelledDocument]) -> list[str]:
    """The sites with pages in both folders, sorted: one site to the model and its cross-validation."""
    return sorted({doc.site for doc in mine} & {doc.site for doc in shipped})


def shared_sites_note(directory: Path, sites: Sequence[str]) -> str | None:
    """What a command says of sites with pages in both folders, else None."""
    if not sites:
        return None
    these = "site has" if len(sites) == 1 else "sites have"
    return (
        f"note: {len(sites)} {these} pages in {directory} and in the pages shipped with cleaner "
        f"({listed(list(sites))}): each is one site, trained and cross-validated as one (its pages in one fold)"
    )


def enough_pages(manifest: dict[str, Any]) -> bool:
    """Whether a model learnt from enough labelled pages (:data:`FEW_PAGES`, the shipped pages
    counted with ``--plus-shipped``) to pre-label with by default: a model of a page or two keeps
    far more chrome than the shipped one. ``cleaner label`` (and ``cleaner suggest``) applies it to
    the model it starts from and to each model Retrain writes; a model whose manifest does not say
    is used."""
    pages = manifest.get("training_data", {}).get("documents")
    return not isinstance(pages, int) or pages >= FEW_PAGES


def few_pages_warning(directory: Path, what: str = "a model of them alone") -> str | None:
    """The warning for training on ``directory`` alone when it lists fewer than :data:`FEW_PAGES`
    pages, naming :data:`OPTION`; None for more, for the shipped folder itself, or for a folder
    whose manifest cannot be read (what is wrong with it is said by the command's own reading)."""
    if is_shipped(directory):
        return None
    manifest = directory / MANIFEST
    try:
        pages = len(read_manifest(manifest)) if manifest.is_file() else 0
    except (OSError, LabelFormatError):
        return None
    if pages >= FEW_PAGES:
        return None
    count = shipped_count()
    shipped = f"the {count} pages" if count is not None else "the pages"
    return (
        f"{directory} holds {plural(pages, 'labelled page')}, fewer than {FEW_PAGES}: {what} keeps far more chrome "
        f"than the shipped model, even on their own sites; add {OPTION} to train on them plus {shipped} the "
        "shipped model learnt from"
    )


def training_notes(manifest: dict[str, Any], directory: Path) -> list[str]:
    """What ``cleaner train`` says on stderr of the model it trained on ``directory``: with the
    shipped pages, the sites both folders hold; alone, a warning when the folder holds few pages
    (:func:`few_pages_warning`), said last, beside the scores it explains."""
    shipped = manifest["training_data"].get("shipped")
    if shipped is not None:
        note = shared_sites_note(directory, shipped["shared_sites"])
        return [note] if note else []
    warning = few_pages_warning(directory)
    return [f"warning: {warning}"] if warning else []


def check_with_shipped(directory: Path) -> tuple[list[str], list[str]]:
    """``cleaner labels check --plus-shipped``: the problems (page names in both folders) and the
    notes (sites in both) of training on ``directory`` plus the shipped pages. Reads the manifests
    only; an unreadable manifest of ``directory`` gives nothing here (the check reports it)."""
    try:
        shipped_dir = require_shipped()
    except LabelFormatError as exc:
        return [str(exc)], []
    if directory.resolve() == shipped_dir.resolve():
        return [], [f"note: {directory} is the folder of the pages shipped with cleaner: {OPTION} adds nothing"]
    try:
        mine = read_manifest(directory / MANIFEST)
    except (OSError, LabelFormatError):
        return [], []
    shipped = read_manifest(shipped_dir / MANIFEST)
    problems = name_collisions(directory, [row["name"] for row in mine], shipped_dir)
    sites = sorted({row["site"] for row in mine} & {row["site"] for row in shipped})
    note = shared_sites_note(directory, sites)
    return problems, [note] if note else []


# What the cross-validated score of the user's pages alone measures: the folds leave whole sites out,
# so each page is scored by a model that saw no page of its site. Read as "the model I get on my
# sites", it said that retraining made them worse (walk5a: 0.773, where the model trained scored 0.966
# on more pages of those sites).
NEW_SITES = "each scored by a model that saw no page of its site (leave one site out: your sites as new sites)"
SAME_SITES = (
    "how the model trained on them does on more pages of the same sites: cleaner evaluate --adapt (sites of 4 "
    "or more pages), the label page's leave-one-page-out table, or cleaner labels score on pages kept back"
)


def trained_lines(manifest: dict[str, Any], directory: Path) -> list[str]:
    """What ``cleaner train`` adds to its report when the shipped pages were added: how many pages
    came from each folder, and the cross-validated scores of ``directory``'s pages alone (the
    overall ones are mostly the shipped pages')."""
    shipped = manifest["training_data"].get("shipped")
    if shipped is None:
        return []
    mine = manifest["training_data"]["documents"] - shipped["documents"]
    lines = [f"of which {shipped['documents']} shipped with cleaner ({OPTION}) and {mine} of {directory}"]
    given = manifest.get("cross_validation", {}).get("given_labels")
    if given is not None:
        s = given["overall"]
        lines.append(
            f"cross-validated, the {plural(given['documents'], 'page')} of {directory} alone, {NEW_SITES}: content "
            f"char P/R/F1 {s['char_p']:.3f}/{s['char_r']:.3f}/{s['char_f1']:.3f}, line F1 {s['line_f1']:.3f}"
        )
        lines.append(f"({SAME_SITES})")
    return lines
