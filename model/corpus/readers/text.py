"""Plain-text dumps: a file (or stdin) is one document, checked against the size limit before it is read."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

from ...text import split_lines
from ..items import STDIN, InputError, InputFile, Item, Raw
from .common import Parsed, ParseOptions, Reader, cannot_read, decode_document, too_big

KIND = "text"


def read(source: InputFile, limit: int) -> Iterator[Item]:
    """The dump as one Raw, or one InputError (unreadable, or over ``limit`` bytes)."""
    try:
        if source.name == STDIN:
            data = sys.stdin.buffer.read(limit + 1)
        else:
            if source.size is not None and source.size > limit:
                yield InputError(source.name, too_big(source.size, limit), source.size)
                return
            data = Path(source.name).read_bytes()
    except OSError as exc:
        yield cannot_read(source.name, exc)
        return
    if len(data) > limit:
        yield InputError(source.name, too_big(len(data), limit), len(data))
        return
    yield Raw(KIND, source.name, data, ident=source.name, relative=source.relative, consumed=len(data))


def parse(raw: Raw, options: ParseOptions) -> Parsed:
    """The decoded dump; undecodable bytes are reported with their line (``path:LINE``)."""
    text = decode_document(raw, options, line_numbers=True)
    return Parsed(raw, text, split_lines(text), {options.id_name: raw.ident}, raw.ident)


READER = Reader(KIND, (".txt",), records=False, read=read, parse=parse)
