"""Models whose context stages read more than format 7's (LineClassifier's topic_overlap,
span_share, header_echo, cue_logit): each is saved in the extended format with its flag, predicts
as fitted, needs its inputs, and scores a long page in windows as the whole page; two load
together; a model without them keeps its format."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from conftest import Labelled, fit_on
from test_headers import THREAD  # posts under headers of one form, so that the header columns see some

from cleaner.classifier import windows
from cleaner.classifier.format import EXTENDED_FORMAT, load_model, read_manifest
from cleaner.features.context import PAGE_FEATURES, stack_feature_names
from cleaner.features.headers import HEADER_FEATURES

# The estimator's parameter, the manifest's entry, the predictor's attribute, the inputs it adds.
OPTIONS = {
    "topic_overlap": ("topic_overlap", "topics", 1),
    "span_share": ("span_share", "span_share", len(PAGE_FEATURES)),
    "header_echo": ("header_echo", "header_echo", len(HEADER_FEATURES)),
    "cue_logit": ("cue_logit", "cue_logit", 1),
}


@pytest.fixture(scope="module", params=sorted(OPTIONS))
def extra_model(
    request: pytest.FixtureRequest, seed_documents: list[Labelled], tmp_path_factory: pytest.TempPathFactory
) -> tuple[str, Path]:
    option = request.param
    path = tmp_path_factory.mktemp(option) / f"{option}.npz"
    fit_on(seed_documents, **{option: True}).save(path)
    return option, path


def test_it_is_saved_in_the_extended_format_and_predicts_as_fitted(
    seed_documents: list[Labelled], extra_model: tuple[str, Path]
) -> None:
    option, path = extra_model
    entry, attribute, extra = OPTIONS[option]
    manifest = read_manifest(path)
    assert manifest["format"] == EXTENDED_FORMAT and manifest[entry] is True
    assert all(other not in manifest for other in OPTIONS if other != entry)
    loaded = load_model(path)
    inputs = len(stack_feature_names()) + extra
    assert getattr(loaded, attribute) and all(layers[0][0].shape[0] == inputs for layers in loaded.context_stages)
    probe = [doc.lines for doc in seed_documents]
    assert loaded.predict_proba(probe) == fit_on(seed_documents, **{option: True}).predict_proba(probe)
    # Without its inputs the stages would read other columns: the scores do depend on them.
    setattr(loaded, attribute, False)
    with pytest.raises(ValueError):
        loaded.predict_proba(probe)


def test_it_scores_long_pages_in_windows_as_whole(
    seed_documents: list[Labelled], extra_model: tuple[str, Path]
) -> None:
    loaded = load_model(extra_model[1])
    joined = [line for doc in seed_documents for line in doc.lines] + THREAD
    for lines in (seed_documents[0].lines, joined):
        expected = loaded._predict_batch([lines])[0]
        for window in (3, 50):
            assert np.array_equal(windows.predict_long(loaded, lines, window=window), expected), window


def test_both_extra_inputs_load_together(seed_documents: list[Labelled], tmp_path: Path) -> None:
    path = tmp_path / "both.npz"
    fitted = fit_on(seed_documents, span_share=True, topic_overlap=True)
    fitted.save(path)
    manifest = read_manifest(path)
    assert manifest["span_share"] is True and manifest["topic_overlap"] is True
    loaded = load_model(path)
    assert loaded.context_stages[0][0][0].shape[0] == len(stack_feature_names()) + len(PAGE_FEATURES) + 1
    probe = [doc.lines for doc in seed_documents]
    assert loaded.predict_proba(probe) == fitted.predict_proba(probe)


def test_models_without_topic_overlap_keep_their_format(model_path: Path) -> None:
    manifest = read_manifest(model_path)
    assert manifest["format"] != EXTENDED_FORMAT and "topic_overlap" not in manifest
    assert not load_model(model_path).topics
