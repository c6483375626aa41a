"""Hard-wrapped dumps (html2text's 78 columns, lynx, w3m): soft breaks found, paragraphs classified whole.

The wrapped inputs are made here from labels/ pages and generated prose with Python's textwrap, never
from devset text. ``cleaner.training.wrapped_eval`` (``make eval-wrapped``) measures the same on the devset.
"""

from __future__ import annotations

import textwrap
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from support import assert_clean_shape, output_lines
from test_features_vectorised import DOCUMENTS

from cleaner.classifier.estimator import LineClassifier
from cleaner.features.batch import LineBatch
from cleaner.features.markdown import is_markup_only
from cleaner.features.unwrap import Edges, rejoin, soft_breaks
from cleaner.labels import CONTENT
from cleaner.text import is_blank, split_lines
from cleaner.training.labels import LabelledDocument, load_labelled_dir

LABELS = Path(__file__).resolve().parent.parent / "labels"


def wrap(lines: list[str], width: int = 78) -> tuple[list[str], list[int]]:
    """Each non-blank line wrapped with textwrap (blank lines kept), and each output line's source line."""
    out: list[str] = []
    source: list[int] = []
    for index, line in enumerate(lines):
        pieces = [""] if is_blank(line) else textwrap.wrap(line, width)
        out += pieces
        source += [index] * len(pieces)
    return out, source


def paragraphs(lines: list[str]) -> list[str]:
    """What the model reads of a dump: its non-blank lines after rejoining, whitespace normalised."""
    rejoined = rejoin([lines])
    kept = rejoined.documents[0] if rejoined is not None else lines
    return [" ".join(line.split()) for line in kept if not is_blank(line)]


@pytest.fixture(scope="module")
def labelled() -> list[LabelledDocument]:
    return load_labelled_dir(LABELS)


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(DOCUMENTS)
def test_the_edges_of_a_batch_are_those_of_its_lines(documents: list[list[str]]) -> None:
    """The predictor reads a batch's edges from its text and a long document's from its lines:
    the same values either way."""
    batch = LineBatch(documents)
    expected, actual = Edges.of(documents), Edges.of_batch(batch)
    assert actual.lines == expected.lines
    for name in ("bounds", "doc", "n", "first", "second", "last", "follows"):
        assert np.array_equal(getattr(actual, name), getattr(expected, name)), name


def test_one_block_per_line_dumps_are_left_alone(labelled: list[LabelledDocument]) -> None:
    """No labelled page (each one block per line, as the model learnt) is taken for a wrapped one."""
    edges = Edges.of([doc.lines for doc in labelled])
    soft, _ = soft_breaks(edges)
    assert not soft.any(), sorted({labelled[d].name for d in edges.doc[soft].tolist()})


# A page of one block per line whose list items end in ";" or "," at about one length, each
# followed by an item in lower case, read like a paragraph wrapped at that length; but three of the
# page's lines are longer, which a wrapper would have broken.
LIST_PAGE = [
    "Accueil | Vivre ici | Démarches | Contact",
    "Inscription des nouveaux habitants",
    "Toute personne qui s'installe dans la commune s'annonce au contrôle des habitants dans les quatorze jours "
    "qui suivent son arrivée, qu'elle vienne d'une autre commune du canton ou de plus loin encore.",
    "Sont concernés :",
    "toutes les personnes qui prennent domicile dans la commune, seules ou en famille, et leurs enfants ;",
    "toutes les personnes en séjour de plus de trois mois, étudiants et apprentis compris, sans exception ;",
    "ensuite les propriétaires d'un logement de vacances qui y passent plus de trois mois chaque année ;",
    "enfin les ressortissants étrangers, qu'ils soient déjà titulaires d'un permis ou non, sans distinction.",
    "Documents à présenter au guichet :",
    "copie du bail à loyer ou de l'acte d'achat, ou bien une attestation écrite du logeur avec sa signature ;",
    "pièce d'identité valable pour chaque personne, carte d'identité ou passeport, même pour les enfants ;",
    "livret de famille ou certificat de famille pour les couples mariés et les familles avec des enfants ;",
    "photos récentes au format passeport pour chaque personne de nationalité étrangère âgée de plus de 18 ans.",
    "L'inscription coûte 20 francs par adulte et reste gratuite pour les enfants. Le paiement se fait au guichet "
    "par carte ou en espèces ; l'attestation d'établissement est remise sur place ou envoyée par la poste.",
    "Le guichet est ouvert du lundi au vendredi de 8 h à 11 h 30, le mardi aussi de 16 h à 18 h 30, et sur "
    "rendez-vous en dehors de ces heures pour les personnes qui travaillent à plein temps loin de la commune.",
    "Dernière mise à jour : 3 mars 2025",
]


