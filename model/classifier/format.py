"""The model file: one ``.npz`` of plain arrays and a JSON manifest, which loading never executes.

A trained model is a :class:`~cleaner.classifier.predictor.Predictor`: a few float arrays, a cue-word
vocabulary and a stopword list. It is saved as one NumPy ``.npz`` (a zip of ``.npy`` arrays) and
read back with ``np.load(..., allow_pickle=False)``, so a model file can hold numbers and text and
nothing that runs when it is read, whoever made it, and it travels alone (to a cluster node, a
model hub) without a sidecar. ``.npz`` rather than ``.safetensors``: it needs numpy only, which
prediction imports anyway, not one more compiled dependency, and reads in milliseconds either way.

The manifest (the ``manifest`` member, UTF-8 JSON) holds the format version, the feature names the
model was trained on, the vocabulary in column order, the stopwords, the threshold, a sha256 of
the arrays, and what the caller adds (training data hash and counts, versions, CV scores). A model
whose format or features this cleaner does not compute, or whose arrays do not match their digest,
is refused with one line that says what to run. Files are written atomically, byte for byte the
same for the same model (fixed zip timestamps), so retraining on unchanged labels changes nothing.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import json
import os
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from numpy.lib.npyio import NpzFile

from ..atomic import remove_stale_temporaries, write_atomic
from ..features.context import PAGE_FEATURES, stack_feature_names
from ..features.cuechars import CueChars
from ..features.cuewords import CueWords
from ..features.headers import HEADER_FEATURES
from ..features.shape import shape_feature_names
from ..features.stopwords import Stopwords
from .errors import CHECK_ENVIRONMENT, CHECK_URL, GIVEN, MODEL_ENV, RETRAIN, ModelError, check_given
from .predictor import Predictor
from .remote import copied_from, is_url, model_copy
from .thresholds import model_threshold, threshold_value

SHIPPED_MODEL = Path(__file__).resolve().parent.parent / "data" / "cleaner.npz"
# 5: a context stage has layers (4: one weight vector each; stopword lists per language since 4, one list in
# 3; 2 and 1 were joblib and pickle files beside a manifest).
MODEL_FORMAT = 5
# A model with a character n-gram block (LineClassifier's char_ngrams) is written as format 6, and
# one without as format 5, byte for byte as before: a cleaner that reads format 5 only would
# otherwise load the block's weights and silently ignore them, predicting with half a model.
# Format 7: the block's words in scripts without spaces are their letters (format 6 files, whose
# words there were whole clauses, would be read with other rows than they were trained on).
CHARS_FORMAT = 7
# Format 8: the context stages also read more inputs than format 7's: each line's topic overlap
# (LineClassifier's topic_overlap, features.topics), the page's span shares (span_share,
# features.context.PAGE_FEATURES), the post headers (header_echo), the cue blocks' part of the
# first-stage logit (cue_logit), as the manifest's entries say, with or without a character block.
# A cleaner that reads 5 and 7 only would meet inputs it does not compute.
EXTENDED_FORMAT = 8
MANIFEST = "manifest"
_ZIP_TIME = (1980, 1, 1, 0, 0, 0)  # the zip format's epoch: equal models give equal files
# What reading a damaged zip or .npy member raises (a bad CRC, a cut stream, a wrong header).
_READ_ERRORS = (ValueError, OSError, EOFError, zipfile.BadZipFile, zlib.error)


def default_model_name() -> str:
    """``$CLEANER_MODEL`` as set (a path or a URL), else the shipped model's path: a URL made a
    ``Path`` loses a slash (``https:/host/m.npz``) and is looked for as a local file."""
    return os.environ.get(MODEL_ENV) or str(SHIPPED_MODEL)


def feature_names() -> dict[str, list[str]]:
    """The features this version of cleaner computes, per stage: a model fitted on other ones
    cannot be used (its weights would meet the wrong columns, or fail on their number)."""
    return {"lines": shape_feature_names(), "context": stack_feature_names()}


def _arrays(predictor: Predictor) -> dict[str, np.ndarray]:
    mean, scale = predictor.scaling
    arrays = {
        "scaling_mean": mean,
        "scaling_scale": scale,
        "coef": predictor.coef,
        "intercept": np.array([predictor.intercept]),
        "idf": predictor.words.idf if predictor.words is not None else np.zeros(0),
    }
    if predictor.chars is not None:
        arrays["char_idf"] = predictor.chars.idf
    for i, layers in enumerate(predictor.context_stages):
        for j, (weights, bias) in enumerate(layers):
            arrays[f"context_{i}_layer_{j}_weights"] = np.asarray(weights)
            arrays[f"context_{i}_layer_{j}_bias"] = np.asarray(bias)
    return {name: np.ascontiguousarray(value, dtype=np.float64) for name, value in arrays.items()}


def _digest(arrays: dict[str, np.ndarray]) -> str:
    """sha256 over every array's name, shape and bytes, in name order."""
    digest = hashlib.sha256()
    for name in sorted(arrays):
        value = arrays[name]
        digest.update(f"{name}:{value.dtype.str}:{value.shape}\0".encode())
        digest.update(value.tobytes())
    return digest.hexdigest()


