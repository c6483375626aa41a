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


MAX_PROBLEMS = 10  # per file: a dump saved without its tags is wrong on every line, said once per line


class LabelFormatError(ValueError):
    """A label file or manifest that does not follow the format. ``problems``: each problem found,
    one line each, starting with path:line (or path: for a problem of the whole file); the message
    is those lines. All of a file's problems are said at once (up to :data:`MAX_PROBLEMS`), so that
    fixing a file takes one round, not one per bad line."""

    def __init__(self, *problems: str) -> None:
        super().__init__("\n".join(problems))
        self.problems = list(problems)


def parse_label_text(text: str, path: str = "<labels>") -> tuple[list[str], list[str | None]]:
    """Parse the text of a label file into dump lines and labels (None for a blank line); raise
    :class:`LabelFormatError` naming every malformed line."""
    lines: list[str] = []
    labels: list[str | None] = []
    problems: list[str] = []
    for number, raw in enumerate(split_lines(text), 1):
        # An empty line stands for a blank dump line, and so does a line of spaces an editor left:
        # it has no tag to read ("no tab after the tag" said of it misled).
        if is_blank(raw):
            lines.append("")
            labels.append(None)
            continue
        tag, tab, line = raw.partition("\t")
        if not tab:
            problems.append(
                f"{path}:{number}: no tab after the tag; expected 'C<TAB>text', 'B<TAB>text' or an empty line"
            )
        elif tag not in TAGS:
            problems.append(f"{path}:{number}: unknown tag {tag!r}; use C (content) or B (boilerplate)")
        elif is_blank(line):
            problems.append(f"{path}:{number}: tag {tag} on a blank line; blank dump lines are written as empty lines")
        else:
            lines.append(line)
            labels.append(TAGS[tag])
    if problems:
        raise LabelFormatError(*capped(problems, path))
    return lines, labels


def capped(problems: list[str], path: object) -> list[str]:
    """At most :data:`MAX_PROBLEMS` of ``problems``, then one line saying how many more there are."""
    if len(problems) <= MAX_PROBLEMS:
        return problems
    rest = len(problems) - MAX_PROBLEMS
    return [*problems[:MAX_PROBLEMS], f"{path}: and {rest} more problem{'s' if rest > 1 else ''} like these"]


def format_label_lines(lines: Sequence[str], labels: Sequence[str | None]) -> str:
    """The inverse of :func:`parse_label_text`: the text of a label file."""
    out = []
    for line, label in zip(lines, labels):
        out.append("" if label is None or is_blank(line) else f"{TAG_OF[label]}\t{line}")
    return "".join(row + "\n" for row in out)
