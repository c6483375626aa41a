"""The two labels of a dump line and the label-line format, defined once for the whole package.

A line is ``content`` (the page's main text) or ``boilerplate`` (everything around it); a blank
line has no label. The label-line format (``C<TAB>text``, ``B<TAB>text``, an empty line for a blank
one) is what ``cleaner predict --format labels`` writes and what ``labels/*.tsv`` hold, so both
directions live here: prediction writes it without importing the training package, and training
reads it with the same rules.
"""

from __future__ import annotations

from collections.abc import Sequence

from .text import is_blank, split_lines

CONTENT = "content"
BOILERPLATE = "boilerplate"
TAGS = {"C": CONTENT, "B": BOILERPLATE}
TAG_OF = {CONTENT: "C", BOILERPLATE: "B"}


class LabelFormatError(ValueError):
    """A label file or manifest that does not follow the format; the message starts with path:line,
    or with path: for a problem of the whole file."""


def parse_label_text(text: str, path: str = "<labels>") -> tuple[list[str], list[str | None]]:
    """Parse the text of a label file into dump lines and labels (None for a blank line)."""
    lines: list[str] = []
    labels: list[str | None] = []
    for number, raw in enumerate(split_lines(text), 1):
        # An empty line stands for a blank dump line, and so does a line of spaces an editor left:
        # it has no tag to read ("no tab after the tag" said of it misled).
        if is_blank(raw):
            lines.append("")
            labels.append(None)
            continue
        tag, tab, line = raw.partition("\t")
        if not tab:
            raise LabelFormatError(
                f"{path}:{number}: no tab after the tag; expected 'C<TAB>text', 'B<TAB>text' or an empty line"
            )
        if tag not in TAGS:
            raise LabelFormatError(f"{path}:{number}: unknown tag {tag!r}; use C (content) or B (boilerplate)")
        if is_blank(line):
            raise LabelFormatError(
                f"{path}:{number}: tag {tag} on a blank line; blank dump lines are written as empty lines"
            )
        lines.append(line)
        labels.append(TAGS[tag])
    return lines, labels


def format_label_lines(lines: Sequence[str], labels: Sequence[str | None]) -> str:
    """The inverse of :func:`parse_label_text`: the text of a label file."""
    out = []
    for line, label in zip(lines, labels):
        out.append("" if label is None or is_blank(line) else f"{TAG_OF[label]}\t{line}")
    return "".join(row + "\n" for row in out)