def save_model(predictor: Predictor, path: Path) -> dict[str, Any]:
    """Write ``predictor`` to ``path`` (one ``.npz``) atomically; returns the manifest written.

    The manifest is the predictor's own (``predictor.manifest``: training data, CV scores...) plus
    what loading checks. The temporary files that a killed ``cleaner train`` left for this path are
    deleted first: nothing else would ever remove them.

    A name that does not end in ``.npz`` is refused (ValueError), as ``cleaner train -o`` refuses
    it: a model saved as ``model.txt`` loads (it is read by its content), but ``cleaner predict DIR``
    then reads it among the dumps as a binary file; a folder's name failed with a temporary file's.
    """
    path = Path(path)
    if path.suffix.lower() != ".npz" or path.is_dir():
        what = "is a directory" if path.is_dir() else "does not end in .npz"
        raise ValueError(
            f"{path}: a model is saved as one .npz file, and this name {what}; give a name such as "
            f"{(path / 'cleaner.npz') if path.is_dir() else path.with_suffix('.npz')}"
        )
    remove_stale_temporaries([path])
    data, manifest = _file_bytes(predictor, model_threshold(predictor))  # a file no load would take is not written
    write_atomic(path, data)
    return manifest


def model_bytes(predictor: Predictor) -> bytes:
    """The bytes of ``predictor``'s model file (what :func:`save_model` writes), with its threshold
    if that is a number from 0 to 1 (else 0.5: a pickle carries the threshold as set, apart)."""
    try:
        threshold = model_threshold(predictor)
    except ValueError:
        threshold = 0.5
    return _file_bytes(predictor, threshold)[0]


def model_from_bytes(data: bytes) -> Predictor:
    """The model whose file holds ``data`` (:func:`model_bytes`), read as a model file is read:
    arrays and JSON only (``allow_pickle=False``), its digest checked. What unpickling a
    :class:`~cleaner.classifier.predictor.Predictor` calls: its pickle is its model file (0.77 MB,
    where its attributes with their look-up tables were 7 MB)."""
    source = _Source(Path("<pickled model>"), "a pickled model", "pickle the model again", "pickle the model again")
    with np.load(io.BytesIO(data), allow_pickle=False) as archive:
        return _read(source, archive)


