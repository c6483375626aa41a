"""Reading evaluation sets in the ``../shared/devset`` format.

Two kinds of set:

- per-line gold: ``<id>.txt`` dumps with ``<id>.gold`` tags (``C``, ``B`` or empty) and an optional
  ``meta.jsonl`` naming each page's site and language (``devset/vi``, ``devset/en``);
- snippet-annotated: ``<id>.txt`` dumps and a ``meta.jsonl`` whose records list ``with`` snippets (main
  text a cleaned dump must contain) and ``without`` snippets (boilerplate it must not), with no
  ``.gold`` (``devset/multi``). They are scored by substring tests, not line by line.

Only the dumps and ``meta.jsonl`` are read, to score: nothing here is ever trained on.
"""

from __future__ import annotations

import difflib
import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..labels import BOILERPLATE, CONTENT, LabelFormatError
from ..text import decode, is_blank, plural
from .labels import LabelledDocument

_GOLD = {"C": CONTENT, "B": BOILERPLATE, "": None}
META = "meta.jsonl"
SNIPPET_KEYS = ("with", "without")
README = "README.md"


def read_dump_lines(path: Path) -> list[str]:
    """A dump's lines as the devset numbers them: split on ``\\n`` after removing one trailing
    newline (so that gold line i is dump line i), with a CR of a CRLF end removed."""
    lines = decode(path.read_bytes()).split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    return [line.rstrip("\r") for line in lines]


def iter_meta(directory: Path) -> Iterator[tuple[Path, int, dict[str, Any]]]:
    """(meta.jsonl path, line number, record) for every record of every ``meta.jsonl`` under
    ``directory``; a line that is not a JSON object is an error naming its place, and so is a key
    that reads as a misspelt ``with`` or ``without`` (``witout``): its snippets were silently not
    scored. A BOM is read past, as in label files."""
    for meta in sorted(directory.rglob(META)):
        for number, row in enumerate(meta.read_text(encoding="utf-8-sig").splitlines(), 1):
            if not row.strip():
                continue
            try:
                record = json.loads(row)
            except json.JSONDecodeError as exc:
                raise LabelFormatError(f"{meta}:{number}: not JSON ({exc.msg})") from exc
            if not isinstance(record, dict):
                raise LabelFormatError(f"{meta}:{number}: not a JSON object")
            for key in record:
                meant = _misspelt_snippet_key(key)
                if meant is not None:
                    raise LabelFormatError(
                        f"{meta}:{number}: key {key!r} is not one a snippet set reads; write {meant!r} "
                        "(the keys of snippets are with and without)"
                    )
            yield meta, number, record


def _misspelt_snippet_key(key: str) -> str | None:
    """``with`` or ``without`` when ``key`` reads as a slip of it (``witout``, ``With``, ``with_``), else None."""
    if key in SNIPPET_KEYS:
        return None
    close = difflib.get_close_matches(key.strip().lower(), SNIPPET_KEYS, n=1, cutoff=0.75)
    return close[0] if close else None


def _language(record: dict[str, Any]) -> str:
    """The devset's ``lang`` (multi) or a ``language`` field, whichever the record has."""
    return str(record.get("lang") or record.get("language") or "")


def load_gold_dir(directory: Path) -> list[LabelledDocument]:
    """Every ``<id>.txt`` with its ``<id>.gold`` under ``directory`` (recursively), sorted by path."""
    sites: dict[str, str] = {}
    languages: dict[str, str] = {}
    kinds: dict[str, str] = {}
    for _, _, record in iter_meta(directory):
        sites[str(record.get("id"))] = str(record.get("site") or "")
        languages[str(record.get("id"))] = _language(record)
        kinds[str(record.get("id"))] = str(record.get("kind") or "")
    documents = []
    for text_path in sorted(directory.rglob("*.txt")):
        gold_path = text_path.with_suffix(".gold")
        if not gold_path.is_file():
            continue
        lines = read_dump_lines(text_path)
        gold = gold_path.read_text(encoding="utf-8").split("\n")
        if gold and gold[-1] == "":
            gold.pop()
        if len(lines) != len(gold):
            raise LabelFormatError(
                f"{gold_path}: {plural(len(gold), 'tag')} for the {plural(len(lines), 'line')} of {text_path.name}; "
                "give one tag per dump line (C, B or empty)"
            )
        labels = []
        for number, (line, tag) in enumerate(zip(lines, gold), 1):
            if tag.strip() not in _GOLD:
                raise LabelFormatError(
                    f"{gold_path}:{number}: unknown tag {tag!r}; use C (content), B (boilerplate) or an empty line"
                )
            # A tag on a whitespace-only line is not scored: the model gives blank lines no label.
            labels.append(None if is_blank(line) else _GOLD[tag.strip()])
        name = text_path.stem
        # Without a language in meta.jsonl, a folder named by an ISO 639-1 code (vi/, en/) gives it.
        folder = text_path.parent.name
        language = languages.get(name) or (folder if len(folder) == 2 else "")
        documents.append(
            LabelledDocument(
                name=name,
                lines=lines,
                labels=labels,
                site=sites.get(name) or name,
                language=language,
                kind=kinds.get(name, ""),
                path=text_path,
            )
        )
    return documents