def test_a_list_of_items_of_one_length_is_not_taken_for_wrapped_text() -> None:
    """Lines that read on at about one width are not enough: when lines longer than that width are
    not few beside them (a wrapper breaks every line it can), the page is left as it is."""
    soft, _ = soft_breaks(Edges.of([LIST_PAGE]))
    assert not soft.any(), [LIST_PAGE[i] for i in np.flatnonzero(soft)]


@pytest.mark.parametrize("width", [60, 78, 100])
def test_wrapped_pages_rejoin_into_their_lines(labelled: list[LabelledDocument], width: int) -> None:
    """Wrapped labelled pages come back as their own lines: nearly every line is one paragraph
    again (the misses are paragraphs whose last line is so full that the next line's first word
    would not have fitted: a wrapper's output cannot tell those from soft breaks)."""
    found = total = 0
    for doc in labelled:
        wrapped, _ = wrap(doc.lines, width)
        if wrapped == doc.lines:  # no line longer than the width (short lines of Korean, Japanese...)
            continue
        recovered = set(paragraphs(wrapped))
        original = [" ".join(line.split()) for line in doc.lines if not is_blank(line)]
        found += sum(line in recovered for line in original)
        total += len(original)
    assert found / total >= 0.92, found / total


def test_a_wrapped_paragraph_among_menu_lines() -> None:
    body = (
        "The council met on Tuesday to discuss the harbour plan, which has been delayed twice since the "
        "spring because the dredging contract was challenged in court by two of the bidders."
    )
    second = "Residents who live along the quay said they were relieved that the work would finally start."
    lines = ["Home", "News", "Sport", "", *textwrap.wrap(body, 40), "", *textwrap.wrap(second, 40), "Share this"]
    assert paragraphs(lines) == ["Home", "News", "Sport", body, second, "Share this"]


def test_markdown_links_are_wrapped_as_given() -> None:
    """A wrapper counts a link's target in the width: the lines as given, not the text features'
    (which read the link's text only), decide where the soft breaks are."""
    body = (
        "The council met on Tuesday to discuss [the harbour plan](https://example.com/news/harbour-plan), "
        "which has been delayed twice since the spring because [the dredging contract]"
        "(https://example.com/contracts/dredging) was challenged in court by two of the bidders."
    )
    wrapper = textwrap.TextWrapper(60, break_long_words=False, break_on_hyphens=False)  # as html2text wraps
    lines = ["Home", "News", *wrapper.wrap(body), "", *wrapper.wrap(body), "Share this"]
    assert paragraphs(lines) == ["Home", "News", body, body, "Share this"]


def test_text_without_spaces_is_rejoined_without_spaces() -> None:
    """Chinese and Japanese wrap inside the text at the width exactly; the pieces join with nothing between."""
    sentence = "市议会周二开会讨论港口计划，该计划自春季以来已两次推迟，因为疏浚合同在法庭上受到两家投标者的质疑。"
    body = sentence * 4
    lines = ["首页", "新闻", *textwrap.wrap(body, 30), "分享", *textwrap.wrap(sentence * 3, 30)]
    assert paragraphs(lines) == ["首页", "新闻", body, "分享", sentence * 3]


def test_menus_before_text_without_spaces_are_no_wrapping() -> None:
    """In a script without case or spaces nothing tells a menu row that ends before a line of
    Chinese from a paragraph that goes on in it: such pairs are no evidence, however their lengths
    line up (here four rows of pipes and a breadcrumb would all fit a width of 48 or so). Only text
    without spaces broken at the width exactly is."""
    lines = [
        "优品汇 - 正品低价",
        "我的订单 | 我的收藏 | 会员中心 | 企业采购 | 客户服务 | 网站导航",
        "搜索",
        "首页 | 秒杀 | 优惠券 | 超市 | 生鲜 | 家电 | 数码 | 服饰 | 美妆 | 拍卖",
        "家用电器 > 厨房小电 > 空气炸锅",
        "可视空气炸锅 5.5L大容量 家用多功能 无油低脂 一体不粘内胆",
        "侧面大尺寸可视窗配合内置照明灯，不用拉出炸篮也能随时查看食物上色情况。",
        "商品介绍 | 商品参数 | 包装清单 | 售后保障 | 累计评价",
        "看得见的烹饪，更安心",
        "全部 | 有图 | 追评 | 好评 | 中评 | 差评 | 最新 | 默认排序",
        "追风的蜗牛",
    ]
    assert rejoin([lines]) is None