def _file_bytes(predictor: Predictor, threshold: float) -> tuple[bytes, dict[str, Any]]:
    """The model file's bytes and its manifest, ``threshold`` as the model's own."""
    arrays = _arrays(predictor)
    manifest = {
        **predictor.manifest,
        "format": EXTENDED_FORMAT
        if predictor.topics or predictor.span_share or predictor.header_echo or predictor.cue_logit
        else MODEL_FORMAT
        if predictor.chars is None
        else CHARS_FORMAT,
        "features": feature_names(),
        "threshold": threshold,
        "word_weight": predictor.word_weight,
        "context_stages": [len(layers) for layers in predictor.context_stages],
        "ngram_range": list(predictor.words.ngram_range) if predictor.words is not None else None,
        "vocabulary": predictor.words.vocabulary if predictor.words is not None else None,
        "stopwords": predictor.stopwords.lists,
        **_char_entries(predictor.chars, predictor.char_weight),
        **({"topic_overlap": True} if predictor.topics else {}),
        **({"span_share": True} if predictor.span_share else {}),
        **({"header_echo": True} if predictor.header_echo else {}),
        **({"cue_logit": True} if predictor.cue_logit else {}),
        "sha256": _digest(arrays),
    }
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        members = {MANIFEST: np.frombuffer(json.dumps(manifest, ensure_ascii=False).encode(), np.uint8), **arrays}
        for name, value in members.items():
            data = io.BytesIO()
            np.lib.format.write_array(data, value, allow_pickle=False)
            archive.writestr(zipfile.ZipInfo(f"{name}.npy", _ZIP_TIME), data.getvalue(), zipfile.ZIP_DEFLATED)
    return buffer.getvalue(), manifest


def _char_entries(chars: CueChars | None, char_weight: float) -> dict[str, Any]:
    """The manifest's entries of the character n-gram block: none for a model without one."""
    if chars is None:
        return {}
    return {
        "char_weight": char_weight,
        "char_ngram_range": list(chars.ngram_range),
        "char_vocabulary": chars.vocabulary,
    }


def read_manifest(path: Path | str | None = None, *, named_by: str = GIVEN) -> dict[str, Any]:
    """The manifest of the model file at ``path`` (default: ``$CLEANER_MODEL``, else the model
    shipped with cleaner, as :func:`load_model`; a URL is fetched once per machine)."""
    source = _source(path, named_by)
    with _deleted_if_unloadable(source), _open(source) as archive:
        return _manifest(source, archive)


def load_model(path: Path | str | None = None, *, named_by: str = GIVEN) -> Predictor:
    """The model at ``path``, else ``$CLEANER_MODEL``, else the one shipped with cleaner.

    Raises :class:`ModelError` (one line: what is wrong, what to run) for a missing, damaged or
    incompatible file. Reads arrays and JSON only: nothing in the file can run code.
    ``named_by``: what the caller's user gave ``path`` with, which the message of a path that holds
    no model tells them to check (default: ``--model``, or this function's argument); a cluster
    step passes its own (``CleanerFilter(model=...)``), whose users have no ``--model``.
    """
    source = _source(path, named_by)
    with _deleted_if_unloadable(source):
        return _load(source)


def _load(source: _Source) -> Predictor:
    with _open(source) as archive:
        return _read(source, archive)


def _read(source: _Source, archive: NpzFile) -> Predictor:
    """The model an open archive holds (a file's, or a pickle's bytes: :func:`model_from_bytes`),
    its manifest, format, features and digest checked."""
    shown, remedy = source.shown, source.remedy
    manifest = _manifest(source, archive)
    _check_format(source, manifest)
    _check_features(source, manifest.get("features"))
    try:
        arrays = {name: archive[name] for name in archive.files if name != MANIFEST}
    except _READ_ERRORS as exc:
        raise ModelError(f"{shown}: {_unreadable(exc)}; {remedy}") from exc
    if manifest.get("sha256") != _digest(arrays):
        raise ModelError(
            f"{shown}: sha256 of its arrays does not match its manifest; the file is damaged or was "
            f"changed after training; {remedy}"
        )
    try:
        return _predictor(manifest, arrays)
    except (KeyError, TypeError, ValueError) as exc:
        raise ModelError(f"{shown}: the manifest and arrays do not make a model ({exc!r}); {remedy}") from exc


