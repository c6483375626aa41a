"""cleaner: remove boilerplate from plain-text dumps of web pages, line by line.

``from cleaner import load_model`` gives the trained :class:`~cleaner.estimator.LineClassifier`
(``predict_lines``, ``predict_proba_lines``, ``clean``). The heavy imports (scikit-learn) happen
on first use, so that ``cleaner --help`` stays fast.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

if TYPE_CHECKING:
    from .classifier.format import load_model
    from .classifier.estimator import LineClassifier

__all__ = ["LineClassifier", "__version__", "load_model"]


def __getattr__(name: str) -> Any:
    if name == "load_model":
        from .classifier.format import load_model

        return load_model
    if name == "LineClassifier":
        from .classifier.estimator import LineClassifier

        return LineClassifier
    raise AttributeError(f"module 'cleaner' has no attribute {name!r}")
