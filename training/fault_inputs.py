"""Fault injection, inputs: corpora in every format, cut at any byte, piped, or out of reach.

Each scenario returns an :class:`Outcome`: how many faults it tried, and how many records were
lost without a word, processes or temporary files left behind, or promises otherwise broken
(``wrong``, with a note saying which). ``make faults`` prints them as a table
(:mod:`cleaner.training.faults`); tests/test_faults.py runs the same scenarios, smaller.
"""

from __future__ import annotations

import gzip
import json
import os
import random
import subprocess
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import zstandard

from ..corpus.items import InputDone, InputError, InputFile, Raw
from ..corpus.readers import read_input

LIMIT = 10_000_000


@dataclass
class Outcome:
    """What one kind of fault cost, over all the times it was tried."""

    fault: str
    tried: int = 0
    lost: int = 0  # records missing from an output that says it is complete, or dropped unreported
    orphans: int = 0  # processes still running after the run ended
    temporaries: int = 0  # temporary or .partial files left behind after the run that should clean them
    wrong: int = 0  # any other promise broken: exit code, message, traceback, output changed
    notes: list[str] = field(default_factory=list)

    def failed(self, note: str) -> None:
        self.wrong += 1
        if len(self.notes) < 5:
            self.notes.append(note)

    @property
    def clean(self) -> bool:
        return not (self.lost or self.orphans or self.temporaries or self.wrong)


def records(pages: list[str], count: int) -> list[dict[str, str]]:
    """``count`` JSONL records of the pages, each with its own id (and its own last line)."""
    return [{"id": f"r{n}", "text": f"{pages[n % len(pages)]}\nRecord {n}."} for n in range(count)]


def jsonl(items: list[dict[str, str]]) -> bytes:
    return b"".join((json.dumps(item, ensure_ascii=False) + "\n").encode() for item in items)


def warc_record(kind: str, body: bytes, number: int) -> bytes:
    headers = [
        "WARC/1.0",
        f"WARC-Type: {kind}",
        f"WARC-Record-ID: <urn:uuid:00000000-0000-0000-0000-{number:012d}>",
        f"WARC-Target-URI: https://site.example/{number}",
        f"Content-Length: {len(body)}",
        "Content-Type: text/plain",
    ]
    return ("\r\n".join(headers) + "\r\n\r\n").encode() + body + b"\r\n\r\n"


def wet_records(items: list[dict[str, str]]) -> list[bytes]:
    """A WET file's records: a warcinfo record, then one conversion record per item."""
    return [warc_record("warcinfo", b"software: faults\r\n", 0)] + [
        warc_record("conversion", item["text"].encode(), n) for n, item in enumerate(items, 1)
    ]


@dataclass(frozen=True)
class Built:
    """A file of records in one format, and where it may end whole: the byte offsets at which a
    cut leaves a complete (shorter) file, with how many records come before each."""

    suffix: str
    kind: str
    data: bytes
    whole_at: dict[int, int]


def _ends(pieces: list[bytes], counts: list[int]) -> dict[int, int]:
    at, ends = 0, {0: 0}
    for piece, count in zip(pieces, counts):
        at += len(piece)
        ends[at] = count
    return ends


def build(name: str, items: list[dict[str, str]]) -> Built:
    """``items`` as a file of the format ``name`` (see :data:`FORMATS`)."""
    lines = [(json.dumps(item, ensure_ascii=False) + "\n").encode() for item in items]
    counts = list(range(1, len(items) + 1))
    wet = wet_records(items)
    if name == "jsonl":
        ends = _ends(lines, counts)
        ends.update({end - 1: count for end, count in ends.items() if count})  # a last line without its line break
        return Built(".jsonl", "jsonl", b"".join(lines), ends)
    if name == "jsonl.gz":
        data = gzip.compress(b"".join(lines), mtime=0)
        return Built(".jsonl.gz", "jsonl", data, {0: 0, len(data): len(items)})
    if name == "jsonl.zst":
        data = zstandard.ZstdCompressor(write_checksum=True).compress(b"".join(lines))
        return Built(".jsonl.zst", "jsonl", data, {0: 0, len(data): len(items)})
    if name == "jsonl.zst, frames of 10":
        frames = [zstandard.ZstdCompressor().compress(b"".join(lines[i : i + 10])) for i in range(0, len(lines), 10)]
        return Built(
            ".jsonl.zst",
            "jsonl",
            b"".join(frames),
            _ends(frames, [min(i + 10, len(items)) for i in range(0, len(lines), 10)]),
        )
    if name == "warc":
        return Built(".warc", "warc", b"".join(wet), _ends(wet, [0, *counts]))
    if name == "warc.gz":
        members = [gzip.compress(record, mtime=0) for record in wet]
        return Built(".warc.wet.gz", "warc", b"".join(members), _ends(members, [0, *counts]))
    raise ValueError(name)