def _predictor(manifest: dict[str, Any], arrays: dict[str, np.ndarray]) -> Predictor:
    words = None
    if manifest["vocabulary"] is not None:
        words = CueWords(manifest["vocabulary"], arrays["idf"], tuple(manifest["ngram_range"]))
        if len(words.vocabulary) != len(words.idf):
            raise ValueError(f"{len(words.vocabulary)} cue words but {len(words.idf)} idf weights")
    chars = None
    if manifest.get("char_vocabulary") is not None:
        chars = CueChars(manifest["char_vocabulary"], arrays["char_idf"], tuple(manifest["char_ngram_range"]))
        if len(chars.vocabulary) != len(chars.idf):
            raise ValueError(f"{len(chars.vocabulary)} character n-grams but {len(chars.idf)} idf weights")
    extended = manifest.get("format") == EXTENDED_FORMAT
    if not extended and (manifest.get("format") == CHARS_FORMAT) != (chars is not None):
        raise ValueError(f"format {manifest.get('format')} with{'' if chars is not None else 'out'} character n-grams")
    topics, span_share = bool(manifest.get("topic_overlap")), bool(manifest.get("span_share"))
    headers, cues = bool(manifest.get("header_echo")), bool(manifest.get("cue_logit"))
    if extended != (topics or span_share or headers or cues):
        raise ValueError(
            f"format {manifest.get('format')} with topic_overlap {manifest.get('topic_overlap')}, "
            f"span_share {manifest.get('span_share')}, header_echo {manifest.get('header_echo')} "
            f"and cue_logit {manifest.get('cue_logit')}"
        )
    columns = len(arrays["scaling_mean"]) + sum(len(block.idf) for block in (words, chars) if block is not None)
    if len(arrays["coef"]) != columns:
        raise ValueError(f"{len(arrays['coef'])} weights for {columns} first-stage columns")
    stages = [
        [(arrays[f"context_{i}_layer_{j}_weights"], arrays[f"context_{i}_layer_{j}_bias"]) for j in range(int(layers))]
        for i, layers in enumerate(manifest["context_stages"])
    ]
    reserved = {"format", "features", "threshold", "word_weight", "context_stages", "ngram_range", "vocabulary"}
    reserved |= {"char_weight", "char_ngram_range", "char_vocabulary", "topic_overlap", "span_share", "header_echo"}
    reserved.add("cue_logit")
    inputs = len(stack_feature_names()) + span_share * len(PAGE_FEATURES) + headers * len(HEADER_FEATURES)
    inputs += topics + cues
    if any(layers[0][0].shape[0] != inputs for layers in stages):
        raise ValueError(f"a context stage does not take {inputs} inputs")
    return Predictor(
        stopwords=Stopwords(manifest["stopwords"]),
        scaling=(arrays["scaling_mean"], arrays["scaling_scale"]),
        coef=arrays["coef"],
        intercept=float(arrays["intercept"][0]),
        word_weight=float(manifest["word_weight"]),
        words=words,
        context_stages=stages,
        threshold=threshold_value(manifest["threshold"], " (the model file's)"),
        chars=chars,
        char_weight=float(manifest.get("char_weight", 0.5)),
        topics=topics,
        span_share=span_share,
        header_echo=headers,
        cue_logit=cues,
        manifest={k: v for k, v in manifest.items() if k not in reserved | {"stopwords", "sha256"}},
    )


