"""Saving a labelled page: ``labels/<name>.tsv`` and its row of ``labels/manifest.csv``, each
written whole or not at all (:func:`cleaner.atomic.write_atomic`).

Every name that reaches the disk goes through :func:`safe_name`: a label file is always
``labels/<name>.tsv`` with a name of letters, digits, ``.``, ``_`` and ``-`` that is not ``.`` or
``..``, whatever a URL, a file name or the page sent.

The label file is written first and the manifest second, each by a rename: a server killed between
the two renames leaves a label file without its row, which ``cleaner labels check`` names; nothing
is ever half-written. A write the disk refuses (full, made read-only) is a :class:`WriteError` that
names the label file or the manifest, and a refused manifest puts the label file back as it was.
The manifest keeps its columns (a ``kind`` column is added only when a page has a kind and the
manifest has none yet) and every other row as it was.
"""

from __future__ import annotations

import csv
import errno
import io
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from ...atomic import WriteProtected, replaced, write_atomic
from ...labels import BOILERPLATE, CONTENT, format_label_lines, parse_label_text
from ...text import is_blank
from ..labels import KINDS as MANIFEST_KINDS
from ..labels import LANGUAGE, MANIFEST_COLUMNS, SITE

MANIFEST = "manifest.csv"
NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,99}")
KINDS = ("", *MANIFEST_KINDS)


class UnsafeName(ValueError):
    """A page name that could not be a file directly inside labels/."""


def safe_name(name: str) -> str:
    """``name`` if it is a safe label-file name (see the module docstring), else UnsafeName."""
    if not isinstance(name, str) or not NAME.fullmatch(name) or name in (".", "..") or ".." in name:
        raise UnsafeName(
            f"{name!r} is not a page name: use 1-100 letters, digits, '.', '_' or '-', starting with a letter or "
            "digit, without '..'"
        )
    return name


class SaveError(ValueError):
    """A page that cannot be saved as sent; the message says what to change."""


class WriteError(Exception):
    """A page that could not be saved because the disk refused (a folder made read-only, a full
    disk): the message names the file the user knows, never the hidden temporary the error came
    from, and says what was left; ``full`` when it is the space that ran out."""

    def __init__(self, message: str, cause: OSError) -> None:
        super().__init__(message)
        self.full = cause.errno in (errno.ENOSPC, errno.EDQUOT)


def _refused(what: str, path: Path, exc: OSError, left: str = "") -> WriteError:
    """``cannot <what> <path>: <reason>`` (then ``; left``) as a :class:`WriteError`."""
    return WriteError(f"cannot {what} {path}: {exc.strerror or exc}" + (f"; {left}" if left else ""), exc)


@dataclass(frozen=True)
class Row:
    """A page's manifest row (origin is always ``user``: pages labelled here are the user's own)."""

    name: str
    site: str
    language: str
    source: str = ""
    kind: str = ""


def label_path(labels_dir: Path, name: str) -> Path:
    """``labels_dir/<name>.tsv``, checked to be a file directly inside ``labels_dir``."""
    try:
        safe = safe_name(name)
    except UnsafeName as exc:
        raise SaveError(str(exc)) from None
    path = labels_dir / f"{safe}.tsv"
    if path.resolve().parent != labels_dir.resolve() or path.is_symlink():
        raise SaveError(f"{name!r} would not be a file in {labels_dir}")
    return path


def check_row(row: Row) -> Row:
    """The row, or SaveError if a field would corrupt the manifest or mislead training."""
    site = row.site.strip().lower()
    if not site or len(site) > 253 or not re.fullmatch(SITE, site):
        raise SaveError(f"site {row.site!r}: give the site's domain, e.g. example.com (letters, digits, '.', '-')")
    language = row.language.strip().lower()
    if not re.fullmatch(LANGUAGE, language):
        raise SaveError(f"language {row.language!r}: give an ISO 639-1 code such as vi or en")
    if row.kind not in KINDS:
        raise SaveError(f"kind {row.kind!r}: one of {', '.join(k for k in KINDS if k)}, or none")
    if any(c in row.source for c in "\r\n\0"):
        raise SaveError("source: one line, please")
    return Row(row.name, site, language, row.source, row.kind)


def label_text(lines: Sequence[str], tags: Sequence[object]) -> str:
    """The label file's text for ``lines`` tagged ``tags`` ("C", "B", or None for a blank line)."""
    if len(tags) != len(lines):
        raise SaveError(f"{len(tags)} labels for {len(lines)} lines; reload the page")
    labels: list[str | None] = []
    for number, (line, tag) in enumerate(zip(lines, tags), 1):
        if is_blank(line):
            labels.append(None)
        elif tag in ("C", "B"):
            labels.append(CONTENT if tag == "C" else BOILERPLATE)
        else:
            raise SaveError(f"line {number}: label {tag!r}; every non-blank line needs C or B")
    if CONTENT not in labels:
        raise SaveError("no content line: is the whole page boilerplate? label its main text C")
    text = format_label_lines(lines, labels)
    parsed_lines, parsed_labels = parse_label_text(text)  # the format reads back what was meant
    if parsed_labels != labels or len(parsed_lines) != len(lines):
        raise SaveError("the page's lines do not survive the label format (a line with a line break?)")
    return text


def read_rows(manifest: Path) -> tuple[list[str], list[dict[str, str]]]:
    """The manifest's columns and rows as they are (the header alone when the file is new)."""
    if not manifest.is_file():
        return list(MANIFEST_COLUMNS), []
    with manifest.open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.DictReader(handle)
        rows = [{k: v or "" for k, v in row.items() if k is not None} for row in reader]
        return list(reader.fieldnames or MANIFEST_COLUMNS), rows


