"""A model named by a path or a URL, loaded once per process: what :func:`cleaner.clean_batch` and
the cluster integrations (datatrove, Ray Data) call, so that a worker that cleans a thousand
batches loads its model once, and callers can send their workers a short string rather than the
model's arrays.

The model file's reader (:mod:`.format`, and numpy with it) and the URL cache (:mod:`.remote`) are
imported when a model is first loaded, not with this module: :mod:`.cleaned` imports it, and
``cleaner --help`` and ``cleaner predict``'s main process import that and never load a model
(numpy would add a tenth of a second to their start, the cache's modules 6 ms). No cycle: neither
imports this module.
"""

from __future__ import annotations

import os
import threading
from pathlib import Path
from typing import TYPE_CHECKING, Any, Union

from .errors import GIVEN, MODEL_ENV

if TYPE_CHECKING:
    from .cleaned import Scorer

ModelSource = Union[str, "os.PathLike[str]", None]

_LOCK = threading.Lock()
_MODELS: dict[str, tuple[tuple[int, int], Any]] = {}
_COPIES: dict[str, Path] = {}


def shared_model(model: Scorer | ModelSource = None, *, named_by: str = GIVEN) -> Scorer:
    """``model`` itself if it is loaded, else the model file it names, loaded once per process.

    A file is known by its path, size and modification time, so a model retrained in place is
    loaded again (replacing the one kept for that path). A URL's local copy is found (or fetched)
    once per process, and again once it is gone (a copy that cannot be loaded is deleted).
    ``named_by``: what the caller's user named ``model`` with, for the :class:`ModelError` of a
    path that holds no model (as :func:`~.format.load_model` takes it: ``clean_batch(model=...)``).
    """
    if hasattr(model, "threshold") and hasattr(model, "predict_proba_nonblank"):
        return model  # type: ignore[return-value]
    from .format import default_model_name, load_model  # numpy and the model's code: see above
    from .remote import is_url, model_copy

    name = model_name(model, loaded=True)
    if name is None:
        name = default_model_name()
    if is_url(name):
        with _LOCK:  # asked once per process: a URL is not looked up again at every batch
            path = _COPIES.get(name)
            if path is None or not path.is_file():  # or its copy was deleted, as one that cannot be loaded is
                path = _COPIES[name] = model_copy(name, name == os.environ.get(MODEL_ENV))
    else:
        path = Path(name)
    try:
        stat = path.stat()
    except OSError:
        return load_model(path, named_by=named_by)  # raises ModelError, which says what is wrong
    key, version = str(path.resolve()), (stat.st_size, stat.st_mtime_ns)
    with _LOCK:
        found = _MODELS.get(key)
        if found is None or found[0] != version:
            found = _MODELS[key] = (version, load_model(path, named_by=named_by))
    return found[1]


def model_name(model: object, loaded: bool = False) -> str | None:
    """The path or URL ``model`` names, as a str (None for None), or a TypeError that says what a
    model may be: an int or a list failed deep inside, with os.fspath's own message or "'int' object
    has no attribute 'threshold'". ``loaded``: the caller also takes a loaded model (the cluster
    steps do not: they send their workers a model's name, never its arrays).
    """
    if model is None or isinstance(model, (str, os.PathLike)):
        return None if model is None else os.fspath(model)
    accepted = "a loaded model (load_model()), a model file's path or URL" if loaded else "a model file's path or URL"
    raise TypeError(f"model: expected {accepted}, or None for the shipped model; got {type(model).__name__}")