def _model_path(path: Path | str | None, named_by: str) -> Path:
    """The model file to load (``path``, else the default), which must exist."""
    if path is not None and not isinstance(path, str | os.PathLike):
        raise TypeError(f"load_model expects a path (str or os.PathLike), got {type(path).__name__}")
    name = os.fspath(path) if path is not None else default_model_name()
    if isinstance(name, str) and is_url(name):
        # As clean_batch(model=URL) reads it: copied once per machine, then loaded as a local file.
        return model_copy(name, from_environment=path is None or name == os.environ.get(MODEL_ENV))
    model_path = Path(name)
    if not model_path.is_file():
        if path is None and not os.environ.get(MODEL_ENV):
            hint = "the model shipped with cleaner is missing: reinstall cleaner, or run `make train` in a checkout"
        else:
            hint = _what_to_do(model_path, path, named_by)
        # A folder is there: "no model at DIR" sent the user looking for what exists.
        where = (
            f"{model_path} is a directory, not a model file (.npz)"
            if model_path.is_dir()
            else f"no model at {model_path}"
        )
        raise ModelError(f"{where}: {hint}")
    if model_path.suffix.lower() in (".joblib", ".pkl", ".pickle"):
        remedy = _remedy(model_path, path)
        raise ModelError(
            f"{model_path}: cleaner reads .npz model files only (loading a joblib or pickle file runs code); "
            + (remedy if remedy == CHECK_ENVIRONMENT else f"{remedy} to get one")
        )
    return model_path


@dataclass(frozen=True)
class _Source:
    """A model file to load: ``path`` on this machine; ``shown`` in messages; ``remedy``, what to do
    about a file that is there but cannot be loaded; ``check``, about one that cannot be read or is
    no model at all; ``url``, the URL it was fetched from, for a local copy of one."""

    path: Path
    shown: str
    remedy: str
    check: str
    url: str | None = None


# Said of a fetched copy that cannot be loaded, which _deleted_if_unloadable deletes.
_FETCH_AGAIN = "the copy is deleted, so the next run fetches the URL again"


def _source(path: Path | str | None, named_by: str) -> _Source:
    """The model file ``path`` names (see :func:`_model_path`; ``named_by``, as :func:`load_model`
    takes it). A local copy of a URL is named by the URL and the copy: the copy's path alone
    ("~/.cache/cleaner/models/...") named a file the user never gave, and the advice was to mend
    that file or to retrain."""
    model_path = _model_path(path, named_by)
    url = copied_from(model_path)
    if url is None:
        check = _what_to_do(model_path, path, named_by)
        return _Source(model_path, str(model_path), _remedy(model_path, path), check)
    check = f"{_FETCH_AGAIN}; {CHECK_ENVIRONMENT if url == os.environ.get(MODEL_ENV) else CHECK_URL}"
    return _Source(model_path, f"{url} (fetched to {model_path})", check, check, url)


@contextlib.contextmanager
def _deleted_if_unloadable(source: _Source) -> Iterator[None]:
    """A fetched copy that cannot be loaded is deleted, so that the next run fetches the URL again:
    kept, it failed every run the same way (the cache names a copy after the URL and what the
    server says of the file, which a copy damaged here, or cut short, does not change)."""
    try:
        yield
    except ModelError as exc:
        if source.url is None:
            raise
        try:
            source.path.unlink(missing_ok=True)
        except OSError as error:  # a cache that is not this user's to change
            again = f"delete the copy ({error.strerror or error}) so that the next run fetches the URL again"
            raise ModelError(str(exc).replace(_FETCH_AGAIN, again)) from exc
        raise


def _from_environment(model_path: Path, path: Path | str | None) -> bool:
    """Whether the model file came from $CLEANER_MODEL: the commands resolve it and pass it on as
    a path (or a URL as it is), so a path that is $CLEANER_MODEL's file came from there too."""
    named = os.environ.get(MODEL_ENV)
    if not named:
        return False
    return path is None or os.fspath(path) == named or Path(named).resolve() == model_path.resolve()


def _what_to_do(model_path: Path, path: Path | str | None, named_by: str) -> str:
    """What to check when there is no model file at all where the path came from: the path as the
    user gave it (``named_by``), unless $CLEANER_MODEL gave it."""
    if _from_environment(model_path, path):
        return CHECK_ENVIRONMENT
    if path is not None:
        return check_given(named_by)
    return RETRAIN


