"""cleaner.training.record_shapes: one line as a record, alone or with its page's nearest chrome."""

from __future__ import annotations

from cleaner.labels import BOILERPLATE, CONTENT
from cleaner.training.labels import LabelledDocument
from cleaner.training.record_shapes import cut_records, shaped

PAGE = LabelledDocument(
    "p",
    ["Home | News", "", "A headline", "A first paragraph of the article, long enough.", "Share", "Footer"],
    [BOILERPLATE, None, CONTENT, CONTENT, BOILERPLATE, BOILERPLATE],
)


def test_each_line_gets_the_nearest_chrome_line_on_each_side() -> None:
    assert cut_records([PAGE], CONTENT, 20) == [
        ("A first paragraph of the article, long enough.", "Home | News", "Share")
    ]
    assert cut_records([PAGE], BOILERPLATE, 6) == [("Home | News", None, "Share"), ("Footer", "Share", None)]


def test_shapes_put_the_line_where_its_chrome_leaves_it() -> None:
    record = ("Text", "Menu", "Share")
    assert shaped(record, "alone") == (["Text"], 0)
    assert shaped(record, "above") == (["Menu", "Text"], 1)
    assert shaped(record, "below") == (["Text", "Share"], 0)
    assert shaped(record, "both") == (["Menu", "Text", "Share"], 1)
    assert shaped(("Footer", "Share", None), "both") == (["Share", "Footer"], 1)  # no chrome below it