def test_image_markup_broken_in_its_url_is_markup_again() -> None:
    """textwrap breaks a long URL after a hyphen or at the width; rejoined without a space, the
    line is image markup again (boilerplate by the guideline, whatever its alt text)."""
    image = "![The new quay at dawn](https://example.com/wp-content/uploads/2025/05/harbour-quay-dawn-1024x576.jpg)"
    prose = (
        "The council met on Tuesday to discuss the harbour plan, which has been delayed twice since the "
        "spring because the dredging contract was challenged in court by two of the bidders, and residents "
        "along the quay said they were relieved that the work would finally start next month."
    )
    lines = [*textwrap.wrap(prose, 50), "", *textwrap.wrap(image, 50), "", *textwrap.wrap(prose, 50)]
    rejoined = paragraphs(lines)
    assert rejoined == [prose, image, prose]
    assert is_markup_only(rejoined[1])


VOCABULARY = (
    "the a harbour council plan was delayed twice because contract court bidders said residents were relieved "
    "work would start month quay dredging, spring. Tuesday Council Harbour, and of in to"
)
WORDS = st.sampled_from(VOCABULARY.split(" "))
PARAGRAPH = st.lists(WORDS, min_size=40, max_size=80).map(" ".join)
WRAPPED = st.tuples(st.lists(PARAGRAPH, min_size=3, max_size=6), st.integers(40, 120))
PROPERTY = settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@PROPERTY
@given(WRAPPED)
def test_wrapped_prose_rejoins_exactly(case: tuple[list[str], int]) -> None:
    """Paragraphs of prose wrapped at any width from 40 to 120 and separated by blank lines come
    back exactly, each on one line."""
    texts, width = case
    lines = [piece for text in texts for piece in [*textwrap.wrap(text, width), ""]]
    assert paragraphs(lines) == texts


@PROPERTY
@given(WRAPPED)
def test_cleaning_a_wrapped_dump_only_deletes_lines(trained_model: LineClassifier, case: tuple[list[str], int]) -> None:
    """Every line of a paragraph gets the paragraph's probability, and the cleaned dump is input
    lines, unchanged and in order."""
    texts, width = case
    lines = ["Home", "Sport", *[piece for text in texts for piece in [*textwrap.wrap(text, width), ""]], "Share"]
    predictor = trained_model.predictor_
    probabilities = predictor.predict_proba_lines(lines)
    rejoined = rejoin([lines])
    assert rejoined is not None
    nonblank = [p for p in probabilities if p is not None]
    for row, paragraph in enumerate(rejoined.source.tolist()):
        first = int(np.flatnonzero(rejoined.source == paragraph)[0])
        assert nonblank[row] == nonblank[first]
    text = "\n".join(lines) + "\n"
    assert_clean_shape(output_lines(predictor.clean(text)), split_lines(text))


def test_a_wrapped_page_scores_the_same_alone_and_in_a_batch(
    trained_model: LineClassifier, labelled: list[LabelledDocument]
) -> None:
    """Rejoining is per document: a wrapped page's probabilities do not depend on its company."""
    predictor = trained_model.predictor_
    wrapped = wrap(labelled[0].lines)[0]
    alone = predictor.predict_proba_nonblank([wrapped])[0]
    together = predictor.predict_proba_nonblank([labelled[1].lines, wrapped, labelled[2].lines])[1]
    assert np.array_equal(alone, together)


def test_the_shipped_model_keeps_its_accuracy_on_wrapped_pages(labelled: list[LabelledDocument]) -> None:
    """The labelled pages wrapped at 78 columns (html2text's default) score within 0.02 character
    F1 of the same pages as given, with the shipped model; without rejoining they lose far more."""
    from cleaner import load_model

    model = load_model()

    def char_f1(wrapped: bool) -> float:
        tp = fp = fn = 0
        pairs = [wrap(doc.lines) if wrapped else (doc.lines, list(range(len(doc.lines)))) for doc in labelled]
        predicted = model.predict([lines for lines, _ in pairs])
        for doc, (lines, source), labels in zip(labelled, pairs, predicted):
            for line, index, label in zip(lines, source, labels):
                if doc.labels[index] is None:
                    continue
                chars, truth, kept = len(line.strip()), doc.labels[index] == CONTENT, label == CONTENT
                tp += chars * (truth and kept)
                fp += chars * (kept and not truth)
                fn += chars * (truth and not kept)
        return 2 * tp / (2 * tp + fp + fn)

    unwrapped, wrapped = char_f1(False), char_f1(True)
    assert wrapped >= unwrapped - 0.02, (unwrapped, wrapped)
