"""cleaner.atomic: whole files or none, with the permissions a plain open() would give."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from cleaner.atomic import remove_stale_temporaries, temporary_beside, write_atomic


@pytest.mark.parametrize("umask", [0o022, 0o077, 0o002])
def test_written_files_get_the_umask_permissions_not_mkstemps(tmp_path: Path, umask: int) -> None:
    previous = os.umask(umask)
    try:
        target = tmp_path / "out" / "page.txt"
        write_atomic(target, b"text\n")
    finally:
        os.umask(previous)
    assert target.read_bytes() == b"text\n"
    assert stat.S_IMODE(target.stat().st_mode) == 0o666 & ~umask
    assert [p.name for p in target.parent.iterdir()] == ["page.txt"]


def test_stale_temporaries_of_other_outputs_are_kept(tmp_path: Path) -> None:
    mine = tmp_path / "a.txt"
    fd, left = temporary_beside(mine)
    os.close(fd)
    fd, other = temporary_beside(tmp_path / "b.txt")
    os.close(fd)
    assert remove_stale_temporaries([mine]) == [Path(left)]
    assert not Path(left).exists() and Path(other).exists()


def test_a_write_that_cannot_be_renamed_leaves_nothing(tmp_path: Path) -> None:
    """Complete or absent: when the rename fails (here: a directory holds the name), the error is
    raised and the temporary file is gone."""
    (tmp_path / "page.txt").mkdir()
    (tmp_path / "page.txt" / "inside").write_text("kept")
    with pytest.raises(OSError):
        write_atomic(tmp_path / "page.txt", b"text\n")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["page.txt"]
    assert (tmp_path / "page.txt" / "inside").read_text() == "kept"


def test_the_temporaries_a_killed_write_leaves_are_recognised(tmp_path: Path) -> None:
    """write_atomic names its temporary files as temporary_beside does, so the next run deletes
    those a SIGKILL left: every name it draws matches the stale-file pattern, for this output only."""
    from cleaner.atomic import _TEMPORARY, _random_tag

    tags = {_random_tag() for _ in range(2000)}
    assert len(tags) == 2000
    assert all(_TEMPORARY.fullmatch(f".page.txt.{tag}.tmp")["name"] == "page.txt" for tag in tags)


def test_a_signal_as_the_temporary_file_is_made_leaves_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Ctrl-C or SIGTERM raise wherever the main thread is: right after the file is made, before
    anything holds its name, it must still be deleted (make faults found one left so)."""
    from cleaner.corpus.sinks import TreeSink

    real_open, real_fdopen = os.open, os.fdopen

    def interrupted_open(*args: object) -> int:
        real_open(*args)  # type: ignore[arg-type]
        raise KeyboardInterrupt

    monkeypatch.setattr(os, "open", interrupted_open)
    with pytest.raises(KeyboardInterrupt):
        write_atomic(tmp_path / "out" / "a.txt", b"text\n")
    monkeypatch.setattr(os, "open", real_open)

    def interrupted_fdopen(*args: object, **kwargs: object) -> object:
        raise KeyboardInterrupt

    monkeypatch.setattr(os, "fdopen", interrupted_fdopen)
    sink = TreeSink(tmp_path / "out")
    with pytest.raises(KeyboardInterrupt):
        sink._start(tmp_path / "out" / "b.jsonl")
    monkeypatch.setattr(os, "fdopen", real_fdopen)
    sink.abort()
    assert list((tmp_path / "out").iterdir()) == []
