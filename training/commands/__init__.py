"""The training commands of ``cleaner``: ``train``, ``evaluate``, ``labels check/score/guide``,
``suggest`` and ``label``, one module each, and what they share (:mod:`.common`).

Each is a Typer app named in the ``cleaner.commands`` entry-point group (``pyproject.toml``), which
``cleaner`` (:mod:`cleaner.cli`) loads only when the command is run or listed in ``--help``: the
prediction side never imports this package. The work is done in the modules of
:mod:`cleaner.training`, imported when a command runs (scikit-learn takes a second to import).

The apps and the shared helpers that other modules use are importable from here, as they were when
this package was one module: ``cleaner.training.commands:train_app`` is what the entry points name.
"""

from .common import (
    CHECKOUT_LABELS,
    JOBLIB_SUFFIX,
    MODEL_FILE_NAME,
    MODEL_SUFFIX,
    check_writable,
    default_model_file,
    estimator_overrides,
    find_labels,
    stopped_cleanly,
    warnings_as_lines,
)
from .evaluate import evaluate_app
from .label import label_app
from .labels import labels_app
from .suggest import suggest_app
from .train import train_app

__all__ = [
    "CHECKOUT_LABELS",
    "JOBLIB_SUFFIX",
    "MODEL_FILE_NAME",
    "MODEL_SUFFIX",
    "check_writable",
    "default_model_file",
    "estimator_overrides",
    "evaluate_app",
    "find_labels",
    "label_app",
    "labels_app",
    "stopped_cleanly",
    "suggest_app",
    "train_app",
    "warnings_as_lines",
]
