"""Training-time augmentation: new pages recombined from the parts of labelled pages.

A page is chrome above the article, the article, and blocks below it. Five or fifty labelled
pages show only as many combinations of these as there are pages, so a model can learn "this
layout's menu is followed by this layout's article" instead of what a menu is. Recombining the top
of one page, the article of another and the bottom of a third, with the blank-line style of either
dump style, shows it the same parts in new company. Excerpts and records go the other way: a few
article lines cut out with the chrome around them, the short records (a post, a blurb) that whole
pages never show. Only the training documents of a fit are used, so cross-validation stays honest.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np

from ..text import is_blank

Lines = list[str]
Labels = list[str | None]


def split_page(lines: Sequence[str], labels: Sequence[str | None]) -> tuple[slice, slice, slice]:
    """(top, article, bottom): before the first content line, up to the last, and after it."""
    content = [i for i, label in enumerate(labels) if label == "content"]
    if not content:
        return slice(0, len(lines)), slice(0, 0), slice(len(lines), len(lines))
    return slice(0, content[0]), slice(content[0], content[-1] + 1), slice(content[-1] + 1, len(lines))


def without_chrome(lines: Sequence[str], labels: Sequence[str | None], above: bool, below: bool) -> slice:
    """The lines of a page left once its own chrome above its first content line (``above``),
    below its last (``below``), or both, is cut off (see :func:`split_page`)."""
    _, article, _ = split_page(lines, labels)
    return slice(article.start if above else 0, article.stop if below else len(lines))


def _restyle(lines: Lines, labels: Labels, blank_between: bool) -> tuple[Lines, Labels]:
    """Drop blank lines, or put one blank line between every two non-blank lines."""
    kept = [(line, label) for line, label in zip(lines, labels) if not is_blank(line)]
    out_lines: Lines = []
    out_labels: Labels = []
    for line, label in kept:
        if blank_between and out_lines:
            out_lines.append("")
            out_labels.append(None)
        out_lines.append(line)
        out_labels.append(label)
    return out_lines, out_labels


def recombine(
    documents: Sequence[Sequence[str]],
    labels: Sequence[Sequence[str | None]],
    n_new: int,
    random_state: int = 0,
) -> tuple[list[Lines], list[Labels]]:
    """``n_new`` pages, each the top of one page, the article of another and the bottom of a third."""
    rng = np.random.default_rng(random_state)
    parts = [split_page(doc, lab) for doc, lab in zip(documents, labels)]
    with_article = [i for i, (_, article, _) in enumerate(parts) if article.stop > article.start]
    new_docs: list[Lines] = []
    new_labels: list[Labels] = []
    if len(documents) < 2 or not with_article:
        return new_docs, new_labels
    for _ in range(n_new):
        top, bottom = rng.integers(len(documents), size=2)
        middle = with_article[rng.integers(len(with_article))]
        lines: Lines = []
        tags: Labels = []
        for source, part in ((top, 0), (middle, 1), (bottom, 2)):
            piece = parts[source][part]
            lines += list(documents[source][piece])
            tags += list(labels[source][piece])
        style = rng.integers(3)  # keep each part's own style, or force one style on the page
        if style:
            lines, tags = _restyle(lines, tags, blank_between=style == 2)
        new_docs.append(lines)
        new_labels.append(tags)
    return new_docs, new_labels


def excerpts(
    documents: Sequence[Sequence[str]],
    labels: Sequence[Sequence[str | None]],
    n_new: int,
    random_state: int = 0,
    chrome_share: float = 0.4,
) -> tuple[list[int], list[Lines], list[Labels]]:
    """``n_new`` short documents cut from labelled pages: a run of one to four non-blank lines with
    the line just above it, starting at an article line or, for ``chrome_share`` of them, at a
    chrome line. Labelled pages are all whole pages, so without these the context stages meet a
    line with few neighbours only at a page's edge, where boilerplate is, and a short record (a
    post, a product blurb) is emptied; the chrome-led ones keep a record of menus and footers alone
    from being kept for its shortness. Returns each excerpt's source page, so that
    cross-validation keeps it with its site."""
    usable = [d for d, lab in enumerate(labels) if any(lab[i] == "content" for i in _nonblank(documents[d]))]

    def cut(lines: Lines, tags: Labels, rng: np.random.Generator) -> tuple[Lines, Labels]:
        nonblank = _nonblank(lines)
        wanted = "boilerplate" if rng.random() < chrome_share else "content"
        starts = [k for k, i in enumerate(nonblank) if tags[i] == wanted] or list(range(len(nonblank)))
        start = starts[rng.integers(len(starts))]
        stop = min(start + int(rng.integers(1, 5)), len(nonblank))
        keep = nonblank[max(start - 1, 0) : stop + 1]
        return [lines[i] for i in keep], [tags[i] for i in keep]

    return _remade(documents, labels, n_new, np.random.default_rng(random_state), cut, usable)


FRAMED = 0.75  # the share of records with a chrome line above their run, and (drawn apart) below it


def records(
    documents: Sequence[Sequence[str]],
    labels: Sequence[Sequence[str | None]],
    n_new: int,
    random_state: int = 0,
    chrome_share: float = 0.5,
) -> tuple[list[int], list[Lines], list[Labels]]:
    """``n_new`` short documents shaped as a record: one to three article lines in a row with the
    nearest chrome line of their page above them and the nearest below (any chrome line of the page
    where that side has none), each of the two there for :data:`FRAMED` of the records; for
    ``chrome_share`` of them, chrome lines instead of article lines, so that a record of chrome
    alone is not kept for its shape.

    A corpus's short record (a forum post, a product blurb, a JSONL field holding one paragraph)
    is its text with a line of chrome around it: a breadcrumb above, a share or reply row below.
    Excerpts (:func:`excerpts`) are mostly cut from an article's middle, so few of them have that
    shape, and what a fit made of it depended on its random start: refits of one configuration
    kept from 58% to 93% of the records of ``tests/test_short_records.py``. Records framed on both
    sides every time taught the opposite mistake: the first line of a dump that begins at its
    headline was dropped. Returns each record's source page, so that cross-validation keeps it
    with its site."""

    def kinds(lines: Sequence[str], tags: Sequence[str | None]) -> tuple[list[int], list[int], list[int]]:
        """The non-blank rows, and the positions among them of the article and the chrome lines."""
        rows = _nonblank(lines)
        article = [k for k, i in enumerate(rows) if tags[i] == "content"]
        chrome = [k for k, i in enumerate(rows) if tags[i] == "boilerplate"]
        return rows, article, chrome

    usable = [d for d, (_, article, chrome) in enumerate(map(kinds, documents, labels)) if article and chrome]

    def frame(lines: Lines, tags: Labels, rng: np.random.Generator) -> tuple[Lines, Labels]:
        rows, article, chrome = kinds(lines, tags)
        run = chrome if rng.random() < chrome_share else article
        start = run[rng.integers(len(run))]
        stop = start + 1  # one past the run's last line, in rows
        wanted = int(rng.integers(1, 4))
        while stop - start < wanted and stop in run:
            stop += 1
        above = [k for k in chrome if k < start]
        below = [k for k in chrome if k >= stop]
        top = above[-1] if above else chrome[rng.integers(len(chrome))]
        bottom = below[0] if below else chrome[rng.integers(len(chrome))]
        above_too, below_too = rng.random(2) < FRAMED  # a record may lack its line above, below, or both
        keep = [rows[top]] * int(above_too) + rows[start:stop] + [rows[bottom]] * int(below_too)
        return [lines[i] for i in keep], [tags[i] for i in keep]

    return _remade(documents, labels, n_new, np.random.default_rng([random_state, 3]), frame, usable)


def trimmed(
    documents: Sequence[Sequence[str]],
    labels: Sequence[Sequence[str | None]],
    n_new: int,
    random_state: int = 0,
) -> tuple[list[int], list[Lines], list[Labels]]:
    """``n_new`` labelled pages with the chrome above the article, below it, or both cut off.

    Every labelled page is a whole page, from its menu down to its footer, so a model learns that
    the last lines of a dump are footer and the first are menu; but many dumps begin or end at the
    article (a WET record cut short, an extractor's output with some chrome left, a JSONL field
    holding the article and its sidebar), and their last paragraph or their headline came out
    dropped for where it stands. Returns each trimmed page's source, so that cross-validation keeps
    it with its site."""

    def trim(lines: Lines, tags: Labels, rng: np.random.Generator) -> tuple[Lines, Labels]:
        cut = rng.integers(3)  # 0: the top, 1: the bottom, 2: both
        keep = without_chrome(lines, tags, above=cut != 1, below=cut != 0)
        return lines[keep], tags[keep]

    return _remade(documents, labels, n_new, np.random.default_rng([random_state, 1]), trim)


def reprinted(
    documents: Sequence[Sequence[str]],
    labels: Sequence[Sequence[str | None]],
    n_new: int,
    random_state: int = 0,
) -> tuple[list[int], list[Lines], list[Labels]]:
    """``n_new`` labelled pages printed twice in one dump, the second print all boilerplate.

    A dump of a page built for two screens (a mobile and a desktop layout in one HTML) holds the
    article twice, the second time below the first print's footer; the article is the first print,
    and its copy adds nothing to a corpus but a duplicate. No labelled page shows this, so a model
    keeps the copy, prose as it is. The second print starts at the page's top, its article or
    somewhere between; the line feature ``copy_of_earlier`` is what lets a model tell the prints
    apart. Returns each page's source, so that cross-validation keeps it with its site."""

    def print_twice(lines: Lines, tags: Labels, rng: np.random.Generator) -> tuple[Lines, Labels]:
        _, article, _ = split_page(lines, tags)
        start = int(rng.integers(article.start + 1))  # the second print's first line
        return lines + lines[start:], tags + [None if tag is None else "boilerplate" for tag in tags[start:]]

    return _remade(documents, labels, n_new, np.random.default_rng([random_state, 2]), print_twice)


def _remade(
    documents: Sequence[Sequence[str]],
    labels: Sequence[Sequence[str | None]],
    n_new: int,
    rng: np.random.Generator,
    remake: Callable[[Lines, Labels, np.random.Generator], tuple[Lines, Labels]],
    sources: Sequence[int] | None = None,
) -> tuple[list[int], list[Lines], list[Labels]]:
    """``n_new`` pages, each a page drawn at random among ``sources`` (by default those with
    content) and remade by ``remake`` (which may draw from ``rng`` too), and the page each was
    made from."""
    if sources is None:
        sources = [d for d, lab in enumerate(labels) if "content" in lab]
    picked: list[int] = []
    new_docs: list[Lines] = []
    new_labels: list[Labels] = []
    for _ in range(n_new if sources else 0):
        d = sources[int(rng.integers(len(sources)))]
        lines, tags = remake(list(documents[d]), list(labels[d]), rng)
        picked.append(d)
        new_docs.append(lines)
        new_labels.append(tags)
    return picked, new_docs, new_labels


def _nonblank(lines: Sequence[str]) -> list[int]:
    """The indices of the non-blank lines: those excerpts and records are cut from."""
    return [i for i, line in enumerate(lines) if not is_blank(line)]
