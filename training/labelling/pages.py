"""The pages ``cleaner label`` offers: read as ``cleaner predict`` reads its inputs, ordered most
informative first (``cleaner suggest``'s uncertainty ranking), each with the manifest fields it
proposes (a file name, a site, a language) for the person to accept or correct.

The names proposed are slugs (:func:`slug`) of a URL or a file name; every name that reaches the disk
goes through :func:`~cleaner.training.labelling.store.safe_name`.
"""

from __future__ import annotations

import hashlib
import heapq
import re
import unicodedata
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from ...classifier.cleaned import Scorer
from ...corpus.items import STDIN
from ...corpus.readers import DEFAULT_KIND, Parsed, ParseOptions
from ..suggest import ScoredDocuments, Suggestion
from .language import detect_language
from .store import MANIFEST, read_rows, saved_pages, text_key

SITE = re.compile(r"[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?)+")
URL_IN_TEXT = re.compile(r"https?://([^/\s)\]\"'<>]+)", re.IGNORECASE)
# An image in the dump's markup (``![alt](URL)``), or a URL of a file a page shows rather than a page:
# its host is an image or file server (img1.blogblog.com, 4.bp.blogspot.com), not the page's site.
IMAGE_IN_TEXT = re.compile(r"!\[[^\]]*\]\([^)\s]*\)")
FILE_URL = re.compile(
    r"https?://[^\s)\]\"'<>]+?\.(?:jpe?g|png|gif|webp|svg|ico|bmp|avif|css|js|woff2?)(?=[?#)\]\s\"'<>]|$)",
    re.IGNORECASE,
)
# Host names that serve a site's pages or files rather than name it.
SERVING_PREFIXES = {"www", "m", "amp", "cdn", "static", "img", "image", "images", "media", "assets", "photo", "photos"}
NOT_SITES = {"txt", "jsonl", "gz", "zst", "warc", "wet", "tsv", "html", "htm"}


def slug(text: str, limit: int = 80) -> str:
    """A safe name made of ``text``: accents dropped (``Đ`` -> ``D``), every other run of
    characters that a name cannot hold becomes one ``-``."""
    ascii_text = unicodedata.normalize("NFKD", text.replace("đ", "d").replace("Đ", "D"))
    ascii_text = ascii_text.encode("ascii", "ignore").decode()
    cleaned = re.sub(r"[^A-Za-z0-9._]+", "-", ascii_text).strip("-._")
    cleaned = re.sub(r"\.{2,}", ".", cleaned)[:limit].strip("-._")
    return cleaned or "page"


def site_of_url(url: str | None) -> str | None:
    """The host of ``url`` without ``www.``, lower-cased, if it looks like a domain."""
    if not url:
        return None
    try:
        host = (urlsplit(url if "//" in url else f"//{url}").hostname or "").lower()
    except ValueError:
        return None
    while host.count(".") >= 2 and host.split(".", 1)[0] in SERVING_PREFIXES:
        host = host.split(".", 1)[1]  # www.x.vn, cdn.x.vn, m.x.vn: the site is x.vn
    return host if SITE.fullmatch(host) and host.rsplit(".", 1)[-1] not in NOT_SITES else None


def guess_site(where: str, url: str | None, lines: Sequence[str]) -> str:
    """The page's site: its URL's host; else a folder named like a domain (``dumps/vnexpress.net/1.txt``);
    else the host most links in the dump point to, images and files left out (a blog's icons are
    served by img1.blogblog.com, which is no site of its pages); else "" (the page asks for it)."""
    found = site_of_url(url)
    if found:
        return found
    if where != STDIN:
        for part in reversed(Path(where.split(":", 1)[0]).parts[:-1]):
            found = site_of_url(part)
            if found:
                return found
    links = (FILE_URL.sub(" ", IMAGE_IN_TEXT.sub(" ", line)) for line in lines)
    hosts = Counter(filter(None, (site_of_url(host) for line in links for host in URL_IN_TEXT.findall(line))))
    return hosts.most_common(1)[0][0] if hosts else ""


@dataclass
class Page:
    """One dump to label: where it came from, its lines, and the manifest fields proposed for it."""

    number: int
    where: str
    lines: list[str]
    name: str
    site: str
    language: str
    url: str | None = None
    source: str = ""  # the manifest's source column: the dump's path relative to the repository root, if inside it
    uncertain: int = 0
    kind: str = ""
    saved_as: str | None = None  # the label-file name it was last saved as
    labels: list[str | None] | None = field(default=None, repr=False)  # as last saved
    # Saved (in this session) with every line as the pre-labelling model tagged it: no edit. Its
    # leave-one-page-out score then rewards the model's mistakes, which the page says.
    unedited: bool = False

    @property
    def digest(self) -> str:
        """A digest of the page's lines as the page is sent them: with ``where``, what a request for
        the page must name, since its ``number`` (its place in one server's order) means another
        page once the server restarts with other dumps or another model."""
        return lines_digest(self.lines)


