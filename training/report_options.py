"""The options of the cross-validated reports run as ``python -m`` (``make eval-short``:
:mod:`cleaner.training.short_records`, ``make eval-surrounded``: :mod:`cleaner.training.surroundings`),
declared once as ``Annotated`` types that both commands take. Their ``--labels``, ``--jobs`` and ``--set``
read as ``cleaner evaluate``'s do (:mod:`cleaner.training.commands.common`).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Annotated, Any

import typer

from ..cli import fail
from ..labels import LabelFormatError
from .commands.common import LABELS_HELP, SET_HELP, estimator_overrides, find_labels, jobs_option
from .labels import LabelledDocument, read_labelled, refuse_unfit

JOBS = 2  # --jobs' default
LabelsOption = Annotated[Path | None, typer.Option(help=LABELS_HELP, show_default=False)]
JobsOption = Annotated[int, jobs_option("folds fitted at once")]
SetOption = Annotated[list[str] | None, typer.Option("--set", metavar="KEY=VALUE", help=SET_HELP)]


def report_inputs(
    labels: Path | None, overrides: Sequence[str] | None
) -> tuple[list[LabelledDocument], dict[str, Any]]:
    """``--labels`` and ``--set`` of the cross-validated reports: the labelled documents and the
    parameters to change in the shipped configuration, or a usage error (exit 2, as for a bad
    option) that names the file or the option and what is wrong."""
    try:
        params = estimator_overrides(overrides or [])
        directory = find_labels(labels)  # checked as every training is (labels check's page rules)
        return refuse_unfit(directory, read_labelled(directory)).documents, params
    except (LabelFormatError, ValueError) as exc:
        fail(str(exc), 2)
