"""The developer scripts run as ``python -m cleaner.training.NAME`` (``make bench``, ``make faults``,
``make eval-short``, ``make eval-surrounded``, speed_ab): Typer apps, as the ``cleaner`` commands are,
whose ``--help`` gives every option whole at 80 columns, and whose list options repeat."""

from __future__ import annotations

import importlib
from pathlib import Path
from typing import Any

import pytest
from typer.main import get_command
from typer.testing import CliRunner

from cleaner.training import bench_engines

SCRIPTS = ["bench", "bench_engines", "bench_files", "faults", "short_records", "speed_ab", "surroundings"]


@pytest.mark.parametrize("name", SCRIPTS)
@pytest.mark.parametrize("width", [80, 160])
def test_help_names_every_option_whole(name: str, width: int) -> None:
    app = importlib.import_module(f"cleaner.training.{name}").app
    result = CliRunner().invoke(app, ["--help"], env={"COLUMNS": str(width)})
    assert result.exit_code == 0, result.output
    assert "…" not in result.stdout, result.stdout
    options = [param for param in get_command(app).params if param.param_type_name == "option"]
    for option in (flag for param in options for flag in (*param.opts, *param.secondary_opts)):
        assert option in result.stdout, (name, option, result.stdout)


def test_engines_repeat_and_are_checked(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """``--engines`` takes each engine by its name, once per engine; any other name is a usage error."""
    asked: list[list[str] | None] = []

    def run(*args: Any) -> dict[str, Any]:
        asked.append(args[-1])  # only: the engines besides the reference
        return {}

    monkeypatch.setattr(bench_engines, "build_corpus", lambda *args: (0, 0))
    monkeypatch.setattr(bench_engines, "run", run)
    app = bench_engines.app
    for engines in ([], ["datatrove-local"], ["spark", "cleaner predict -j 1"]):
        given = [word for engine in engines for word in ("--engines", engine)]
        result = CliRunner().invoke(app, ["--workdir", str(tmp_path), *given])
        assert result.exit_code == 0, result.output
    assert asked == [None, ["datatrove-local"], ["spark", "cleaner predict -j 1"]]
    result = CliRunner().invoke(app, ["--workdir", str(tmp_path), "--engines", "dask"])
    assert result.exit_code == 2 and "dask" in result.stderr
