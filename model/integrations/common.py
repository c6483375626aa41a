"""What the integrations share: the model loaded for a step, its errors in the step's own words."""

from __future__ import annotations

from ..classifier.cleaned import Scorer
from ..classifier.errors import ModelError
from ..classifier.loading import shared_model

# What a model error tells the user of the command line and of load_model to check; the user of a
# step gave the step's argument instead (CleanerFilter(model=...)), and was sent to look for --model.
GIVEN = "--model, or load_model's argument"


def step_model(step: str, source: str | None) -> Scorer:
    """The model ``source`` names (a local path; None: ``$CLEANER_MODEL``, else the shipped model),
    loaded once per process; a :class:`ModelError` names ``step``'s argument (``CleanerFilter``:
    ``CleanerFilter(model=...)``), not the command's ``--model``."""
    try:
        return shared_model(source)
    except ModelError as exc:
        raise ModelError(str(exc).replace(GIVEN, f"{step}(model=...)")) from None
