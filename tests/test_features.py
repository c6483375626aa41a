"""cleaner.features.shape: one finite row per non-blank line, with context, documents kept apart."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cleaner.classifier.first_stage import stopword_lists
from cleaner.features.batch import LineBatch
from cleaner.features.shape import shape_feature_names, shape_matrix
from cleaner.text import is_blank

ARTICLE = [
    "Trang chủ | Thời sự | Thế giới",
    "",
    "Ngoại trưởng Đức hối thúc khôi phục cơ chế đối thoại NATO - Nga",
    "11:45 27/02/2025",
    "![]() |",
    "Ngày 24/3, Ngoại trưởng Đức cho biết ông hoan nghênh nối lại đối thoại giữa NATO và Nga.",
    "   ",
    "The minister said the council offers a chance for an in-depth and trustworthy exchange.",
    "Tin bài liên quan",
    "- Nga bất ngờ điều tàu chiến hướng về biển Baltic",
]
OTHER = ["Menu", "Login", "", "A short article body that ends with a full stop."]


def features(documents: list[list[str]]) -> np.ndarray:
    return shape_matrix(LineBatch(documents), stopword_lists(("vi", "en")))


def non_blank_count(documents: list[list[str]]) -> int:
    return sum(not is_blank(line) for doc in documents for line in doc)


def test_one_row_per_non_blank_line() -> None:
    documents = [ARTICLE, OTHER]
    matrix = features(documents)
    names = shape_feature_names()
    assert matrix.shape == (non_blank_count(documents), len(names))
    assert np.isfinite(matrix).all()
    assert len(set(names)) == len(names)


def test_no_rows_without_lines() -> None:
    width = len(shape_feature_names())
    assert features([]).shape == (0, width)
    assert features([[]]).shape == (0, width)
    assert features([["", "  ", "\t"]]).shape == (0, width)


def test_lines_differ_from_each_other() -> None:
    matrix = features([ARTICLE])
    assert len({row.tobytes() for row in matrix}) == len(matrix)


def test_neighbour_features_exist() -> None:
    names = shape_feature_names()
    assert any("prev" in name for name in names)
    assert any("next" in name for name in names)


def test_a_line_sees_its_neighbours() -> None:
    """The same line gets different rows when its neighbours change."""
    line = "Ngày 24/3, Ngoại trưởng Đức cho biết ông hoan nghênh nối lại đối thoại giữa NATO và Nga."
    among_prose = features([["Đoạn văn dài đầu tiên của bài báo, kết thúc bằng dấu chấm.", line, "Kết thúc."]])
    among_menus = features([["Trang chủ", line, "Đăng nhập | Đăng ký"]])
    assert not np.allclose(among_prose[1], among_menus[1])


def test_documents_are_independent() -> None:
    """A document's rows do not depend on the documents transformed with it."""
    together = features([ARTICLE, OTHER])
    apart = np.vstack([features([ARTICLE]), features([OTHER])])
    np.testing.assert_allclose(together, apart)


def test_blank_lines_only_count_as_context() -> None:
    with_blanks = features([ARTICLE])
    assert with_blanks.shape[0] == non_blank_count([ARTICLE])
    assert not np.allclose(with_blanks, features([[line for line in ARTICLE if not is_blank(line)]]))


def test_deterministic() -> None:
    np.testing.assert_array_equal(features([ARTICLE, OTHER]), features([ARTICLE, OTHER]))


DOCUMENTS = st.lists(
    st.lists(
        st.one_of(
            st.sampled_from(["", " ", "\t", "![]() |", "11:45 27/02/2025", "- a", "[x]", "a-b-c d"]),
            st.text(st.characters(exclude_characters="\r\n"), max_size=60),
        ),
        max_size=12,
    ),
    max_size=4,
)


@settings(max_examples=50, deadline=None)
@given(DOCUMENTS)
def test_shape_and_finiteness_on_arbitrary_documents(documents: list[list[str]]) -> None:
    matrix = features(documents)
    assert matrix.shape == (non_blank_count(documents), len(shape_feature_names()))
    assert np.isfinite(matrix).all()


@pytest.mark.parametrize("documents", [[ARTICLE], [ARTICLE, OTHER], [[], OTHER, ["", " "]]])
def test_non_blank_lines(documents: list[list[str]]) -> None:
    lines = LineBatch(documents).lines
    expected = [line for doc in documents for line in doc if not is_blank(line)]
    assert len(lines) == len(expected) == features(documents).shape[0]
    assert [line.strip() for line in lines] == [line.strip() for line in expected]


def test_slug_prefix_that_spells_the_headline_is_flagged() -> None:
    page = [
        "Các nước châu Âu muốn khôi phục hợp tác song phương với Nga",
        "cac nuoc chau au muon khoi phuc hop tac song phuong voi nga Nga - Pháp thắt chặt hợp tác",
        "5-7 kg 60-100 mg siro 120 mg/5 ml dùng cho trẻ nhỏ",
        "off-peak and super off-peak return fares",
    ]
    flags = column([page], "slug_spells_title").tolist()
    assert flags == [0.0, 1.0, 0.0, 0.0]


