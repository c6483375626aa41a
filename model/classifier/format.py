"""Saving and loading the trained model: a joblib file and its predictor beside a JSON manifest.

The joblib file is the full :class:`~cleaner.estimator.LineClassifier` (what other tools load);
the predictor file (``<name>.predictor.pkl``) is its :class:`~cleaner.predictor.Predictor`, plain
arrays that `cleaner predict` loads without importing scikit-learn, a second of start-up.

joblib and pickle run code when they load a file, so a file is only loaded when its sha256
matches the manifest written with it, and only from paths the user chose. The manifest also records
what the model was built with, so a model from another scikit-learn version, or computing other
features, is refused with a one-line explanation instead of failing later in an obscure way.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import pickle
import platform
from pathlib import Path
from typing import Any

from ..atomic import remove_stale_temporaries, write_atomic

DEFAULT_MODEL_PATH = Path(__file__).resolve().parent / "artifacts" / "cleaner.joblib"
MODEL_ENV = "CLEANER_MODEL"
# What a saved model holds, beyond its features' names (which are checked on their own); a model
# saved in another format is refused with a hint to retrain. 2: the stopword list is kept with the
# model rather than read from stopwordsiso when it is used.
MODEL_FORMAT = 2


class ModelError(RuntimeError):
    """The model cannot be loaded; the message says why and what to run."""


def default_model_path() -> Path:
    """``$CLEANER_MODEL`` if set, else ``model/artifacts/cleaner.joblib`` inside the package."""
    return Path(os.environ.get(MODEL_ENV) or DEFAULT_MODEL_PATH)


def manifest_path(model_path: Path) -> Path:
    return model_path.with_suffix(".json")


def predictor_path(model_path: Path) -> Path:
    """``cleaner.predictor.pkl`` beside ``cleaner.joblib``."""
    return model_path.with_suffix(".predictor.pkl")


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def runtime_versions() -> dict[str, str]:
    import joblib
    import numpy
    import sklearn

    from .. import __version__

    return {
        "cleaner": __version__,
        "python": platform.python_version(),
        "scikit-learn": sklearn.__version__,
        "numpy": numpy.__version__,
        "joblib": joblib.__version__,
    }


def feature_names() -> dict[str, list[str]]:
    """The features this version of cleaner computes, per stage: a model fitted on other ones
    cannot be used (its weights would meet the wrong columns, or fail on their number)."""
    from ..features.context import stack_feature_names
    from ..features.shape import shape_feature_names

    return {"lines": shape_feature_names(), "context": stack_feature_names()}


def save_model(model: Any, path: Path, metadata: dict[str, Any]) -> dict[str, Any]:
    """Write the model, its predictor and their manifest atomically; returns the manifest.

    The temporary files that a killed ``cleaner train`` left for these three are deleted first:
    each is as big as the model, and nothing else would ever remove them.
    """
    import joblib

    from .predictor import Predictor

    remove_stale_temporaries([path, predictor_path(path), manifest_path(path)])
    buffer = io.BytesIO()
    joblib.dump(model, buffer, compress=3)
    model_bytes = buffer.getvalue()
    write_atomic(path, model_bytes)
    predictor = predictor_path(path)
    predictor_bytes = pickle.dumps(Predictor.from_estimator(model), protocol=pickle.HIGHEST_PROTOCOL)
    write_atomic(predictor, predictor_bytes)
    manifest = {
        "artifact": path.name,
        "sha256": _sha256(model_bytes),
        "predictor": {"artifact": predictor.name, "sha256": _sha256(predictor_bytes)},
        "versions": runtime_versions(),
        "threshold": float(model.threshold_),
        "format": MODEL_FORMAT,
        "features": feature_names(),
        **metadata,
    }
    write_atomic(manifest_path(path), (json.dumps(manifest, indent=2, ensure_ascii=False) + "\n").encode())
    return manifest


def read_manifest(path: Path) -> dict[str, Any]:
    meta_path = manifest_path(path)
    if not meta_path.is_file():
        raise ModelError(
            f"{meta_path} is missing: a model is only loaded with the manifest written beside it; "
            "retrain with `make train`"
        )
    try:
        manifest = json.loads(meta_path.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        where = f"{meta_path}:{exc.lineno}" if isinstance(exc, json.JSONDecodeError) else str(meta_path)
        raise ModelError(f"{where}: the manifest is not valid JSON; retrain with `make train`") from exc
    if not isinstance(manifest, dict):
        raise ModelError(f"{meta_path}:1: the manifest is not a JSON object; retrain with `make train`")
    return manifest


def load_model(path: Path | str | None = None) -> Any:
    """Load a trained :class:`~cleaner.estimator.LineClassifier` after checking its manifest."""
    import joblib
    import sklearn

    model_path = _model_path(path)
    manifest = read_manifest(model_path)
    _check_format(model_path, manifest)
    data = _read_checked(model_path, manifest.get("sha256"))
    versions = manifest.get("versions")
    built_with = versions.get("scikit-learn") if isinstance(versions, dict) else None
    if built_with != sklearn.__version__:
        raise ModelError(
            f"{model_path} was built with scikit-learn {built_with}, this is {sklearn.__version__}; "
            "retrain with `make train`"
        )
    _check_features(model_path, manifest.get("features"))
    return joblib.load(io.BytesIO(data))


def load_predictor(path: Path | str | None = None) -> Any:
    """Load the :class:`~cleaner.predictor.Predictor` saved beside the model at ``path`` (the
    joblib file, as for :func:`load_model`) after checking the manifest; imports no scikit-learn.

    No scikit-learn version check: the predictor holds numpy arrays and cleaner's own objects only.
    """
    model_path = _model_path(path)
    manifest = read_manifest(model_path)
    _check_format(model_path, manifest)
    entry = manifest.get("predictor")
    if not isinstance(entry, dict) or not isinstance(entry.get("artifact"), str):
        raise ModelError(f"{manifest_path(model_path)} lists no predictor (an older model); retrain with `make train`")
    predictor = model_path.with_name(entry["artifact"])
    if not predictor.is_file():
        raise ModelError(f"{predictor} is missing: the model was saved without it; retrain with `make train`")
    data = _read_checked(predictor, entry.get("sha256"))
    _check_features(model_path, manifest.get("features"))
    return pickle.loads(data)


def _model_path(path: Path | str | None) -> Path:
    """The model file to load (``path``, else the default), which must exist."""
    model_path = Path(path) if path is not None else default_model_path()
    if not model_path.is_file():
        hint = "run `make train` (or `cleaner train`)" if path is None else "check the --model path"
        raise ModelError(f"no model at {model_path}: {hint}")
    return model_path


def _read_checked(path: Path, expected: object) -> bytes:
    """The file's bytes, if their sha256 is the manifest's. What is loaded is what was checked:
    the file is read once, not hashed and then opened again."""
    data = path.read_bytes()
    actual = _sha256(data)
    if expected != actual:
        raise ModelError(
            f"{path}: sha256 {actual[:12]}... does not match its manifest; refusing to load a file that "
            "may have been replaced (loading runs code); retrain with `make train`"
        )
    return data


def _check_format(model_path: Path, manifest: dict[str, Any]) -> None:
    saved = manifest.get("format", 1)
    if saved != MODEL_FORMAT:
        raise ModelError(
            f"{model_path} was saved in model format {saved}, this cleaner reads format {MODEL_FORMAT}; "
            "retrain with `make train`"
        )


def _check_features(model_path: Path, built_with: object) -> None:
    current = feature_names()
    if built_with == current:
        return
    if not isinstance(built_with, dict):
        detail = "its manifest does not list the features it was trained on"
    else:
        changes = []
        for stage, names in current.items():
            old = built_with.get(stage)
            old = old if isinstance(old, list) else []
            if old != names:
                added = [name for name in names if name not in old]
                new = f", new: {added[:3]}" if added else ""
                changes.append(f"{stage}: {len(old)} -> {len(names)} features{new}")
        detail = f"it was trained on other features than this cleaner computes ({'; '.join(changes)})"
    raise ModelError(f"{model_path}: {detail}; retrain with `make train`")
