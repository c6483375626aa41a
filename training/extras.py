"""How to install an optional extra of cleaner, said as fits where it runs from.

``cleaner evaluate --baselines`` without jusText said ``pip install -e '.[bench]'``, which only a
checkout can run: installed from a wheel, there is no ``.`` to install, and the extra is asked of
the installed distribution instead (``pip install 'cleaner[bench]'``, which keeps the installed
cleaner and adds the extra's packages), or the packages are named.
"""

from __future__ import annotations

import importlib.util
from collections.abc import Sequence
from pathlib import Path

# Beside training/ in a checkout (and so in an editable install); never inside an installed package.
CHECKOUT_PYPROJECT = Path(__file__).resolve().parent.parent / "pyproject.toml"


def install_hint(extra: str, packages: Sequence[str] = ()) -> str:
    """The command that installs ``extra``: ``pip install -e '.[extra]'`` in a checkout, ``pip
    install 'cleaner[extra]'`` when installed; with ``packages``, the ones the caller needs by name
    as the lighter choice (an extra may bring more: bench brings spaCy for datatrove's C4 filter)."""
    command = f"pip install -e '.[{extra}]'" if CHECKOUT_PYPROJECT.is_file() else f"pip install 'cleaner[{extra}]'"
    return command + (f" (or only pip install {' '.join(packages)})" if packages else "")


def matplotlib_missing() -> str | None:
    """Why the plots cannot be drawn (matplotlib, the ``plot`` extra, is not installed, and how to
    install it), or None; asked before any fit, since a plot is drawn after hours of them."""
    if importlib.util.find_spec("matplotlib") is not None:
        return None
    return f"matplotlib is not installed ({install_hint('plot')})"