def dumps_without_gold(directory: Path) -> list[Path]:
    """The dumps of a test set that no score reads: ``<id>.txt`` without ``<id>.gold`` nor a
    snippet record, in a directory that holds ``.gold`` files or snippet records.
    :func:`load_gold_dir` and :func:`load_snippet_dir` leave them out; ``cleaner evaluate`` names
    them, since a page missing from a score changes it."""
    dumps = sorted(directory.rglob("*.txt"))
    snippets = {
        (meta.parent, str(record.get("id") or ""))
        for meta, _, record in iter_meta(directory)
        if is_snippet_record(record)
    }
    if not snippets and not any(dump.with_suffix(".gold").is_file() for dump in dumps):
        return []
    return [
        dump for dump in dumps if not dump.with_suffix(".gold").is_file() and (dump.parent, dump.stem) not in snippets
    ]


@dataclass
class SnippetPage:
    """One page of a snippet-annotated set.

    ``document`` carries the dump's lines, site and language for the systems to predict on; its
    labels are all None, since such a set has no per-line gold."""

    document: LabelledDocument
    with_snippets: list[str]
    without_snippets: list[str]

    @property
    def name(self) -> str:
        return self.document.name

    @property
    def language(self) -> str:
        return self.document.language


def _snippets(record: dict[str, Any], key: str, where: str) -> list[str]:
    value = record.get(key, [])
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise LabelFormatError(f"{where}: {key!r} is not a list of strings")
    if any(not item.strip() for item in value):
        # Every page holds the empty string: it always failed in without, always passed in with.
        raise LabelFormatError(
            f"{where}: an empty snippet in {key!r} (every page holds it, so it scores nothing); remove it"
        )
    return list(value)


def is_snippet_record(record: dict[str, Any]) -> bool:
    """A record that annotates its page with snippets rather than per-line gold."""
    return "with" in record or "without" in record


def load_snippet_dir(directory: Path) -> list[SnippetPage]:
    """Every page of every snippet-annotated ``meta.jsonl`` under ``directory``, in file order.

    A record's dump is ``<id>.txt`` beside its ``meta.jsonl``; a record without one is an error
    (a page silently left out would change the score), and so is a snippet list that is not a list
    of strings."""
    pages = []
    first: dict[tuple[Path, str], int] = {}
    for meta, number, record in iter_meta(directory):
        if not is_snippet_record(record):
            continue
        where = f"{meta}:{number}"
        name = str(record.get("id") or "")
        if not name:
            raise LabelFormatError(f"{where}: a record without an id")
        if (meta, name) in first:  # the second replaced the first in the scores, and the header counted both
            raise LabelFormatError(
                f"{where}: id {name!r} again (line {first[meta, name]}); give each page one record, "
                "its snippets in one with and one without list"
            )
        first[meta, name] = number
        dump = meta.parent / f"{name}.txt"
        if not dump.is_file():
            raise LabelFormatError(f"{where}: no dump {dump.name} for record {name!r}")
        lines = read_dump_lines(dump)
        document = LabelledDocument(
            name=name,
            lines=lines,
            labels=[None] * len(lines),
            site=str(record.get("site") or name),
            language=_language(record),
            kind=str(record.get("kind") or ""),
            path=dump,
        )
        pages.append(SnippetPage(document, _snippets(record, "with", where), _snippets(record, "without", where)))
    return pages


# The column names a reference table may use for precision, recall and F1.
_COLUMNS = {"p": ("p", "precision"), "r": ("r", "recall"), "f1": ("f1", "f-score", "f1-score", "f")}


def _cells(row: str) -> list[str]:
    return [cell.strip() for cell in row.strip().strip("|").split("|")]


def parse_reference_row(markdown: str, system: str) -> dict[str, Any] | None:
    """The first row of a markdown table with P, R and F1 columns whose first cell names
    ``system`` (case-insensitive), as ``{"system", "p", "r", "f1", "section"}``; None if no such row.

    The devset's README publishes figures this project cannot reproduce (trafilatura reads the
    original HTML, which the devset does not hold): the card quotes them by parsing the README at
    run time, never by copying numbers into code. ``section`` is the heading above the table."""
    section = ""
    table: list[list[str]] = []
    for raw in [*markdown.splitlines(), ""]:
        line = raw.strip()
        if line.startswith("|"):
            table.append(_cells(line))
            continue
        if table:
            found = _find_row(table, system)
            if found is not None:
                return {**found, "section": section}
            table = []
        if line.startswith("#"):
            section = line.lstrip("#").strip()
    return None


def _find_row(table: list[list[str]], system: str) -> dict[str, Any] | None:
    header = [cell.lower() for cell in table[0]]
    columns = {}
    for key, names in _COLUMNS.items():
        matches = [i for i, cell in enumerate(header) if cell in names]
        if not matches:
            return None
        columns[key] = matches[0]
    for row in table[1:]:
        if not row or system.lower() not in row[0].lower():
            continue
        try:
            values = {key: float(row[index]) for key, index in columns.items()}
        except (ValueError, IndexError):
            continue
        return {"system": row[0], **values}
    return None


def quote_reference(directory: Path, system: str = "trafilatura") -> dict[str, Any]:
    """``system``'s published P/R/F1 from ``directory/README.md``, with where it was read; or,
    when the README or the row is missing, ``{"source", "missing": why}`` for the report to say so."""
    path = directory / README
    if not path.is_file():
        return {"source": str(path), "missing": f"{path} not found: {system}'s figure is not quoted"}
    row = parse_reference_row(path.read_text(encoding="utf-8"), system)
    if row is None:
        return {"source": str(path), "missing": f"no table row naming {system} with P, R and F1 in {path}"}
    return {"source": str(path), **row}
