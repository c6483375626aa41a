"""Training-time augmentation takes only what labelled pages hold: excerpts are runs of a page's lines,
records a run of article (or chrome) lines with a chrome line of its page at either end, trimmed
pages a page with the chrome above or below its article cut off, reprinted pages a page followed by
a second print of it, boilerplate throughout."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from cleaner.classifier.augment import excerpts, records, reprinted, split_page, trimmed

LABEL = st.sampled_from(["content", "boilerplate", None])
LINE = st.sampled_from(["", "Menu", "A sentence of the article.", "Footer", "x"])
PAGE = st.lists(st.tuples(LINE, LABEL), max_size=15)


def split(pages: list[list[tuple[str, str | None]]]) -> tuple[list[list[str]], list[list[str | None]]]:
    """Generated pages as the augmentation functions take them: lines, and their labels."""
    return [[line for line, _ in page] for page in pages], [[label for _, label in page] for page in pages]


def is_run_of(run: list[tuple[str, str | None]], lines: list[str], labels: list[str | None]) -> bool:
    """Whether ``run`` (line, label pairs) is a run of the page's non-blank lines, in a row."""
    pairs = [(line, label) for line, label in zip(lines, labels) if line.strip()]
    return any(pairs[k : k + len(run)] == run for k in range(len(pairs)))


@settings(max_examples=100, deadline=None)
@given(st.lists(PAGE, min_size=1, max_size=5), st.integers(0, 20), st.integers(0, 3), st.sampled_from([0.0, 0.5, 1.0]))
def test_an_excerpt_is_a_short_run_of_a_pages_non_blank_lines(
    pages: list[list[tuple[str, str | None]]], n_new: int, seed: int, chrome_share: float
) -> None:
    documents, labels = split(pages)
    has_content = [any(label == "content" and line.strip() for line, label in page) for page in pages]
    sources, new_docs, new_labels = excerpts(documents, labels, n_new, seed, chrome_share)
    assert len(sources) == len(new_docs) == len(new_labels) == (n_new if any(has_content) else 0)
    for source, doc, tags in zip(sources, new_docs, new_labels):
        assert has_content[source]
        assert is_run_of(list(zip(doc, tags)), documents[source], labels[source]), "not a run of the page's lines"
        assert 1 <= len(doc) <= 6
        if chrome_share == 0.0:
            assert "content" in tags


@settings(max_examples=100, deadline=None)
@given(st.lists(PAGE, min_size=1, max_size=5), st.integers(0, 20), st.integers(0, 3), st.sampled_from([0.0, 0.5, 1.0]))
def test_a_record_is_a_run_of_a_pages_lines_between_two_of_its_chrome_lines(
    pages: list[list[tuple[str, str | None]]], n_new: int, seed: int, chrome_share: float
) -> None:
    """A run of one to three article lines (``chrome_share`` 0) or chrome lines (1), all of a page's
    non-blank lines in a row, with at most one chrome line of the page before it and one after."""
    documents, labels = split(pages)
    usable = [{"content", "boilerplate"} <= {label for line, label in page if line.strip()} for page in pages]
    sources, new_docs, new_labels = records(documents, labels, n_new, seed, chrome_share)
    assert len(sources) == len(new_docs) == len(new_labels) == (n_new if any(usable) else 0)
    for source, doc, tags in zip(sources, new_docs, new_labels):
        assert usable[source]
        pairs = [(line, label) for line, label in zip(documents[source], labels[source]) if line.strip()]
        record = list(zip(doc, tags))
        assert all(pair in pairs for pair in record)
        if chrome_share == 0.0:
            content = [k for k, tag in enumerate(tags) if tag == "content"]
            run = record[content[0] : content[-1] + 1]
            assert 1 <= len(run) <= 3 and len(content) == len(run)
            assert is_run_of(run, documents[source], labels[source]), "not a run of the page's lines"
            assert len(record) - len(run) <= 2 and set(tags) - {"content"} <= {"boilerplate"}
            assert content[0] <= 1 and content[-1] >= len(record) - 2  # a frame line at each end at most
        if chrome_share == 1.0:
            assert set(tags) == {"boilerplate"} and 1 <= len(record) <= 5