def lines_digest(lines: Sequence[str]) -> str:
    """The first 32 hex digits of the sha256 of ``lines`` (their count and every character)."""
    digest = hashlib.sha256(str(len(lines)).encode())
    for line in lines:
        digest.update(b"\n" + line.encode("utf-8", "surrogatepass"))
    return digest.hexdigest()[:32]


def _url(record: dict[str, object], raw_url: str | None) -> str | None:
    value = raw_url or record.get("url")
    return value if isinstance(value, str) else None


def _source(where: str, root: Path) -> str:
    """``where`` relative to ``root`` (the labels folder's parent) for a whole text file, else ""."""
    if where == STDIN or ":" in where:
        return ""
    try:
        return Path(where).resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        try:
            relative = Path(where).resolve().relative_to(root.resolve().parent)
        except ValueError:
            return ""
        return f"../{relative.as_posix()}"


def load_pages(
    model: Scorer,
    paths: Sequence[str],
    labels_dir: Path,
    *,
    input_format: str | None = None,
    options: ParseOptions | None = None,
    limit: int = 10_000_000,
    max_pages: int = 500,
) -> tuple[list[Page], int, int]:
    """The ``max_pages`` most uncertain readable documents of ``paths``, most uncertain first (only
    those are kept in memory, whatever the size of the corpus); also how many documents there were
    and how many could not be read (each reported on stderr)."""
    scored = ScoredDocuments(model, paths, input_format=input_format, options=options, limit=limit)
    try:
        best = heapq.nsmallest(
            max_pages,
            ((suggestion, parsed) for parsed, suggestion in scored.iterate()),
            key=lambda pair: pair[0].rank(),
        )
    finally:
        scored.close()
    pages = [_page(number, parsed, suggestion, labels_dir) for number, (suggestion, parsed) in enumerate(best)]
    _mark_saved(pages, labels_dir)
    _unique_names([page for page in pages if page.saved_as is None], labels_dir)
    return pages, scored.tally.documents, scored.tally.errors


def _mark_saved(pages: list[Page], labels_dir: Path) -> None:
    """Pages labelled before (by an earlier ``cleaner label``, or by hand) are found by their text
    in ``labels_dir``: each is offered as saved, with its labels and manifest fields as saved, and
    saving it again replaces its label file. Offered as new, a page saved yesterday came back
    pre-labelled by the model, its corrections gone, and saving it made a second label file of the
    same text."""
    if not labels_dir.is_dir():
        return
    saved = saved_pages(labels_dir)
    _, rows = read_rows(labels_dir / MANIFEST)
    by_name = {row.get("name", ""): row for row in rows}
    for page in pages:
        found = saved.get(text_key(page.lines))
        if found is None:
            continue
        page.saved_as, page.labels = found
        row = by_name.get(page.saved_as, {})
        page.site = row.get("site") or page.site
        page.language = row.get("language") or page.language
        page.kind = row.get("kind") or page.kind


def _page(number: int, parsed: Parsed, suggestion: Suggestion, labels_dir: Path) -> Page:
    url = _url(parsed.record, parsed.raw.url)
    where = parsed.raw.where
    whole_file = parsed.raw.kind == DEFAULT_KIND and where != STDIN
    if url:
        name = slug((site_of_url(url) or "") + urlsplit(url).path)
    else:
        name = slug(Path(where).stem if whole_file else where)
    return Page(
        number=number,
        where=where,
        lines=parsed.lines,
        name=name,
        site=guess_site(where, url, parsed.lines),
        language=detect_language(parsed.lines),
        url=url,
        source=_source(where, labels_dir.parent) if whole_file else "",
        uncertain=suggestion.uncertain,
    )


def _unique_names(pages: list[Page], labels_dir: Path) -> None:
    """Give every page a name no other page and no existing label file has (``name-2``, ``name-3``...)."""
    taken = {path.stem for path in labels_dir.glob("*.tsv")}
    for page in pages:
        base, number = page.name, 1
        while page.name in taken:
            number += 1
            page.name = f"{base[:95]}-{number}"
        taken.add(page.name)