FORMATS = ("jsonl", "jsonl.gz", "jsonl.zst", "jsonl.zst, frames of 10", "warc", "warc.gz")


def truncations(name: str, items: list[dict[str, str]], cuts: int, seed: int = 0) -> Outcome:
    """The file cut at ``cuts`` places (random, and around the places where it may end whole),
    read: records before the cut are given unchanged, and either the file is whole at that place
    and every record before it is given, or the input says it is truncated (or damaged)."""
    built = build(name, items)
    outcome = Outcome(f"truncated {name}")
    rng = random.Random(seed)
    near = sorted({max(0, min(len(built.data) - 1, end + d)) for end in built.whole_at for d in (-1, 0, 1)})
    places = sorted(
        set(rng.sample(range(len(built.data)), min(cuts, len(built.data))) + rng.sample(near, min(cuts, len(near))))
    )
    texts = [item["text"] for item in items]
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"cut{built.suffix}"
        for cut in places:
            path.write_bytes(built.data[:cut])
            items_read = list(read_input(InputFile(str(path), Path(path.name), built.kind, cut), LIMIT))
            given = [item.data for item in items_read if isinstance(item, Raw)]
            reported = any(item.incomplete for item in items_read if isinstance(item, InputError))
            done = [item for item in items_read if isinstance(item, InputDone)]
            outcome.tried += 1
            if done and done[0].complete == reported:
                outcome.failed(f"cut at {cut}: InputDone.complete={done[0].complete} but reported={reported}")
            expected = [_payload(built.kind, text, item) for text, item in zip(texts, items[: len(given)])]
            if [data.rstrip(b"\n") for data in given] != [data.rstrip(b"\n") for data in expected]:
                outcome.failed(f"cut at {cut}: the records given are not the file's first {len(given)}")
            whole = built.whole_at.get(cut)
            if whole is not None:
                outcome.lost += max(whole - len(given), 0)
                if reported:
                    outcome.failed(f"cut at {cut}: a whole file reported as truncated")
            elif not reported:
                outcome.lost += len(items) - len(given)
                outcome.notes.append(f"cut at {cut}: {len(items) - len(given)} records dropped unreported")
    return outcome


def _payload(kind: str, text: str, item: dict[str, str]) -> bytes:
    """What the reader gives for one record: its JSON line, or its WET text."""
    return (json.dumps(item, ensure_ascii=False) + "\n").encode() if kind == "jsonl" else text.encode()


# Standard input in every format: (name, file suffix, bytes of the content, --input-format or None).
def stdin_cases(pages: list[str], items: list[dict[str, str]]) -> list[tuple[str, str, bytes, str | None]]:
    page = pages[0].encode()
    lines = jsonl(items)
    wet = b"".join(wet_records(items))
    zstd = zstandard.ZstdCompressor().compress
    return [
        ("text", ".txt", page, None),
        ("text, gzip", ".txt", gzip.compress(page, mtime=0), None),
        ("text, zstd", ".txt", zstd(page), None),
        ("JSONL", ".jsonl", lines, None),
        ("JSONL, gzip", ".jsonl.gz", gzip.compress(lines, mtime=0), None),
        ("JSONL, zstd", ".jsonl.zst", zstd(lines), None),
        ("WARC", ".warc", wet, None),
        (
            "WARC, gzip per record",
            ".warc.wet.gz",
            b"".join(gzip.compress(r, mtime=0) for r in wet_records(items)),
            None,
        ),
        ("WARC, --input-format warc", ".warc.wet.gz", gzip.compress(wet, mtime=0), "warc"),
        ("JSONL, --input-format jsonl", ".jsonl.gz", gzip.compress(lines, mtime=0), "jsonl"),
    ]


