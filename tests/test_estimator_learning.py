"""The classifier learns: trained on the seed labels, it predicts them back well."""

from __future__ import annotations

from conftest import Labelled
from sklearn.metrics import roc_auc_score

from cleaner.classifier.estimator import LineClassifier
from cleaner.labels import BOILERPLATE, CONTENT


def counts(model: LineClassifier, documents: list[Labelled]) -> dict[tuple[str, str], int]:
    table = {(gold, guess): 0 for gold in (CONTENT, BOILERPLATE) for guess in (CONTENT, BOILERPLATE)}
    for doc, predicted in zip(documents, model.predict([d.lines for d in documents])):
        for gold, guess in zip(doc.labels, predicted):
            if gold is not None:
                table[gold, guess] += 1
    return table


def test_training_set_accuracy(trained_model: LineClassifier, seed_documents: list[Labelled]) -> None:
    table = counts(trained_model, seed_documents)
    correct = table[CONTENT, CONTENT] + table[BOILERPLATE, BOILERPLATE]
    assert correct / sum(table.values()) > 0.9


def test_keeps_most_content_and_drops_most_boilerplate(
    trained_model: LineClassifier, seed_documents: list[Labelled]
) -> None:
    table = counts(trained_model, seed_documents)
    content_recall = table[CONTENT, CONTENT] / (table[CONTENT, CONTENT] + table[CONTENT, BOILERPLATE])
    dropped = table[BOILERPLATE, BOILERPLATE] / (table[BOILERPLATE, BOILERPLATE] + table[BOILERPLATE, CONTENT])
    assert content_recall > 0.8
    assert dropped > 0.8


def test_every_seed_document_keeps_content(trained_model: LineClassifier, seed_documents: list[Labelled]) -> None:
    for doc in seed_documents:
        cleaned = trained_model.predictor_.clean(doc.text)
        kept_content = [line for line, label in zip(doc.lines, doc.labels) if label == CONTENT and line in cleaned]
        assert len(kept_content) >= 0.7 * doc.labels.count(CONTENT), doc.name


def test_content_scores_above_boilerplate(trained_model: LineClassifier, seed_documents: list[Labelled]) -> None:
    """Independently of the chosen threshold, P(content) ranks content lines above boilerplate."""
    gold, scores = [], []
    for doc, probabilities in zip(seed_documents, trained_model.predict_proba([d.lines for d in seed_documents])):
        for label, score in zip(doc.labels, probabilities):
            if label is not None:
                gold.append(label == CONTENT)
                scores.append(score)
    assert roc_auc_score(gold, scores) > 0.9
