"""JSON as ``cleaner predict`` reads and writes records: every number kept as its text.

A data-cleaning tool must not alter what it was not asked to touch. Python's ``json`` reads a number
as a 64-bit float: ``1e400`` became ``Infinity`` (no JSON: jq, orjson and Spark refuse the line),
``0.12345678901234567890123`` lost its last digits and ``1.0e2`` came back as ``100.0``. Here each
number is a :class:`Number` holding its source text, which simplejson's encoder writes back as it
is (its :class:`~simplejson.RawJSON`), ints too (``-0``, and ints of more than 4300 digits, which
``int()`` refuses). The scanning and escaping stay simplejson's, C-accelerated, as the stdlib's.

NaN, Infinity and -Infinity are not JSON, though Python's ``json`` reads and writes them: a record
that holds one is refused (:class:`NotJsonNumber`), as any line that is not JSON is, naming where it
is and what to write instead. Passing it through would keep a line that strict readers refuse in an
output that is otherwise valid JSON throughout; the user fixes the input once, knowingly.
"""

from __future__ import annotations

import simplejson
from simplejson import JSONDecodeError as DecodeError

NON_STANDARD = ("NaN", "Infinity", "-Infinity")  # what Python's json accepts as numbers; JSON has none


class Number(simplejson.RawJSON):
    """A JSON number as its source text (``encoded_json``), written back unchanged. Numbers compare
    by their text: ``1.0`` and ``1.00`` are two, as their records are two texts (see
    :func:`cleaner.corpus.resume.id_key`)."""

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Number) and self.encoded_json == other.encoded_json

    def __hash__(self) -> int:
        return hash(self.encoded_json)

    def __repr__(self) -> str:
        return f"Number({self.encoded_json!r})"


class NotJsonNumber(DecodeError):
    """A NaN, Infinity or -Infinity literal where a JSON value was expected: ``msg`` is the literal,
    ``pos`` and ``colno`` where it is. (simplejson's own error says "Expecting value" there.)"""


# Raw control characters (tabs, even NULs) inside JSON strings are common in scraped data: accept them.
_DECODER = simplejson.JSONDecoder(strict=False, parse_float=Number, parse_int=Number, allow_nan=False)
# NaN and the infinities read as Python reads them: only to tell what a line is (a JSON object? cut
# short?), never for a record that is written.
_LENIENT = simplejson.JSONDecoder(strict=False, parse_float=Number, parse_int=Number, allow_nan=True)
# Output: UTF-8 as it is (a lone surrogate, from a \ud800 escape in the input, is escaped on encoding).
_ENCODER = simplejson.JSONEncoder(ensure_ascii=False, allow_nan=False)
_SORTED_ENCODER = simplejson.JSONEncoder(ensure_ascii=False, allow_nan=False, sort_keys=True)


def loads(text: str) -> object:
    """The JSON value of ``text``, numbers as :class:`Number`; raises :class:`DecodeError`, and
    :class:`NotJsonNumber` (one) for NaN, Infinity or -Infinity."""
    try:
        return _DECODER.decode(text)
    except DecodeError as exc:
        literal = next((name for name in NON_STANDARD if text.startswith(name, exc.pos)), None)
        if literal is None:
            raise
        raise NotJsonNumber(literal, text, exc.pos) from exc


def loads_lenient(text: str) -> object:
    """As :func:`loads`, with NaN and the infinities read as Python's json reads them."""
    return _LENIENT.decode(text)


def dumps(value: object, sort_keys: bool = False) -> str:
    """``value`` as JSON text, non-ASCII as it is (lone surrogates too: the caller escapes them as
    it encodes, see :func:`cleaner.corpus.renderers.dump_json`); a :class:`Number` as its text.
    Raises ValueError for a float NaN or infinity: cleaner writes none of its own, and reads none
    (:class:`NotJsonNumber`)."""
    return (_SORTED_ENCODER if sort_keys else _ENCODER).encode(value)
