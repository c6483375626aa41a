"""Which documents an earlier, interrupted run already wrote to a JSONL output (``--resume``).

The ids of the written records are kept as a sorted array of 64-bit hashes, 8 bytes per record, so
resuming a run of ten million records needs 80 MB, not the gigabytes a set of strings would. Two
different ids share a hash with a probability of about n²/2⁶⁵ (3·10⁻⁶ for ten million records).

Ids are compared as JSON values (:func:`id_key`): 1 and "1" are two ids. Skipping by id is right
only if every input document has an id of its own and the ``.partial`` file was written from these
inputs, so before a run with --resume writes (a first run too, unless it reads standard input),
:func:`check_inputs` reads the inputs' ids and refuses
(:class:`ResumeError`) a repeated or missing id, and records whose ids no input has (another working
directory gives text files other ids: their paths as given): skipping would then lose documents,
or clean them twice.
"""

from __future__ import annotations

import hashlib
import os
from array import array
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from ..text import one_line
from .jsontext import dumps, loads

if TYPE_CHECKING:
    import numpy as np

    from .items import InputError, InputFile
    from .readers import ParseOptions


def id_text(value: object) -> str | None:
    """The id as text, to name a document: strings as they are, numbers and the like as JSON (a
    number as its input spelled it); None when there is none. Not for comparing ids (1 and "1" give
    one text): see :func:`id_key`."""
    if value is None:
        return None
    return value if isinstance(value, str) else dumps(value, sort_keys=True)


def id_key(value: object) -> str | None:
    """The id as --resume compares it: its JSON, keys sorted, so that 1 and "1" are not taken for one
    id (which would skip a document never written); None when there is none. A number is its text
    as read (:class:`~cleaner.corpus.jsontext.Number`), in the input and in the output alike, since
    the output writes it back unchanged: ``1.0`` and ``1.00`` are two ids, and
    ``0.10000000000000000001`` is not ``0.1``, as it was when both were read as one float."""
    if value is None:
        return None
    return dumps(value, sort_keys=True)


def id_hash(ident: str) -> int:
    digest = hashlib.blake2b(ident.encode("utf-8", "surrogatepass"), digest_size=8).digest()
    return int.from_bytes(digest, "little")


class DoneIds:
    """Membership test for ids already written, as a sorted ``uint64`` array (picklable, compact).

    numpy is imported only here and in :func:`read_done_ids`: the main process of every run imports
    this module, and numpy is 0.1 s of start-up that a run on a fork server's pool never needs there.
    """

    def __init__(self, hashes: np.ndarray) -> None:
        import numpy as np

        self.hashes = np.unique(hashes.astype(np.uint64))

    @classmethod
    def none(cls) -> DoneIds:
        """No id done: what a first run with --resume starts from."""
        return cls(_array(array("Q")))

    def __len__(self) -> int:
        return len(self.hashes)

    def __contains__(self, ident: str) -> bool:
        value = self.hashes.dtype.type(id_hash(ident))
        at = int(self.hashes.searchsorted(value))
        return at < len(self.hashes) and self.hashes[at] == value


def truncate_to_last_line(path: Path) -> None:
    """Drop a last line cut short when a run was killed mid-write, so every line is a whole record."""
    size = path.stat().st_size
    if size == 0:
        return
    with path.open("rb+") as handle:
        end = size
        while end > 0:
            start = max(0, end - (1 << 16))
            handle.seek(start)
            block = handle.read(end - start)
            newline = block.rfind(b"\n")
            if newline >= 0:
                handle.truncate(start + newline + 1)
                return
            end = start
        handle.truncate(0)


def written_ids(path: Path, field: str) -> Iterator[str]:
    """The :func:`id_key` of each record of a JSONL output written by an earlier run that has one
    (a line cut by a kill, or a record without ``field``, has none). Read as the input is read
    (numbers as their text), so that an id compares equal to that of the input it was written from."""
    with path.open("rb") as handle:
        for line in handle:
            try:
                record = loads(line.decode("utf-8"))
            except ValueError:  # a JSON error, or bytes that are no UTF-8 (the output is UTF-8)
                continue
            key = id_key(record.get(field)) if isinstance(record, dict) else None
            if key is not None:
                yield key


def read_done_ids(path: Path, field: str) -> DoneIds:
    """The ids (``field`` of each record) in a JSONL output written by an earlier run."""
    return DoneIds(_array(array("Q", map(id_hash, written_ids(path, field)))))


def _array(hashes: array[int]) -> np.ndarray:
    import numpy as np

    return np.frombuffer(hashes, dtype=np.uint64) if len(hashes) else np.zeros(0, np.uint64)


class ResumeError(Exception):
    """--resume cannot continue this output without losing documents or writing some twice; the
    message says which document or record shows it, and what to do."""


RERUN = "or rerun without --resume to clean every document again"