def column(documents: list[list[str]], name: str) -> np.ndarray:
    return features(documents)[:, shape_feature_names().index(name)]


@pytest.mark.parametrize(
    ("line", "terminal"),
    [
        ("Ông nói rằng mọi việc đã xong.", 1.0),
        ('Ông nói: "Mọi việc đã xong."', 1.0),
        ("Mọi việc đã xong (ảnh minh họa).", 1.0),
        ("Hà Khê công bố 5 sản phẩm OCOP mới (11/06/2025)", 0.0),
        ('Bộ trưởng: "Không để ai bị bỏ lại phía sau"', 0.0),
        ("Tin liên quan", 0.0),
    ],
)
def test_a_closing_bracket_or_quote_ends_a_sentence_only_after_a_terminal_mark(line: str, terminal: float) -> None:
    assert column([[line]], "ends_terminal")[0] == terminal


@pytest.mark.parametrize(
    ("line", "ends_date"),
    [
        ("Hà Khê công bố 5 sản phẩm OCOP mới (11/06/2025)", True),
        ("Giá vàng hôm nay | 10:42", True),
        ("Kỷ niệm ngày 2/9 [03/09]", True),
        ("Chiều 12/6, UBND tỉnh tổ chức hội nghị tổng kết.", False),
        ("Tỷ số chung cuộc 2-1 sau 90 phút", False),
        ("Năm 2025", False),
    ],
)
def test_ends_date_spots_a_stamped_title(line: str, ends_date: bool) -> None:
    assert column([[line]], "ends_date")[0] == float(ends_date)


TEASERS = [
    "Giá hồ tiêu tăng trở lại, nông dân Bình Phước tích trữ chờ giá",
    "Giá hồ tiêu đen trong nước đã quay lại mốc 150.000 đồng/kg sau khi các nhà nhập khẩu tăng mua.",
    "Chính phủ lập tổ công tác tháo gỡ vướng mắc cho doanh nghiệp xuất khẩu gỗ",
    "Tổ công tác có nhiệm vụ làm việc với các nước nhập khẩu về yêu cầu truy xuất nguồn gốc gỗ.",
    "Giá gạo xuất khẩu xuống thấp nhất trong tám năm qua",
    "Giá gạo 5% tấm của Việt Nam chỉ còn 365 USD/tấn khi Ấn Độ tiếp tục nới lỏng xuất khẩu.",
]


def test_a_run_of_title_and_summary_pairs_is_a_teaser_run() -> None:
    assert column([["Tin mới nhất", *TEASERS]], "teaser_run").tolist() == [0.0] + [1.0] * 6


def test_two_pairs_or_a_paragraph_of_several_sentences_make_no_teaser_run() -> None:
    assert column([TEASERS[:4]], "teaser_run").tolist() == [0.0] * 4
    several = [*TEASERS[:3], TEASERS[3] + " Đoàn sẽ làm việc đến hết năm nay.", *TEASERS[4:]]
    assert column([several], "teaser_run").tolist() == [0.0] * 6


def test_a_teaser_run_does_not_span_two_documents() -> None:
    runs = column([TEASERS[:4], TEASERS[4:] + TEASERS[:2]], "teaser_run")
    assert runs.tolist() == [0.0] * 8


def test_a_headline_over_paragraphs_heads_more_prose_than_a_teaser_title() -> None:
    body = [
        "Ngân hàng Đông Hải giảm lãi suất tiết kiệm kỳ hạn 12 tháng",
        "Thứ Hai, 12/05/2025 - 08:30",
        TEASERS[1] + " " + TEASERS[3],
        TEASERS[5] + " Lãi suất huy động được dự báo còn giảm trong quý tới.",
    ]
    document = [*TEASERS, *body]
    after = column([document], "heading_prose_after_log")
    before = column([document], "heading_prose_before_log")
    headline, teaser_titles = len(TEASERS), [0, 2, 4]
    assert after[headline] > max(after[teaser_titles]) + 1  # e (2.7) times the prose, and more
    assert before[headline] == pytest.approx(np.log1p(len(TEASERS[5])))  # the last teaser's summary
    not_headings = [i for i in range(len(document)) if i not in (headline, *teaser_titles)]
    assert not after[not_headings].any() and not before[not_headings].any()  # prose, and a dated line


def test_vowel_signs_are_letters_of_their_words() -> None:
    """Thai and Devanagari write vowels and tones as combining marks that have no precomposed form.
    Counted as symbols, they gave a Thai or Hindi sentence a third of punctuation, and split its
    words at every sign: now they are letters of their words, as an accent on a Latin letter is."""
    thai = "นายกรัฐมนตรีกล่าวว่ารัฐบาลจะเพิ่มงบประมาณด้านการศึกษาในปีหน้า"
    hindi = "प्रधानमंत्री ने कहा कि सरकार अगले साल शिक्षा बजट बढ़ाएगी।"
    assert list(column([[thai, hindi]], "symbol_ratio")) == [0.0, pytest.approx(1 / len(hindi))]  # the danda
    starts, ends, _ = LineBatch([[hindi]]).tokens
    assert [hindi[a:b] for a, b in zip(starts, ends)] == hindi.rstrip("।").split()
