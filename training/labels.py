"""Labelled dumps on disk: ``labels/*.tsv`` files (the label-line format of :mod:`cleaner.labels`)
listed in ``manifest.csv``.

See ``labels/README.md`` for the guideline. Reading is strict: a malformed file is rejected with
``path:line: what is wrong``, because a silently mis-read label trains a wrong model.
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NamedTuple

from ..labels import BOILERPLATE, CONTENT, LabelFormatError, capped, parse_label_text
from ..text import DecodeError, decode, is_blank, plural

# name, site, language, origin are required; source (the dump it was labelled from) and kind (news,
# recipe, forum...: for per-kind scores) may be empty or absent.
MANIFEST_COLUMNS = ("name", "site", "language", "origin", "source", "kind")
ORIGINS = ("seed", "written", "user")
KINDS = ("news", "blog", "recipe", "product", "forum", "docs", "institutional", "event", "encyclopedia")
# A language is a code in lower case and a site a domain: "VI" beside "vi" was scored as a language of
# its own, and a URL for a site put its pages in other folds than the site's other pages.
LANGUAGE = r"[a-z]{2,3}"
SITE = r"[a-z0-9._:-]+"


@dataclass
class LabelledDocument:
    """One labelled dump: its lines and one label per line (None for blank lines)."""

    name: str
    lines: list[str]
    labels: list[str | None]
    site: str = ""
    language: str = ""
    origin: str = ""
    source: str = ""
    kind: str = ""
    path: Path | None = field(default=None, compare=False)


def read_label_file(path: Path, data: bytes | None = None) -> tuple[list[str], list[str | None]]:
    """Read and parse one ``.tsv`` label file (``data``: its bytes, when already read)."""
    try:
        text = decode(path.read_bytes() if data is None else data)
    except DecodeError as exc:
        raise LabelFormatError(f"{path}:{exc.line}: {exc}; label files must be UTF-8") from exc
    return parse_label_text(text, str(path))


class ManifestRow(dict[str, str]):
    """A row of ``manifest.csv`` (column -> value) and ``line``, its line in the file, so that a problem
    of the row is said at its line (``manifest.csv:7: 'ghost' has no file ghost.tsv``), as problems
    found while reading it are: said of the whole file, it left the user to search for the row."""

    def __init__(self, fields: dict[str, str], line: int) -> None:
        super().__init__(fields)
        self.line = line


def row_without_file(manifest_path: Path, row: ManifestRow) -> str:
    """The problem of a manifest row whose label file is not there (labels check, train, evaluate)."""
    name = row["name"]
    return f"{manifest_path}:{row.line}: {name!r} has no file {name}.tsv; add the label file, or remove the row"


def read_manifest(path: Path, data: bytes | None = None) -> list[ManifestRow]:
    """Read ``manifest.csv``: one row per label file, each with a name, a site (a domain), a language
    (a code), a known origin, and a known kind or none.

    A row whose fields do not fit the header is refused rather than read in part: a row that lost
    its line break (labels/README.md's ``echo ... >> manifest.csv`` after a last row without one)
    joined the next, whose page then "had no row". A name listed twice is refused: its page was
    trained on twice, under two sites. ``data``: the file's bytes, when already read."""
    rows, problems, _ = manifest_rows(path, read_manifest_bytes(path) if data is None else data)
    if problems:
        raise LabelFormatError(*capped(problems, path))
    return rows


def read_manifest_bytes(path: Path) -> bytes:
    """The manifest's bytes, or :class:`LabelFormatError` saying how to make one."""
    if not path.is_file():
        raise LabelFormatError(f"{path}: no manifest; create it with the header {','.join(MANIFEST_COLUMNS)}")
    return path.read_bytes()


def manifest_rows(path: Path, data: bytes) -> tuple[list[ManifestRow], list[str], set[str]]:
    """The good rows of a manifest, every problem of the others (``path:line: what is wrong``), and
    the names that any row gives (a file named by a bad row has a row, only a wrong one). Raises
    :class:`LabelFormatError` only for a header without the required columns."""
    rows = []
    problems: list[str] = []
    named: set[str] = set()
    first_line: dict[str, int] = {}
    with io.StringIO(data.decode("utf-8-sig"), newline="") as handle:
        reader = csv.DictReader(handle)
        header = reader.fieldnames or []
        problem = _header_problem(header)
        if problem is not None:
            raise LabelFormatError(f"{path}:1: {problem}")
        for raw in reader:
            number = reader.line_num  # the physical line, so blank lines do not shift it
            problem = _fields_problem(raw, len(header))
            row = {k: (v or "").strip() for k, v in raw.items() if k is not None}
            named.add(row.get("name", ""))
            if problem is None:
                empty = [column for column in MANIFEST_COLUMNS[:4] if not row.get(column)]
                problem = f"empty {empty[0]!r}" if empty else _row_problem(row)
            if problem is None and row["name"] in first_line:
                problem = (
                    f"{row['name']!r} is listed again (line {first_line[row['name']]}); give each label file one row"
                )
            if problem is not None:
                problems.append(f"{path}:{number}: {problem}")
                continue
            first_line[row["name"]] = number
            row.setdefault("source", "")
            row.setdefault("kind", "")
            rows.append(ManifestRow(row, number))
    return rows, problems, named


def _header_problem(header: Sequence[str]) -> str | None:
    """What is wrong with a manifest's header (its first line), said with the header to write; else
    None. Without any of the required columns, the first line is most likely a row, the header
    forgotten: the missing columns were listed as a Python list (['name', 'site', ...]) that did not
    say so."""
    missing = [column for column in MANIFEST_COLUMNS[:4] if column not in header]
    if not missing:
        return None
    write = f"{','.join(MANIFEST_COLUMNS)} (source and kind may be left out)"
    if not header:
        return f"the manifest is empty; write the header {write} as its first line, then one row per label file"
    if len(missing) == len(MANIFEST_COLUMNS[:4]):
        return (
            f"no header: the first line ({','.join(header)}) names none of the columns {', '.join(missing)}; "
            f"write the header {write} above the rows"
        )
    columns = "the column" if len(missing) == 1 else "the columns"
    return f"the header lacks {columns} {', '.join(missing)}; the header is {write}"


def _fields_problem(raw: dict[str | None, Any], columns: int) -> str | None:
    """A row of more fields than the header (csv keeps the rest under None), or of too few for the
    four required columns (csv gives the missing ones None), said; else None."""
    if None in raw:
        fields = columns + len(raw[None])
        return (
            f"{fields} fields, but the header has {columns}; a row is {','.join(MANIFEST_COLUMNS)} "
            "(a row without its line break joins the next one)"
        )
    if any(raw.get(column) is None for column in MANIFEST_COLUMNS[:4]):
        fields = sum(value is not None for value in raw.values())
        needed = ",".join(MANIFEST_COLUMNS[:4])
        return f"{plural(fields, 'field')}; a row needs {needed} (then source and kind, or nothing)"
    return None


def _row_problem(row: dict[str, str]) -> str | None:
    """What is wrong with a row's name, origin, language, site or kind, or None."""
    if row["name"].startswith("."):  # a hidden file (.tsv.tsv), which the label page refuses to write
        return (
            f"name {row['name']!r} starts with a dot (a hidden file); give the page a name of letters or digits first"
        )
    if row["origin"] not in ORIGINS:
        return f"origin {row['origin']!r} is not one of {', '.join(ORIGINS)}"
    if not re.fullmatch(LANGUAGE, row["language"]):
        return f"language {row['language']!r}: give an ISO 639-1 code in lower case, such as vi or en"
    if not re.fullmatch(SITE, row["site"]):
        return f"site {row['site']!r}: give the site's domain in lower case, such as example.com"
    if row.get("kind", "") not in ("", *KINDS):
        return f"kind {row['kind']!r}: give one of {', '.join(KINDS)}, or leave it empty"
    return None


class TooFewLabels(ValueError):
    """Too few labelled pages (or lines of one class) to train or cross-validate on: a fact about the
    user's labels, not a bug, so the commands say it in one line with what to do.
    ``cross_validation``: only cross-validation lacks pages (training without it would do)."""

    def __init__(self, message: str, cross_validation: bool = False) -> None:
        super().__init__(message)
        self.cross_validation = cross_validation


def missing_directory(directory: Path) -> str | None:
    """What is wrong when ``directory`` is not a directory, else None: said of the folder itself,
    since "no manifest; create it" would have the user create a manifest in a folder that is not there."""
    if directory.is_dir():
        return None
    what = "not a directory" if directory.exists() else "no such directory"
    return (
        f"{directory}: {what}; give the directory of labelled dumps and their manifest.csv (see cleaner labels --help)"
    )


class LabelledData(NamedTuple):
    """A directory's labelled dumps and the sha256 of the very bytes they were parsed from."""

    documents: list[LabelledDocument]
    sha256: str  # over manifest.csv, then each dump's name, a NUL and its file, in manifest order


def load_labelled_dir(directory: Path) -> list[LabelledDocument]:
    """Load every labelled dump listed in ``directory/manifest.csv``, in manifest order (see
    :func:`read_labelled`)."""
    return read_labelled(directory).documents


def read_labelled(directory: Path) -> LabelledData:
    """Load every labelled dump listed in ``directory/manifest.csv``, in manifest order, with the
    sha256 that names the data (a model's manifest, ``labels score``'s "trained on" check).

    Each file is read once, and the hash is of the bytes parsed: hashed from a second read, it could
    name labels saved in between (the labelling page saves while a retrain reads), not those trained on.
    Files without a manifest row, and rows without a file, are errors: cross-validation groups by
    the manifest's site, so an unlisted file would silently leak across folds.
    """
    problem = missing_directory(directory)
    if problem is not None:
        raise LabelFormatError(problem)
    manifest_path = directory / "manifest.csv"
    if not manifest_path.is_file():
        raise LabelFormatError(f"{manifest_path}: no manifest; create it with the header {','.join(MANIFEST_COLUMNS)}")
    data = manifest_path.read_bytes()
    digest = hashlib.sha256(data)
    rows = read_manifest(manifest_path, data)
    listed = {row["name"] for row in rows}
    unlisted = sorted(p.stem for p in directory.glob("*.tsv") if p.stem not in listed)
    if unlisted:
        raise LabelFormatError(f"{manifest_path}: label files without a manifest row: {', '.join(unlisted)}")
    documents = []
    for row in rows:
        path = directory / f"{row['name']}.tsv"
        if not path.is_file():
            raise LabelFormatError(row_without_file(manifest_path, row))
        data = path.read_bytes()
        digest.update(row["name"].encode() + b"\0" + data)
        lines, labels = read_label_file(path, data)
        documents.append(
            LabelledDocument(
                name=row["name"],
                lines=lines,
                labels=labels,
                site=row["site"],
                language=row["language"],
                origin=row["origin"],
                source=row.get("source", ""),
                kind=row.get("kind", ""),
                path=path,
            )
        )
    return LabelledData(documents, digest.hexdigest())


def page_problems(pages: Iterable[tuple[Path, Sequence[str], Sequence[str | None]]]) -> list[str]:
    """What is wrong with labelled pages, each said ``path: what is wrong; what to do``: an empty
    file, a page with no content line, a page of the same text as an earlier one. The one rule of
    ``cleaner labels check`` and of every command that trains (train, evaluate, the label page's
    Retrain): these trained without a word, a duplicate weighing double and leaking across the
    folds of leave-one-page-out. ``pages``: (path, lines, labels), in manifest order."""
    problems = []
    seen: dict[str, Path] = {}
    for path, lines, labels in pages:
        if not lines:
            problems.append(
                f"{path}: empty file; write the page's labels in it (cleaner predict DUMP --format labels), "
                "or remove it and its manifest row"
            )
        elif not any(label == CONTENT for label in labels):
            problems.append(
                f"{path}: no content line; is the whole page boilerplate? Tag its content lines C, or remove "
                "it and its manifest row"
            )
        text = "\n".join(lines)
        if text in seen:
            problems.append(
                f"{path}: same text as {seen[text].name} (a duplicate, trained on twice); remove one of them "
                "and its manifest row"
            )
        else:
            seen[text] = path
    return problems


def refuse_unfit(directory: Path, data: LabelledData) -> LabelledData:
    """``data`` (read from ``directory``) if :func:`page_problems` finds nothing, else
    :class:`LabelFormatError` saying every problem (as ``cleaner labels check`` says them), before
    any fit."""
    problems = page_problems(
        (doc.path or directory / f"{doc.name}.tsv", doc.lines, doc.labels) for doc in data.documents
    )
    if problems:
        raise LabelFormatError(
            *capped(problems, directory),
            f"{plural(len(problems), 'problem')} in {directory}: nothing trained (cleaner labels check {directory} "
            "checks the folder)",
        )
    return data


def page_fingerprint(lines: Sequence[str]) -> str:
    """A page's text as a short hash (64 bits of sha256): its non-blank lines, stripped, one per
    line, so that a page read from its dump and from its label file (blank lines, line ends and
    margins aside) has the same one. A model's manifest lists its training pages' fingerprints, so
    that ``cleaner labels score`` and ``cleaner evaluate --test`` can tell a score on pages it was
    trained on, which says how well it learnt them, from a score on pages it never saw."""
    text = "\n".join(line.strip() for line in lines if not is_blank(line))
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()[:16]


def page_fingerprints(documents: Iterable[LabelledDocument]) -> list[str]:
    """The :func:`page_fingerprint` of every document, sorted, each once (a model's manifest)."""
    return sorted({page_fingerprint(doc.lines) for doc in documents})


def iter_label_counts(documents: Iterable[LabelledDocument]) -> Iterable[tuple[str, int, int, int]]:
    """(name, content lines, boilerplate lines, blank lines) for each document."""
    for doc in documents:
        content = sum(label == CONTENT for label in doc.labels)
        boilerplate = sum(label == BOILERPLATE for label in doc.labels)
        yield doc.name, content, boilerplate, len(doc.labels) - content - boilerplate
