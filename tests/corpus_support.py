"""Builders for corpus-format test inputs: JSONL lines and WET (WARC conversion) records."""

from __future__ import annotations

import gzip
import json
import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any

PAGE = "Trang chủ | Đăng nhập\n\nTiêu đề bài viết\nNội dung chính của bài viết, đủ dài để là văn xuôi.\n"
PAGE_EN = "Menu | Home\nA body paragraph that reads like prose and ends with a full stop.\nShare"


def jsonl(records: Iterable[Any]) -> bytes:
    return b"".join((json.dumps(r, ensure_ascii=False) + "\n").encode() for r in records)


def warc_record(
    record_type: str,
    body: bytes,
    number: int,
    uri: str | None = None,
    *,
    length: int | None = None,
    content_type: str = "text/plain",
    eol: bytes = b"\r\n",
) -> bytes:
    """One WARC record; ``length`` a Content-Length other than the body's (a damaged record)."""
    headers = [
        "WARC/1.0",
        f"WARC-Type: {record_type}",
        f"WARC-Record-ID: <urn:uuid:00000000-0000-0000-0000-{number:012d}>",
        f"Content-Length: {len(body) if length is None else length}",
        f"Content-Type: {content_type}",
    ]
    if uri:
        headers.append(f"WARC-Target-URI: {uri}")
    return eol.join(h.encode() for h in headers) + eol + eol + body + eol + eol


def wet(texts: Iterable[str], gz: bool = True) -> bytes:
    """A WET file: a warcinfo record, then one conversion record per text (gzipped per record)."""
    records = [warc_record("warcinfo", b"software: test\r\n", 0)]
    records += [
        warc_record("conversion", text.encode(), n, f"https://site.example/{n}") for n, text in enumerate(texts, 1)
    ]
    return b"".join(gzip.compress(r) for r in records) if gz else b"".join(records)


def record_id(number: int) -> str:
    return f"<urn:uuid:00000000-0000-0000-0000-{number:012d}>"


def read_jsonl(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in lines_of(path.read_text(encoding="utf-8"))]


def lines_of(text: str) -> list[str]:
    """JSONL lines: split on LF only (str.splitlines also splits inside strings, on U+0085, U+2028...)."""
    return text.split("\n")[:-1] if text else []


RESUMED = re.compile(r"\b(\d+) documents? cleaned now(?: \([^)]*\))?, (\d+) done before \((\d+) (?:in all|so far)\)")


def done_before(stderr: str) -> tuple[int, int, int]:
    """The counts of a --resume run's summary: documents cleaned now, done before, and both (checked
    to add up): "1592 documents (1408 already done)" read as if the 1408 were among the 1592."""
    found = RESUMED.search(stderr)
    assert found, stderr
    now, before, total = map(int, found.groups())
    assert now + before == total, found.group(0)
    return now, before, total