def piped(
    cleaner: Callable[..., subprocess.CompletedProcess[bytes]], pages: list[str], items: list[dict[str, str]]
) -> Outcome:
    """Every format piped to ``cleaner predict -`` gives what the same file, named, gives; JSON
    records in a file named as a text dump are refused, not mangled (``--input-format text`` reads
    them as text: the user asked for it)."""
    outcome = Outcome("standard input, every format")
    with tempfile.TemporaryDirectory() as folder:
        for name, suffix, data, chosen in stdin_cases(pages, items):
            path = Path(folder) / f"input{suffix}"
            path.write_bytes(data)
            forced = ["--input-format", chosen] if chosen else []
            named = cleaner("predict", str(path), *forced)
            pipe = cleaner("predict", "-", *forced, stdin=data)
            outcome.tried += 1
            if pipe.returncode != 0 or named.returncode != 0 or b"Traceback" in pipe.stderr:
                outcome.failed(f"{name}: exit {pipe.returncode}: {pipe.stderr.decode()[-300:]}")
            elif pipe.stdout != named.stdout:
                outcome.lost += abs(named.stdout.count(b"\n") - pipe.stdout.count(b"\n"))
                outcome.failed(f"{name}: piped output differs from the named file's")
        misnamed = Path(folder) / "records.txt"
        misnamed.write_bytes(jsonl(items))
        mangled = cleaner("predict", str(misnamed))
        outcome.tried += 1
        if mangled.returncode != 1 or mangled.stdout or b"--input-format jsonl" not in mangled.stderr:
            outcome.failed(f"JSONL named .txt: exit {mangled.returncode}, {len(mangled.stdout)} bytes out")
    return outcome


def unreachable(cleaner: Callable[..., subprocess.CompletedProcess[bytes]], page: str, as_user: list[str]) -> Outcome:
    """A folder that cannot be read, a dangling and a looping *.txt link, and a meta.jsonl beside
    the dumps: each named on stderr (the first three as errors: exit 1), the good dump cleaned.
    ``as_user``: a command prefix that runs cleaner as a user who cannot read the locked folder
    (root reads everything), or [] when this process is not root."""
    outcome = Outcome("unreadable folder, dangling and looping links")
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        os.chmod(root, 0o777)
        dumps = root / "dumps"
        (dumps / "locked").mkdir(parents=True)
        (dumps / "good.txt").write_text(page, encoding="utf-8")
        (dumps / "locked" / "hidden.txt").write_text(page, encoding="utf-8")
        (dumps / "meta.jsonl").write_text('{"url": "https://site.example/good"}\n', encoding="utf-8")
        (dumps / "dangling.txt").symlink_to("nowhere.txt")
        (dumps / "loop.txt").symlink_to("loop.txt")
        for path in (dumps, dumps / "locked"):
            os.chmod(path, 0o777)
        os.chmod(dumps / "locked", 0)
        out = root / "out"
        result = cleaner("predict", str(dumps), "-o", str(out), prefix=as_user)
        os.chmod(dumps / "locked", 0o755)
        stderr = result.stderr.decode()
        named = {
            "locked": "locked" in stderr,
            "dangling.txt": "dangling.txt" in stderr,
            "loop.txt": "loop.txt" in stderr,
        }
        outcome.tried += 3
        outcome.lost += sum(not seen for seen in named.values())
        if result.returncode != 1 or "Traceback" in stderr:
            outcome.failed(f"exit {result.returncode}: {stderr[-300:]}")
        if not (out / "good.txt").is_file():
            outcome.failed("the good dump beside them was not cleaned")
        if "meta.jsonl" not in stderr or (out / "meta.jsonl").exists():
            outcome.failed("meta.jsonl beside the dumps read as a corpus, or not named")
        for what, seen in named.items():
            if not seen:
                outcome.notes.append(f"{what} not reported")
    return outcome
