"""The input kinds ``cleaner predict`` reads, one module each, and the table that names them.

Each kind's module (:mod:`.text`, :mod:`.jsonl`, :mod:`.warc`) holds its :class:`~.common.Reader`:
the file suffixes it claims, how it streams a file into raw documents (in the main process: reading
and decompressing only, one document at a time, never more than one in memory) and how it parses
one raw document into text, lines, output record and id (in the workers, where it runs in parallel).
Everything else (``--input-format``'s choices, which files a directory gives, the output names)
is derived from :data:`READERS`: adding an input format is one new module and one entry here.
"""

from __future__ import annotations

from collections.abc import Iterator

from ..items import InputFile, Item, Raw
from . import jsonl, text, warc
from .common import BadDocument, Parsed, ParseOptions, Reader

# Kind name -> reader. The first is the default: stdin, and named files of no known suffix.
READERS: dict[str, Reader] = {
    text.KIND: text.READER,
    jsonl.KIND: jsonl.READER,
    warc.KIND: warc.READER,
}
DEFAULT_KIND = text.KIND

__all__ = ["DEFAULT_KIND", "READERS", "BadDocument", "ParseOptions", "Parsed", "Reader", "parse", "read_input"]


def read_input(source: InputFile, limit: int) -> Iterator[Item]:
    """The documents of one input, in order; errors are yielded, never raised."""
    return READERS[source.kind].read(source, limit)


def parse(raw: Raw, options: ParseOptions) -> Parsed:
    """One raw document, parsed by the reader of its kind; raises :class:`BadDocument`."""
    return READERS[raw.kind].parse(raw, options)
