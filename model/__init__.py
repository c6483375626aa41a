"""cleaner: remove boilerplate from plain-text dumps of web pages, line by line.

``from cleaner import load_model`` gives the trained model (a
:class:`~cleaner.classifier.predictor.Predictor`: ``clean``, ``predict_lines``,
``predict_proba_lines``, ``predict``); ``from cleaner import clean_batch`` cleans many texts in one
call, with the counts ``cleaner predict`` writes (what the cluster integrations use). The model
code and numpy are imported on first use, so that ``cleaner --help`` stays fast.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

if TYPE_CHECKING:
    from .classifier.cleaned import Cleaned, ShortDumpWarning, clean_batch
    from .classifier.errors import ModelError
    from .classifier.estimator import LineClassifier
    from .classifier.format import load_model
    from .classifier.predictor import Predictor

__all__ = [
    "Cleaned",
    "LineClassifier",
    "ModelError",
    "Predictor",
    "ShortDumpWarning",
    "__version__",
    "clean_batch",
    "load_model",
]


def __getattr__(name: str) -> Any:
    if name == "load_model":
        from .classifier.format import load_model

        return load_model
    if name == "ModelError":
        from .classifier.errors import ModelError

        return ModelError
    if name in ("clean_batch", "Cleaned", "ShortDumpWarning"):
        from .classifier import cleaned

        return getattr(cleaned, name)
    if name == "Predictor":
        from .classifier.predictor import Predictor

        return Predictor
    if name == "LineClassifier":
        from .classifier.estimator import LineClassifier

        return LineClassifier
    raise AttributeError(f"module 'cleaner' has no attribute {name!r}")
