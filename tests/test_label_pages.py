"""What cleaner label proposes for each page: its order (suggest's ranking), a name, a site, a
language, and a source that `cleaner labels check` can compare the saved labels with."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import Labelled

from cleaner.classifier.estimator import LineClassifier
from cleaner.training.check import check_labels
from cleaner.training.labelling.language import detect_language
from cleaner.training.labelling.pages import guess_site, load_pages
from cleaner.training.labelling.store import Row, save_page
from cleaner.training.suggest import rank_uncertain


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("Ngoại trưởng Đức hối thúc khôi phục cơ chế đối thoại của các nước với Nga trong năm nay.", "vi"),
        ("The council approved the new parking rates for the downtown area on Tuesday night.", "en"),
        ("Die Stadt hat die neuen Parkgebühren für die Innenstadt am Dienstag beschlossen.", "de"),
        ("Le conseil a approuvé les nouveaux tarifs de stationnement pour le centre-ville.", "fr"),
        ("市议会周二批准了市中心新的停车收费标准。", "zh"),
        ("市議会は火曜日に、中心街の新しい駐車料金を承認しました。", "ja"),
        ("12:45 | 27/02/2025", "und"),
    ],
)
def test_language_by_stopword_vote(text: str, language: str) -> None:
    assert detect_language([text, "", text]) == language


def test_language_of_the_labelled_pages(seed_documents: list[Labelled]) -> None:
    assert {detect_language(doc.lines) for doc in seed_documents} == {"vi"}


@pytest.mark.parametrize(
    ("where", "url", "lines", "site"),
    [
        ("dump.jsonl:3", "https://www.vnexpress.net/the-thao/x.html", [], "vnexpress.net"),
        ("crawl/baoquocte.vn/page-1.txt", None, [], "baoquocte.vn"),
        (
            "page.txt",
            None,
            ["![](https://www.thoidai.com.vn/a.jpg)", "![](https://cdn.x.com/b.jpg)", "see https://thoidai.com.vn/c"],
            "thoidai.com.vn",
        ),
        ("page.txt", None, ["No links here."], ""),
    ],
)
def test_site_from_the_url_the_folder_or_the_links(where: str, url: str | None, lines: list[str], site: str) -> None:
    assert guess_site(where, url, lines) == site


def test_pages_come_in_suggests_order_with_names_free_in_labels(
    tmp_path: Path, seed_documents: list[Labelled], trained_model: LineClassifier
) -> None:
    dumps = tmp_path / "dumps"
    dumps.mkdir()
    for doc in seed_documents:
        (dumps / f"{doc.name}.txt").write_text(doc.text, encoding="utf-8")
    labels = tmp_path / "labels"
    labels.mkdir()
    (labels / f"{seed_documents[0].name}.tsv").write_text("C\tx\n")  # a name already taken
    model = trained_model.predictor_
    pages, documents, errors = load_pages(model, [str(dumps)], labels)
    assert (documents, errors) == (5, 0)
    ranking = rank_uncertain(model, [str(dumps)], top=5)
    assert [page.where for page in pages] == [row.path for row in ranking.rows]
    names = {page.where: page.name for page in pages}
    assert names[str(dumps / f"{seed_documents[0].name}.txt")] == f"{seed_documents[0].name}-2"
    assert len(set(names.values())) == 5
    few, documents, _ = load_pages(model, [str(dumps)], labels, max_pages=2)
    assert [page.where for page in few] == [row.path for row in ranking.rows[:2]] and documents == 5


def test_a_dump_inside_the_repository_is_the_saved_pages_source(
    tmp_path: Path, sample_document: Labelled, trained_model: LineClassifier
) -> None:
    """The manifest's source is relative to the labels folder's parent, and `labels check` then
    compares the saved lines with that dump."""
    repo = tmp_path / "repo"
    (repo / "dumps").mkdir(parents=True)
    dump = repo / "dumps" / "page.txt"
    dump.write_text(sample_document.text, encoding="utf-8")
    (page,), _, _ = load_pages(trained_model.predictor_, [str(dump)], repo / "labels")
    assert page.source == "dumps/page.txt"
    tags = [None if label is None else label[0].upper() for label in sample_document.labels]
    save_page(repo / "labels", Row(page.name, "baoquocte.vn", "vi", page.source), page.lines, tags, None)
    assert check_labels(repo / "labels", echo=lambda _: None) == []
    dump.write_text(sample_document.text.replace("Nga", "Mỹ", 1), encoding="utf-8")
    assert any("differs from its source" in problem for problem in check_labels(repo / "labels", echo=lambda _: None))


def test_a_page_saved_before_is_offered_as_saved_with_its_labels(
    tmp_path: Path, sample_document: Labelled, trained_model: LineClassifier
) -> None:
    """After a restart, a page saved the day before came back as a new page, pre-labelled by the
    model (the person's corrections gone) and under a new name, so that saving it again made a
    second label file of the same text. It is now found by its text in labels/."""
    dump = tmp_path / "page.txt"
    dump.write_text(sample_document.text, encoding="utf-8")
    labels = tmp_path / "labels"
    model = trained_model.predictor_
    (page,), _, _ = load_pages(model, [str(dump)], labels)
    guessed = model.predict_lines(page.lines)
    corrected = [None if tag is None else ("B" if tag == "content" else "C") for tag in guessed]  # every line flipped
    corrected[next(i for i, tag in enumerate(corrected) if tag is not None)] = "C"
    save_page(labels, Row("mine", "baoquocte.vn", "vi", kind="news"), page.lines, corrected, None)
    (again,), _, _ = load_pages(model, [str(dump)], labels)
    assert again.saved_as == "mine"
    assert (again.site, again.language, again.kind) == ("baoquocte.vn", "vi", "news")
    assert again.labels == [None if tag is None else ("content" if tag == "C" else "boilerplate") for tag in corrected]


HINDI = """मुख्य पृष्ठ | देश | विदेश | खेल | मनोरंजन | व्यापार
लॉग इन करें

# जयपुर में पानी की नई पाइपलाइन का काम शुरू

जयपुर, 3 जुलाई 2026

नगर निगम ने सोमवार को शहर के पुराने इलाकों में पानी की नई पाइपलाइन बिछाने का काम शुरू किया।
अधिकारियों के अनुसार यह काम छह महीने में पूरा होगा और इससे करीब दो लाख लोगों को रोज़ साफ पानी मिलेगा।
कुछ सड़कों पर खुदाई के कारण यातायात धीमा रहेगा, इसलिए लोगों से दूसरे रास्तों का इस्तेमाल करने को कहा गया है।
महापौर ने बताया कि गर्मी में मांग बढ़ने से मई और जून में कई मोहल्लों में मुश्किल से एक घंटा पानी आता था।

ये भी पढ़ें
शेयर करें: फेसबुक | ट्विटर
"""

MARATHI = """मुख्यपृष्ठ | महाराष्ट्र | देश | क्रीडा | मनोरंजन
लॉग इन करा

# नाशिकमध्ये पाण्याच्या नव्या जलवाहिनीचे काम सुरू

नाशिक, ३ जुलै २०२६

महापालिकेने सोमवारी शहराच्या जुन्या भागांत पाण्याची नवी जलवाहिनी टाकण्याचे काम सुरू केले.
अधिकाऱ्यांच्या म्हणण्यानुसार हे काम सहा महिन्यांत पूर्ण होईल आणि त्यामुळे सुमारे दोन लाख लोकांना रोज स्वच्छ पाणी मिळेल.
काही रस्त्यांवर खोदकाम सुरू असल्याने वाहतूक संथ राहील, म्हणून नागरिकांनी दुसऱ्या मार्गांचा वापर करावा असे सांगण्यात आले आहे.

हे पण वाचा
शेअर करा: फेसबुक | ट्विटर
"""


@pytest.mark.parametrize(("text", "language"), [(HINDI, "hi"), (MARATHI, "mr")])
def test_hindi_and_marathi_pages_are_told_apart(text: str, language: str) -> None:
    """Both are written in Devanagari. Words were cut at every vowel sign (a combining mark, which
    the word pattern left out): "में" counted as "म", a one-letter Marathi stopword, and a Hindi
    news page was proposed as Marathi. A word now holds its marks."""
    assert detect_language(text.splitlines()) == language


def test_a_tie_goes_to_the_more_common_language() -> None:
    """ "der" is a Danish, German, Dutch and Norwegian stopword: a tie, which went to the first code
    in the alphabet (da); it now goes to the language more of the web is written in."""
    from cleaner.training.labelling.language import PREVALENCE, rank

    assert rank("en") < rank("de") < rank("hi") < rank("mr") < rank("xx") == len(PREVALENCE)
    assert detect_language(["der"]) == "de"


def test_the_site_is_not_guessed_from_the_images_a_page_shows() -> None:
    """A blog dump whose only URLs were its images and icons was proposed the site img1.blogblog.com
    (their server): images and files are left out, and a page without other links asks for its site."""
    from cleaner.training.labelling.pages import guess_site

    icon = "![](http://img1.blogblog.com/img/icon18_wrench_allbkg.png)"
    blog = [
        "Life as a Healthcare CIO",
        "![](http://4.bp.blogspot.com/-Fl4Kk/UIchYvrOTGI/s200/shanghai.jpg)",
        "This week I'm in Shanghai.",
        *[icon] * 5,
        "![Weather](http://banners.wunderground.com/cgi-bin/banner/ban/wxBanner?bannertype=wxstnsticker)",
        "Logo: http://img2.blogblog.com/img/icon18_edit_allbkg.gif",
    ]
    assert guess_site("dumps/dn-1.txt", None, blog) == ""
    linked = [
        *blog,
        "[Older post](http://geekdoctor.blogspot.com/2012/10/older.html)",
        "[Home](http://geekdoctor.blogspot.com/)",
    ]
    assert guess_site("dumps/dn-1.txt", None, linked) == "geekdoctor.blogspot.com"
