"""Shared fixtures: the labelled seed documents, one small model trained once per session, the CLI.

The model is trained on the five seed label files only (about 500 labelled lines, well under a
second), never on the whole labels/ directory, which other people edit while the suite runs.
"""

from __future__ import annotations

import contextlib
import functools
import http.server
import shutil
import sys
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from cleaner.classifier.estimator import LineClassifier
from cleaner.training.labels import read_label_file

REPO = Path(__file__).resolve().parent.parent
LABELS_DIR = REPO / "labels"
# manifest.csv names the seed dumps as ../shared/seeds/... relative to the repository root.
SEEDS_DIR = REPO.parent / "shared" / "seeds"
SEED_NAMES = (
    "seed-thoidai-000",
    "seed-thoidai-001",
    "seed-kinhtedothi-002",
    "seed-baoquocte-003",
    "seed-baoquocte-004",
)


@dataclass(frozen=True)
class Labelled:
    name: str
    site: str
    lines: list[str]
    labels: list[str | None]

    @property
    def text(self) -> str:
        """The dump as a file would hold it (blank lines are empty, as in the label file)."""
        return "".join(line + "\n" for line in self.lines)


@pytest.fixture(scope="session")
def labels_dir() -> Path:
    return LABELS_DIR


@pytest.fixture(scope="session")
def seed_documents() -> list[Labelled]:
    documents = []
    for name in SEED_NAMES:
        lines, labels = read_label_file(LABELS_DIR / f"{name}.tsv")
        documents.append(Labelled(name, name.split("-")[1], lines, labels))
    return documents


@pytest.fixture(scope="session")
def sample_document(seed_documents: list[Labelled]) -> Labelled:
    return seed_documents[-1]


def fit_on(documents: list[Labelled], **params: Any) -> LineClassifier:
    """A LineClassifier (2 folds, then ``params``) fitted on labelled documents, grouped by site."""
    return LineClassifier(n_splits=2, **params).fit(
        [doc.lines for doc in documents], [doc.labels for doc in documents], groups=[doc.site for doc in documents]
    )


def record_estimators(monkeypatch: pytest.MonkeyPatch, module: Any) -> list[LineClassifier]:
    """The estimators ``module`` builds with its ``make_estimator`` from now on (the shipped
    configuration's, each kept as it was made): to check that a measurement fits what ships."""
    from cleaner.training.train import make_estimator

    built: list[LineClassifier] = []

    def recorded() -> LineClassifier:
        built.append(make_estimator())
        return built[-1]

    monkeypatch.setattr(module, "make_estimator", recorded)
    return built


@pytest.fixture(scope="session")
def trained_model(seed_documents: list[Labelled]) -> LineClassifier:
    return fit_on(seed_documents)


@pytest.fixture(scope="session")
def model_path(trained_model: LineClassifier, tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("model") / "cleaner.npz"
    trained_model.save(path, {"training_data": {"documents": len(SEED_NAMES)}})
    return path


@pytest.fixture
def model_copy(model_path: Path, tmp_path: Path) -> Path:
    """A private copy of the saved model file, for tests that damage it."""
    target = tmp_path / "copy" / model_path.name
    target.parent.mkdir()
    shutil.copy2(model_path, target)
    return target


@pytest.fixture(scope="session")
def seeds_dir() -> Path:
    """The user's raw seed dumps; present in CI, maybe not in a user's clone."""
    if not SEEDS_DIR.is_dir() or not any(SEEDS_DIR.glob("*.txt")):
        pytest.skip(f"{SEEDS_DIR} not found")
    return SEEDS_DIR


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


class Fitted(Exception):
    """Raised where ``cleaner evaluate`` would start a cross-validation or a fit (see :func:`no_fit`)."""


@pytest.fixture
def no_fit(monkeypatch: pytest.MonkeyPatch) -> None:
    """``cleaner evaluate`` ends with :class:`Fitted` where its first cross-validation or fit would
    start: what a test sees ran before any fit (or without one, for a model scored as it is)."""
    from cleaner.training import report

    def refuse(*args: object, **kwargs: object) -> None:
        raise Fitted

    monkeypatch.setattr(report, "cross_validated_predictions", refuse)
    monkeypatch.setattr(report, "fit_documents", refuse)


@pytest.fixture(scope="session")
def cleaner_exe() -> Path:
    """The installed ``cleaner`` console script, next to this interpreter or on PATH."""
    beside = Path(sys.executable).parent / "cleaner"
    found = beside if beside.is_file() else shutil.which("cleaner")
    if found is None:
        pytest.skip("the cleaner console script is not installed")
    return Path(found)


@contextlib.contextmanager
def http_server(directory: Path, requests: list[str] | None = None) -> Iterator[str]:
    """A local HTTP server (127.0.0.1, a free port) serving the files of ``directory``: its base URL.
    ``requests``: a list to append the method of each request it answers to (HEAD, GET)."""

    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, format: str, *args: object) -> None:
            if requests is not None:
                requests.append(self.command)

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Quiet, directory=str(directory)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()