def check_inputs(
    inputs: Sequence[InputFile | InputError],
    options: ParseOptions,
    limit: int,
    done: DoneIds,
    partial: Path,
    shown: Path | None = None,
) -> None:
    """Raise :class:`ResumeError` unless skipping the ``done`` ids (read from ``partial``) loses
    nothing and repeats nothing: every input document has an id of its own, and each record of
    ``partial`` has the id of an input document. Messages name ``shown`` (default ``partial``): a
    finished output that ``--resume`` renamed to ``.partial`` is named by the name the user gave it,
    while its records are read where they are now.

    This reads every input of records (JSONL, WARC) once more before the run: a repeated id is found
    before anything is written. A text file's id is its path as given, so it costs no reading.
    """
    import numpy as np

    from .items import STDIN, InputFile
    from .readers import READERS

    field = options.id_name
    read, partial = partial, shown or partial
    streamed = [i.name for i in inputs if isinstance(i, InputFile) and i.stream and READERS[i.kind].records]
    if streamed:
        what = "standard input" if streamed[0] == STDIN else f"the pipe {streamed[0]}"
        raise ResumeError(
            f"--resume cannot continue {partial} from {what}: the ids of the documents must be checked "
            f"before any is written, and {what} can be read only once; save it to a file and name that file "
            f"instead, {RERUN}"
        )
    hashes: array[int] = array("Q")
    example: str | None = None
    for where, key in _input_ids(inputs, options, limit):
        if key is None:
            raise ResumeError(
                f"{where}: no {field!r} field (or null); --resume skips the documents whose id is already in "
                f"{partial}, so every document needs an id of its own: give each one (--id-field NAME names the "
                f"field that holds it), {RERUN}"
            )
        hashes.append(id_hash(key))
        example = example or key
    ordered = np.sort(_array(hashes))
    repeated = ordered[1:][ordered[1:] == ordered[:-1]]
    if len(repeated):
        _find_repeat(inputs, options, limit, set(repeated.tolist()), partial)
    at = np.minimum(ordered.searchsorted(done.hashes), max(len(ordered) - 1, 0))
    foreign = ordered[at] != done.hashes if len(ordered) else np.ones(len(done), bool)
    if foreign.any():
        stray = _first_stray(read, field, ordered)
        like = f"the inputs' ids are like {example}" if example is not None else "the inputs have no ids"
        raise ResumeError(
            f"{int(foreign.sum())} of the {len(done)} ids in {partial} are no input document's (such as {stray}; "
            f"{like}): it was written from other inputs, or from another directory (a text file's id is its path "
            "as given), and --resume would write those documents twice or keep records of other inputs; run the "
            f"command from the same directory with the same arguments as the run that wrote it, {RERUN}"
        )


def _input_ids(
    inputs: Sequence[InputFile | InputError], options: ParseOptions, limit: int
) -> Iterator[tuple[str, str | None]]:
    """Where each input document is (``path`` or ``path:LINE``) and its :func:`id_key`, in input
    order, as the workers will see them; documents and inputs that cannot be read are left out (the
    run reports them and writes nothing of them)."""
    from .items import InputFile, Raw, file_id
    from .readers import READERS, BadDocument, parse, read_input

    for source in inputs:
        if not isinstance(source, InputFile):
            continue
        if not READERS[source.kind].records:
            yield source.name, id_key(file_id(source.name))  # what the text reader gives it, unread
            continue
        for item in read_input(source, limit):
            if not isinstance(item, Raw):
                continue
            try:
                doc = parse(item, options)
            except BadDocument:
                continue
            yield item.where, id_key(doc.record.get(options.id_name))


def _find_repeat(
    inputs: Sequence[InputFile | InputError], options: ParseOptions, limit: int, repeated: set[int], partial: Path
) -> None:
    """Raise :class:`ResumeError` at the first document whose id an earlier one has (of those
    whose hash repeats: another id with the same hash is no repeat)."""
    first: dict[str, str] = {}
    for where, key in _input_ids(inputs, options, limit):
        if key is None or id_hash(key) not in repeated:
            continue
        if key in first:
            # Named as every message names a file (a byte that is not UTF-8 as \xNN, not a raw surrogate);
            # --id-field is for records: a text file's id is its path.
            field = " (--id-field NAME names another field)" if _is_record(where, inputs) else ""
            raise ResumeError(
                f"{one_line(where)}: id {key} repeats that of {one_line(first[key])}; --resume skips the documents "
                f"whose id is already in {partial}, so a repeated id would lose documents: give every document an "
                f"id of its own{field}, {RERUN}"
            )
        first[key] = where


def _is_record(where: str, inputs: Sequence[InputFile | InputError]) -> bool:
    """Whether ``where`` names a record (``path:LINE``), not a text file (``path``), of ``inputs``."""
    from .items import InputFile
    from .readers import READERS

    return not any(
        isinstance(source, InputFile) and source.name == where and not READERS[source.kind].records for source in inputs
    )


def _first_stray(partial: Path, field: str, ordered: np.ndarray) -> str:
    """The first id in ``partial`` whose hash is not among ``ordered`` (sorted), for a message."""
    for key in written_ids(partial, field):
        value = ordered.dtype.type(id_hash(key))
        at = int(ordered.searchsorted(value))
        if at >= len(ordered) or ordered[at] != value:
            return key
    return "?"


def prepare_partial(target: Path, partial: Path) -> None:
    """Continue from ``partial`` (an interrupted run) or from ``target`` (a finished one)."""
    if not partial.exists() and target.exists():
        os.replace(target, partial)
    if partial.exists():
        truncate_to_last_line(partial)
