"""The options of the cross-validated reports run as ``python -m`` (``make eval-short``:
:mod:`cleaner.training.short_records`, ``make eval-surrounded``: :mod:`cleaner.training.surroundings`).
Their ``--labels`` and ``--set`` read as ``cleaner evaluate``'s do (:mod:`cleaner.training.commands.common`).
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from ..labels import LabelFormatError
from .commands.common import SET_HELP, estimator_overrides, find_labels
from .labels import LabelledDocument, read_labelled, refuse_unfit


def report_arguments(
    description: str, argv: Sequence[str] | None
) -> tuple[list[LabelledDocument], int, dict[str, Any]]:
    """``--labels``, ``--jobs`` and ``--set`` of the cross-validated reports run as ``python -m``
    (``make eval-short``, ``make eval-surrounded``): the labelled documents, the folds to fit at
    once and the parameters to change in the shipped configuration, or a usage error (status 2, as
    for a bad option) that names the file or the option and what is wrong."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--labels", type=Path, default=None, help="labelled dumps (default: as cleaner evaluate)")
    parser.add_argument("--jobs", type=int, default=2, help="folds fitted at once")
    parser.add_argument("--set", action="append", default=[], metavar="KEY=VALUE", dest="overrides", help=SET_HELP)
    args = parser.parse_args(argv)
    try:
        params = estimator_overrides(args.overrides)
        directory = find_labels(args.labels)  # checked as every training is (labels check's page rules)
        return refuse_unfit(directory, read_labelled(directory)).documents, args.jobs, params
    except (LabelFormatError, ValueError) as exc:
        parser.error(str(exc))