def manifest_text(columns: list[str], rows: list[dict[str, str]]) -> str:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=columns, lineterminator="\n", extrasaction="ignore")
    writer.writeheader()
    writer.writerows(rows)
    return buffer.getvalue()


def text_key(lines: Sequence[str]) -> tuple[str, ...]:
    """A dump's lines as its label file holds them (a blank line as an empty one): the same page
    has the same key whether it is read from its dump or from its label file."""
    return tuple("" if is_blank(line) else line for line in lines)


def held_text(path: Path) -> tuple[str, ...] | None:
    """The text (:func:`text_key`) of the label file ``path``, or None if it cannot be read."""
    try:
        return text_key(parse_label_text(path.read_text(encoding="utf-8"), str(path))[0])
    except (OSError, UnicodeDecodeError, ValueError):
        return None


def saved_pages(labels_dir: Path) -> dict[tuple[str, ...], tuple[str, list[str | None]]]:
    """The label files of ``labels_dir`` by their text (:func:`text_key`): each one's name and
    labels. A file that does not parse is left out (``cleaner labels check`` names it)."""
    found: dict[tuple[str, ...], tuple[str, list[str | None]]] = {}
    for path in sorted(labels_dir.glob("*.tsv")):
        try:
            lines, labels = parse_label_text(path.read_text(encoding="utf-8"), str(path))
        except (OSError, UnicodeDecodeError, ValueError):
            continue
        found.setdefault(text_key(lines), (path.stem, labels))
    return found


def _check_not_protected(labels_dir: Path, files: Sequence[Path]) -> None:
    """SaveError, before anything is written, if one of the files a save replaces is one the user
    may not write: the save refuses it, as ``>`` does (see cleaner.atomic.replaced). Found at the
    manifest, after the label file was written, it would leave that file without its row."""
    for file in files:
        try:
            replaced(file)
        except WriteProtected:
            raise SaveError(
                f"{file.name} in {labels_dir} is write-protected: nothing was saved; make it writable, then save again"
            ) from None
        except OSError:
            pass  # the write says it


def save_page(labels_dir: Path, row: Row, lines: Sequence[str], tags: Sequence[object], replaces: str | None) -> Path:
    """Write ``labels_dir/<row.name>.tsv`` and its manifest row; returns the label file's path.

    ``replaces`` is the name this page was saved under before (None for a first save): its file
    and row are replaced, or renamed away when the name changed, but only while that file holds
    this page's text (else SaveError, and nothing is written or deleted). Any other existing name
    is refused, so a page can never overwrite or delete another page's labels; and so is a page
    whose text another label file holds already (the same dump read twice): trained on twice, it
    would weigh double, and leave-one-page-out would score it with its twin in training.
    """
    row = check_row(row)
    path = label_path(labels_dir, row.name)
    text = label_text(lines, tags)
    if replaces:
        previous = label_path(labels_dir, replaces)
        if previous.exists() and held_text(previous) != text_key(lines):
            raise SaveError(
                f"{previous.name} in {labels_dir} holds another page's text now: it is left as it is; reload the page"
            )
    manifest = labels_dir / MANIFEST
    try:
        columns, rows = read_rows(manifest)
    except OSError as exc:
        raise _refused("read", manifest, exc, "nothing was saved") from exc
    names = {existing.get("name", "") for existing in rows}
    if row.name != replaces and (path.exists() or row.name in names):
        raise SaveError(f"{path.name} already exists in {labels_dir}; choose another name for this page")
    twin = saved_pages(labels_dir).get(text_key(lines)) if labels_dir.is_dir() else None
    if twin is not None and twin[0] not in (row.name, replaces):
        raise SaveError(f"this page's text is saved already, as {twin[0]}.tsv in {labels_dir}; edit that one")
    _check_not_protected(labels_dir, (path, manifest))
    if row.kind and "kind" not in columns:
        columns.append("kind")
    new = {"name": row.name, "site": row.site, "language": row.language, "origin": "user", "source": row.source}
    new["kind"] = row.kind
    kept = [existing for existing in rows if existing.get("name") not in (row.name, replaces)]
    position = next((i for i, existing in enumerate(rows) if existing.get("name") in (row.name, replaces)), None)
    kept.insert(len(kept) if position is None else position, new)
    _write_both(labels_dir, path, text, manifest, manifest_text(columns, kept))
    if replaces and replaces != row.name:
        old = label_path(labels_dir, replaces)
        old.unlink(missing_ok=True)
    return path


def _write_both(labels_dir: Path, path: Path, text: str, manifest: Path, rows: str) -> None:
    """Write the label file, then the manifest; a :class:`WriteError` if the disk refuses either.
    When the manifest cannot be written, the label file is put back as it was (removed if it is
    new), so that a refused save leaves the folder as it found it, and saving again (once there is
    room) is a first save, not one refused for a name already taken."""
    try:
        before = path.read_bytes() if path.exists() else None
        labels_dir.mkdir(parents=True, exist_ok=True)
        write_atomic(path, text.encode("utf-8"))
    except OSError as exc:
        raise _refused("write", path, exc, "nothing was saved") from exc
    try:
        write_atomic(manifest, rows.encode("utf-8"))
    except OSError as exc:
        try:
            if before is None:
                path.unlink()
            else:
                write_atomic(path, before)
        except OSError:  # the new labels stay: said, with what the manifest holds of them
            row = "no manifest row (cleaner labels check names it)" if before is None else "its old manifest row"
            left = f"{path} holds the new labels, with {row}"
        else:
            left = "nothing was saved"
        raise _refused("write", manifest, exc, left) from exc
