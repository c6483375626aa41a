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


class ModelError(RuntimeError):
    """The model cannot be loaded; the message says why and what to run."""
