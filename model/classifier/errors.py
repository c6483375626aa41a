"""What a model that cannot be loaded raises, and the hints its one-line messages end with: shared
by the model file's reader (:mod:`.format`), the URL cache (:mod:`.remote`) and whatever reports
them, and importing nothing, so that any of them can import it at its top."""

from __future__ import annotations

MODEL_ENV = "CLEANER_MODEL"
# What to do when $CLEANER_MODEL names what cannot be loaded (in .format and .remote): missing, a
# folder, damaged, not a model at all. Retraining (RETRAIN) would not mend the variable.
CHECK_ENVIRONMENT = (
    f"check ${MODEL_ENV}: point it at a model file that `cleaner train` wrote, or unset it to use the model "
    "shipped with cleaner"
)
# What to do about a model URL given as an argument (not by $CLEANER_MODEL) that cannot be loaded.
CHECK_URL = "check the URL, or give a local model file"
# What to do about a model file given as an argument that is there but cannot be loaded.
RETRAIN = "retrain with `cleaner train` (`make train` in a checkout of cleaner)"
# What a user named a model path with, in "check the model path given (...)": the command line's
# option and load_model's argument by default. A caller whose users name it otherwise says so
# (load_model's and shared_model's ``named_by``: ``CleanerFilter(model=...)``, ``clean_batch(model=...)``),
# so that its message is built in its words, not rewritten from these.
GIVEN = "--model, or load_model's argument"


def check_given(named_by: str) -> str:
    """What to check when no model file is where a path given with ``named_by`` says."""
    return f"check the model path given ({named_by}), or give none to use the model shipped with cleaner"


class ModelError(RuntimeError):
    """The model cannot be loaded; the message says why and what to run."""