def test_a_records_frame_is_the_nearest_chrome_around_its_run() -> None:
    page = ["Home | News", "", "Headline of the story", "First paragraph.", "Second paragraph.", "Share", "Footer"]
    tags: list[str | None] = ["boilerplate", None, "content", "content", "content", "boilerplate", "boilerplate"]
    _, new_docs, _ = records([page], [tags], 200, random_state=1, chrome_share=0.0)
    runs = {tuple(doc) for doc in new_docs}
    assert ("Home | News", "First paragraph.", "Share") in runs
    assert ("Home | News", "Headline of the story", "First paragraph.", "Second paragraph.", "Share") in runs
    assert ("First paragraph.", "Share") in runs and ("Home | News", "Second paragraph.") in runs  # one side
    assert ("Second paragraph.",) in runs  # neither
    assert all(set(doc) <= set(page) - {"", "Footer"} for doc in new_docs)  # the nearest chrome, not the footer


def test_excerpts_start_at_article_lines_and_at_chrome_lines() -> None:
    page = ["Home | News", "", "Headline of the story", "First paragraph.", "Second paragraph.", "Share", "Footer"]
    tags: list[str | None] = ["boilerplate", None, "content", "content", "content", "boilerplate", "boilerplate"]
    _, new_docs, new_labels = excerpts([page], [tags], 200, random_state=1, chrome_share=0.5)
    runs = {tuple(doc) for doc in new_docs}
    assert ("Home | News", "Headline of the story", "First paragraph.") in runs  # an article line with chrome above
    assert ("Second paragraph.", "Share", "Footer") in runs  # chrome alone but for the line above
    assert any("content" not in labels for labels in new_labels)


@settings(max_examples=100, deadline=None)
@given(st.lists(PAGE, min_size=1, max_size=5), st.integers(0, 20), st.integers(0, 3))
def test_a_trimmed_page_is_its_page_from_or_to_its_article(
    pages: list[list[tuple[str, str | None]]], n_new: int, seed: int
) -> None:
    documents, labels = split(pages)
    has_content = ["content" in tags for tags in labels]
    sources, new_docs, new_labels = trimmed(documents, labels, n_new, seed)
    assert len(sources) == len(new_docs) == len(new_labels) == (n_new if any(has_content) else 0)
    for source, doc, tags in zip(sources, new_docs, new_labels):
        top, article, _ = split_page(documents[source], labels[source])
        starts = {0, article.start} if top.stop > top.start else {0}
        stops = {len(documents[source]), article.stop}
        found = [(a, b) for a in starts for b in stops if documents[source][a:b] == doc and labels[source][a:b] == tags]
        assert found, "not the page cut at its article's edges (every article line kept)"


def test_trimmed_pages_cut_the_top_the_bottom_and_both() -> None:
    page = ["Home | News", "", "Headline of the story", "First paragraph.", "Share", "Footer"]
    tags: list[str | None] = ["boilerplate", None, "content", "content", "boilerplate", "boilerplate"]
    _, new_docs, _ = trimmed([page], [tags], 60, random_state=2)
    # From the headline down, down to the last article line, and the article alone.
    assert {tuple(doc) for doc in new_docs} == {tuple(page[2:]), tuple(page[:4]), tuple(page[2:4])}


@settings(max_examples=100, deadline=None)
@given(st.lists(PAGE, min_size=1, max_size=5), st.integers(0, 20), st.integers(0, 3))
def test_a_reprinted_page_is_its_page_and_a_boilerplate_copy_from_above_its_article(
    pages: list[list[tuple[str, str | None]]], n_new: int, seed: int
) -> None:
    documents, labels = split(pages)
    has_content = ["content" in tags for tags in labels]
    sources, new_docs, new_labels = reprinted(documents, labels, n_new, seed)
    assert len(sources) == len(new_docs) == len(new_labels) == (n_new if any(has_content) else 0)
    for source, doc, tags in zip(sources, new_docs, new_labels):
        page, page_tags = documents[source], labels[source]
        n = len(page)
        assert doc[:n] == page and tags[:n] == page_tags, "the first print is the page as labelled"
        start = n - (len(doc) - n)
        assert start <= split_page(page, page_tags)[1].start, "the second print holds the whole article"
        assert doc[n:] == page[start:]
        assert tags[n:] == [None if tag is None else "boilerplate" for tag in page_tags[start:]]
