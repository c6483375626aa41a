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