def _remedy(model_path: Path, path: Path | str | None) -> str:
    """What to do about a file that is there but cannot be loaded as a model (damaged, cut short,
    of another format): mend $CLEANER_MODEL when it named the file (a damaged file it names is
    no reason to retrain: the shipped model is there), else retrain."""
    return CHECK_ENVIRONMENT if _from_environment(model_path, path) else RETRAIN


# Said of a file whose zip or members cannot be read (a cut download, a disk error).
_DAMAGED = "cannot be read as a cleaner model: the file is damaged or cut short"


# The first bytes of an .npz (a zip archive) and of an .npy: np.load reads anything else as a pickle,
# and its refusal (allow_pickle=False) suggests loading the file unsafely, which must never be relayed.
_MAGIC = (b"PK\x03\x04", b"PK\x05\x06", b"\x93NUMPY")


def _open(source: _Source) -> NpzFile:
    """The archive of the model file."""
    _check_magic(source)
    try:
        archive = np.load(source.path, allow_pickle=False)
    except _READ_ERRORS as exc:
        raise ModelError(f"{source.shown}: {_unreadable(exc)}; {source.remedy}") from exc
    if not isinstance(archive, NpzFile):  # a single .npy array
        raise ModelError(f"{source.shown}: a single array, not a cleaner model file (.npz); {source.remedy}")
    return archive


def _check_magic(source: _Source) -> None:
    """Refuse a file that is neither a zip archive nor an .npy array (a dump, a text file) before
    numpy takes it for a pickle."""
    try:
        with open(source.path, "rb") as handle:
            head = handle.read(len(_MAGIC[-1]))
    except OSError as exc:
        raise ModelError(f"{source.shown}: cannot read it ({exc.strerror or exc}); {source.check}") from exc
    if not head.startswith(_MAGIC):
        raise ModelError(
            f"{source.shown}: not a cleaner model: a model is the .npz file (a zip archive) that `cleaner train` "
            f"writes, and this file is not one; {source.check}"
        )


def _unreadable(exc: BaseException) -> str:
    """Why a model file's archive or member cannot be read: it is damaged, with numpy's reason; or it
    holds pickled objects (numpy's refusal advises loading it unsafely, never relayed), which is no
    damage: it was called "damaged or cut short" of a whole file that cleaner refuses on purpose."""
    text = str(exc)
    if "allow_pickle" in text:
        return (
            "refused: it holds pickled Python objects, which cleaner never loads (loading them can run any code); "
            "a cleaner model holds arrays and a JSON manifest only"
        )
    return f"{_DAMAGED} ({text})"


def _manifest(source: _Source, archive: NpzFile) -> dict[str, Any]:
    shown, remedy = source.shown, source.remedy
    try:
        raw = archive[MANIFEST]
    except KeyError:
        raise ModelError(f"{shown}: an .npz without a cleaner manifest, not a cleaner model; {remedy}") from None
    except _READ_ERRORS as exc:
        raise ModelError(f"{shown}: {_unreadable(exc)}; {remedy}") from exc
    try:
        manifest = json.loads(raw.tobytes().decode("utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise ModelError(f"{shown}: its manifest is not valid JSON; {remedy}") from exc
    if not isinstance(manifest, dict):
        raise ModelError(f"{shown}: its manifest is not a JSON object; {remedy}")
    return manifest


def _check_format(source: _Source, manifest: dict[str, Any]) -> None:
    saved = manifest.get("format", 1)
    if saved not in (MODEL_FORMAT, CHARS_FORMAT, EXTENDED_FORMAT):
        raise ModelError(
            f"{source.shown} was saved in model format {saved}, this cleaner reads format {MODEL_FORMAT} "
            f"(and {CHARS_FORMAT}, with character n-grams, and {EXTENDED_FORMAT}, with topic overlap, span shares "
            "or post headers); "
            f"{source.remedy}"
        )


def _check_features(source: _Source, built_with: object) -> None:
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
    raise ModelError(f"{source.shown}: {detail}; {source.remedy}")
