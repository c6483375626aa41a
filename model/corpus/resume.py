"""Which documents an earlier, interrupted run already wrote to a JSONL output (``--resume``).

The ids of the written records are kept as a sorted array of 64-bit hashes, 8 bytes per record, so
resuming a run of ten million records needs 80 MB, not the gigabytes a set of strings would. Two
different ids share a hash with a probability of about n²/2⁶⁵ (3·10⁻⁶ for ten million records).
"""

from __future__ import annotations

import hashlib
import json
import os
from array import array
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import numpy as np


def id_text(value: object) -> str | None:
    """The id as text: strings as they are, numbers and the like as JSON; None when there is none."""
    if value is None:
        return None
    return value if isinstance(value, str) else json.dumps(value, sort_keys=True, ensure_ascii=False)


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


def read_done_ids(path: Path, field: str) -> DoneIds:
    """The ids (``field`` of each record) in a JSONL output written by an earlier run."""
    import numpy as np

    hashes = array("Q")
    with path.open("rb") as handle:
        for line in handle:
            try:
                record = json.loads(line)
            except ValueError:
                continue
            ident = id_text(record.get(field)) if isinstance(record, dict) else None
            if ident is not None:
                hashes.append(id_hash(ident))
    return DoneIds(np.frombuffer(hashes, dtype=np.uint64) if len(hashes) else np.zeros(0, np.uint64))


def prepare_partial(target: Path, partial: Path) -> None:
    """Continue from ``partial`` (an interrupted run) or from ``target`` (a finished one)."""
    if not partial.exists() and target.exists():
        os.replace(target, partial)
    if partial.exists():
        truncate_to_last_line(partial)
