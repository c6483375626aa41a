"""``cleaner labels check``: validate label files and their manifest before they train a model."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from pathlib import Path

from ..labels import LabelFormatError
from ..text import columns, decode, is_blank, listed, padded, plural, split_lines
from .labels import (
    LabelledDocument,
    iter_label_counts,
    manifest_rows,
    missing_directory,
    page_problems,
    read_label_file,
    read_manifest_bytes,
    row_without_file,
)


def _source_mismatch(path: Path, lines: list[str], source: Path) -> str | None:
    """Where the labelled text at ``path`` differs from the dump it was labelled from (blank lines
    compare as blank, since the label format writes whitespace-only lines as empty lines): the
    first line that differs, or the whole file when the line counts differ."""
    original = split_lines(decode(source.read_bytes()))
    if len(original) != len(lines):
        return f"{path}: {len(lines)} lines but its source {source} has {len(original)}"
    for number, (ours, theirs) in enumerate(zip(lines, original), 1):
        if ours != theirs and not (is_blank(ours) and is_blank(theirs)):
            return (
                f"{path}:{number}: differs from its source {source}:{number} "
                f"(here {_shown(ours)}, there {_shown(theirs)})"
            )
    return None


def _shown(line: str, width: int = 60) -> str:
    """A line as a message quotes it: repr, so that a tab or a trailing space shows, cut to ``width``."""
    quoted = repr(line)
    return quoted if len(quoted) <= width else quoted[: width - 4] + "...'"


def check_labels(
    directory: Path,
    echo: Callable[[str], None] = print,
    shipped: bool = False,
    note: Callable[[str], None] | None = None,
) -> list[str]:
    """Print per-file counts and return every problem found, each as ``path:line: message``, or
    ``path: message`` for a problem of the whole file (an empty file, a missing manifest row): a
    line number 0 named a line that is not there.

    A label file whose source dump (the manifest's ``source``) is not here is not compared with it,
    and one note says so for all of them; for the ``shipped`` pages (those the shipped model learnt
    from), whose sources are not shipped, nothing is said: from a wheel, five lines of "source
    ../shared/seeds/... not found here" named files the user never had. A source is looked for
    relative to the folder's parent (the repository root for labels/), and the note says where.
    ``note``: where notes go (``echo`` if not given; the command sends them to stderr, so that
    ``labels check > counts.txt`` holds the counts alone).

    A folder whose manifest lists no page is a problem: it passed, "0 files", and train then failed."""
    missing = missing_directory(directory)
    if missing is not None:
        return [missing]
    manifest_path = directory / "manifest.csv"
    try:
        rows, problems, names = manifest_rows(manifest_path, read_manifest_bytes(manifest_path))
    except (OSError, LabelFormatError) as exc:
        return [str(exc) if isinstance(exc, LabelFormatError) else f"{manifest_path}: {exc}"]
    files = {p.stem: p for p in directory.glob("*.tsv")}
    problems += [f"{files[name]}: no row in {manifest_path.name}" for name in sorted(set(files) - names)]
    documents = {}
    pages: list[tuple[Path, list[str], list[str | None]]] = []
    unseen: list[str] = []  # "page.tsv: ../dumps/page.txt", of the sources not found here
    for row in rows:
        name = row["name"]
        path = directory / f"{name}.tsv"
        if name not in files:
            problems.append(row_without_file(manifest_path, row))
            continue
        try:
            lines, labels = read_label_file(path)
        except LabelFormatError as exc:
            problems += exc.problems
            continue
        pages.append((path, lines, labels))
        source = row.get("source", "")
        if source:
            source_path = (directory.parent / source).resolve()
            if source_path.is_file():
                mismatch = _source_mismatch(path, lines, source_path)
                if mismatch:
                    problems.append(mismatch)
            elif not shipped:
                unseen.append(f"{path.name}: {source}")
        documents[name] = (row, lines, labels)
    problems += page_problems(pages)
    say = note or echo
    base = directory.parent.resolve()
    if len(unseen) == 1:
        say(
            f"note: {unseen[0].replace(': ', ': source ', 1)} not found (looked relative to {base}, the labels "
            "folder's parent); text not compared"
        )
    elif unseen:
        say(
            f"note: the sources of {len(unseen)} label files are not found ({listed(unseen)}; looked relative to "
            f"{base}, the labels folder's parent); text not compared"
        )
    if not rows and not files and not problems:
        problems.append(
            f"{manifest_path}: lists no label file; label pages into {directory} (cleaner label, or cleaner "
            "predict DUMP --format labels and a manifest row each)"
        )
    # Columns as wide as their longest entry: a long page name pushed its row's counts out of line.
    name_width = max([34, *(columns(name) for name in documents)])
    site_width = max([32, *(columns(row["site"]) for row, _, _ in documents.values())])
    echo(f"{'file':<{name_width}} {'site':<{site_width}} {'lang':<4} {'origin':<8} {'C':>5} {'B':>5} {'blank':>5}")
    for name, content, boilerplate, blank in iter_label_counts(
        LabelledDocument(name, lines, labels) for name, (_, lines, labels) in documents.items()
    ):
        row = documents[name][0]
        site, language, origin = row["site"], row["language"], row["origin"]
        counts = f"{content:>5} {boilerplate:>5} {blank:>5}"
        echo(f"{padded(name, name_width)} {padded(site, site_width)} {language:<4} {origin:<8} {counts}")
    languages = Counter(documents[name][0]["language"] for name in documents)
    sites = {documents[name][0]["site"] for name in documents}
    echo(
        f"{plural(len(documents), 'file')}, {plural(len(sites), 'site')}, languages: "
        + ", ".join(f"{lang} {n}" for lang, n in sorted(languages.items()))
    )
    nested = nested_label_files(directory)
    if nested:
        echo(
            f"note: {plural(len(nested), 'label file')} in subfolders not read ({listed([str(p) for p in nested])}): "
            f"train, evaluate and this check read {directory}/*.tsv only; move them into {directory} (with their "
            "manifest rows), or give their folder a manifest.csv and check it on its own"
        )
    return problems


def nested_label_files(directory: Path) -> list[Path]:
    """The ``.tsv`` files in subfolders of ``directory`` that no folder of their own claims (a
    folder with its manifest.csv, as labels/every-kind is, is a labels directory of its own),
    relative to ``directory``. Nothing reads them: ``cleaner predict DUMPS/ --format labels -o DIR/``
    mirrors the dumps' subfolders, and the check passed without a word on the files it never read."""
    found = []
    for path in sorted(directory.rglob("*.tsv")):
        folder = path.parent
        while folder != directory and not (folder / "manifest.csv").is_file():
            folder = folder.parent
        if folder == directory and path.parent != directory:
            found.append(path.relative_to(directory))
    return found
