"""Advice to install an optional extra, as fits where cleaner runs from: a checkout (``pip install
-e``) or an installed wheel (``pip install 'cleaner[...]'``)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from conftest import SEED_NAMES
from label_support import seeded_labels

import cleaner.training.extras as extras


@pytest.mark.parametrize(
    ("checkout", "says"),
    [
        (True, "pip install -e '.[bench]' (or only pip install justext lxml_html_clean)"),
        (False, "pip install 'cleaner[bench]' (or only pip install justext lxml_html_clean)"),
    ],
)
def test_a_missing_jusText_is_installed_as_fits_the_install(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, checkout: bool, says: str
) -> None:
    """Without jusText, --baselines said pip install -e '.[bench]', which a wheel user cannot run."""
    from cleaner.training.baselines import available_baselines
    from cleaner.training.labels import load_labelled_dir

    monkeypatch.setitem(sys.modules, "justext", None)  # import justext raises ImportError
    if not checkout:
        monkeypatch.setattr(extras, "CHECKOUT_PYPROJECT", tmp_path / "site-packages" / "pyproject.toml")
    documents = load_labelled_dir(seeded_labels(tmp_path / "labels", list(SEED_NAMES[:2])))
    _, skipped = available_baselines(documents)
    assert skipped["jusText"] == f"not installed (justext); {says}"
    assert extras.install_hint("plot") == says.split(" (")[0].replace("bench", "plot")
