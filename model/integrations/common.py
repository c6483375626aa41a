"""What the integrations share: the model loaded for a step, its errors in the step's own words."""

from __future__ import annotations

from ..classifier.cleaned import Scorer
from ..classifier.loading import shared_model


def step_model(step: str, source: str | None) -> Scorer:
    """The model ``source`` names (a local path; None: ``$CLEANER_MODEL``, else the shipped model),
    loaded once per process. A :class:`~cleaner.classifier.errors.ModelError` names ``step``'s
    argument (``CleanerFilter(model=...)``), which its user gave, not the command's ``--model``:
    said by the loader itself, so that no message is rewritten after the fact."""
    return shared_model(source, named_by=f"{step}(model=...)")
