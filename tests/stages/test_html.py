"""HTML stage on small hand-written pages: main text, boilerplate left out, metadata."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from newsweave.errors import StageError
from newsweave.stages import html_text
from newsweave.stages.html import HtmlDoc, extract_html, parse_published

HTML = Path(__file__).resolve().parents[1] / "data" / "html"


def _page(name: str, url: str | None = None) -> HtmlDoc:
    return extract_html((HTML / name).read_text(encoding="utf-8"), url)


@pytest.fixture(scope="module")
def news() -> HtmlDoc:
    return _page("news_article.html", "https://courier.example.org/n/123?utm_source=feed")


def test_news_main_text(news: HtmlDoc) -> None:
    assert news.text.startswith("The old harbour bridge reopened")
    for sentence in ("corrosion inside the steel deck", "Tomas Berg, told reporters",
                     "Shop owners on both banks", "check the new expansion joints"):
        assert sentence in news.text
    # one paragraph per line, as the contract says
    assert len([ln for ln in news.text.split("\n") if ln.strip()]) == 5


@pytest.mark.parametrize("boilerplate", [
    "We use cookies", "Accept all cookies",  # cookie banner
    "Subscribe today", "Weather",  # navigation
    "Related stories", "Ferry timetable changes",  # related links
    "commute was a nightmare", "Late and over budget",  # comments
    "All rights reserved", "Privacy policy", "morning briefing",  # footer
])
def test_news_boilerplate_excluded(news: HtmlDoc, boilerplate: str) -> None:
    assert boilerplate not in news.text


def test_news_metadata(news: HtmlDoc) -> None:
    assert news.title == "Harbour bridge reopens after two-year repair"
    assert news.author == "Maria Lindqvist"
    assert news.published == datetime(2024, 3, 5, 9, 30, tzinfo=timezone(timedelta(hours=1)))
    assert news.outlet == "The Riverside Courier"
    assert news.canonical_url == "https://courier.example.org/news/2024/03/harbour-bridge-reopens"
    assert news.language == "en"
    assert news.description and news.description.startswith("The old harbour bridge carries")
    assert news.caption == "The repaired harbour bridge seen from the east quay on Monday morning."


def test_og_and_json_ld_metadata() -> None:
    doc = _page("jsonld_article.html")
    assert doc.title == "Le marché couvert rouvre ses portes"
    assert doc.author == "Claire Dubois"
    # datePublished, not dateModified, with its offset kept
    assert doc.published == datetime(2023, 11, 18, 7, 45, tzinfo=timezone(timedelta(hours=1)))
    assert doc.outlet == "Gazette du Val"
    assert doc.canonical_url == "https://gazette.example.net/local/marche-couvert-rouvre"
    assert doc.language == "fr"
    assert doc.description == "Après huit mois de travaux, les commerçants retrouvent leurs étals."
    assert doc.caption is None
    assert "La charpente métallique" in doc.text
    assert "Accueil" not in doc.text and "mentions légales" not in doc.text


def test_malformed_html_still_extracts() -> None:
    doc = _page("malformed.html", "https://news.example.com/storm")
    assert doc.title == "Storm cuts power to coastal villages"
    assert doc.author == "Jonas Weber"
    for sentence in ("A winter storm with gusts", "Repair crews were working",
                     "Schools in the district", "expects the wind to ease"):
        assert sentence in doc.text
    assert doc.published is None
    assert doc.canonical_url == "https://news.example.com/storm"


def test_non_article_page_has_no_main_text() -> None:
    with pytest.raises(StageError) as err:
        _page("non_article.html", "https://courier.example.org/")
    assert err.value.stage == "extract"
    assert err.value.item == "https://courier.example.org/"


@pytest.mark.parametrize("content", ["", "   \n", "just some words, no markup at all", "\x00\x01\x02"])
def test_empty_or_non_html_input_fails(content: str) -> None:
    with pytest.raises(StageError) as err:
        extract_html(content)
    assert err.value.item == "<html>"


@pytest.mark.parametrize(("value", "expected"), [
    ("2024-03-05T09:30:00+0100", datetime(2024, 3, 5, 9, 30, tzinfo=timezone(timedelta(hours=1)))),
    ("2024-03-05T00:00:00", datetime(2024, 3, 5, tzinfo=timezone.utc)),  # date only: UTC
    ("2024-03-05", datetime(2024, 3, 5, tzinfo=timezone.utc)),
    ("not a date", None),
    (None, None),
])
def test_parse_published(value: str | None, expected: datetime | None) -> None:
    assert parse_published(value) == expected


PROSE_A = "A long paragraph of real article prose that goes on well past one hundred characters in total."
PROSE_B = "Another paragraph of article prose, also longer than the prose threshold used by the merge."


def test_merge_keeps_short_lines_only_with_precision_agreement() -> None:
    recall = f"Menu item\n{PROSE_A}\nSubheading kept\n{PROSE_B}\nShare this"
    precise = f"{PROSE_A}\nSubheading kept\n{PROSE_B}"
    assert html_text.merge(precise, recall, "", "").split("\n") == [PROSE_A, "Subheading kept", PROSE_B]


def test_merge_rescues_prose_both_generic_extractors_agree_on() -> None:
    missed = "A paragraph the main extractor missed, but both readability and jusText found it on this very same page."
    assert len(missed) >= html_text.PROSE_CHARS
    out = html_text.merge(PROSE_A, PROSE_A, f"{missed}\n{PROSE_A}", f"{missed}\n{PROSE_A}")
    assert out.split("\n") == [missed, PROSE_A]
    # one generic extractor alone is not enough
    assert html_text.merge(PROSE_A, PROSE_A, f"{missed}\n{PROSE_A}", PROSE_A) == PROSE_A


def test_trim_edges_drops_dangling_short_runs() -> None:
    lines = ["By a reporter", "5 min read", PROSE_A, "Short middle line", PROSE_B, "More topics:", "Share"]
    assert html_text.trim_edges(lines) == [PROSE_A, "Short middle line", PROSE_B]


def test_a_heading_of_nothing_at_the_end_and_inline_teasers_are_dropped() -> None:
    # "Dieser Artikel erschien zuerst ..." is not short: the trailing run is not all edge, but a
    # last line ending with a colon introduces nothing that was kept.
    credit = "This article first appeared in the October issue of the magazine."
    assert html_text.trim_edges([PROSE_A, credit, "More topics:"]) == [PROSE_A, credit]
    assert html_text.trim_edges([PROSE_A, "Recommendations by Anna:", "Recommendations by Tom:"]) \
        == [PROSE_A]
    # a colon inside the text, or a long last line ending with one, stays
    intro = "The minister listed the three measures the cabinet agreed on this morning:"
    assert html_text.trim_edges([PROSE_A, "Key points:", PROSE_B]) == [PROSE_A, "Key points:", PROSE_B]
    assert html_text.trim_edges([PROSE_A, intro + " " + intro]) == [PROSE_A, intro + " " + intro]
    for teaser in ("VEA TAMBIÉN: Otro titular de la misma página sobre un tema distinto del día",
                   "Lesen Sie auch: Ein anderer Artikel über ein ganz anderes Thema",
                   "Read more: Another headline from the same site", "À lire aussi : un autre titre"):
        assert html_text.trim_edges([PROSE_A, teaser, PROSE_B]) == [PROSE_A, PROSE_B], teaser
    for caption in ("© Oli Scarff/Getty Images", "Foto: dpa / Archiv", "Photo: Reuters",
                    "(Bild: Jane Doe)",
                    "Abbildung 4: Eine klassische Schwachschicht im Schneeprofil",
                    "Figure 2: Results of the survey", "Source: the city's statistics office"):
        assert html_text.trim_edges([PROSE_A, caption, PROSE_B]) == [PROSE_A, PROSE_B], caption
    for notice in ("To read the full story, please subscribe. You can choose a yearly plan.",
                   "Abonnieren Sie unseren Newsletter", "Werden Sie Mitglied bei",
                   "Mit diesem Button kannst Du die Folge teilen.",
                   "Si te gustó, suscríbete a nuestro boletín.",
                   "Abonnez-vous à votre newsletter du matin"):
        assert html_text.trim_edges([PROSE_A, notice, PROSE_B]) == [PROSE_A, PROSE_B], notice
    for story in ('"You have to subscribe to the idea," the coach said after the match.',
                  "Sie ist Mitglied der Partei seit 1998.",  # "sie" = she, at the sentence start
                  "Streaming services lost subscribers in the third quarter, the report says.",
                  "Die Stadt unterstützt die Vereine mit 20.000 Euro im Jahr."):
        assert html_text.trim_edges([PROSE_A, story, PROSE_B]) == [PROSE_A, story, PROSE_B], story
    # the words alone, in a sentence, are prose
    assert html_text.trim_edges([PROSE_A, "Photos of the flood show the bridge.", PROSE_B]) \
        == [PROSE_A, "Photos of the flood show the bridge.", PROSE_B]
    # the words alone, in a sentence, are prose
    said = "Related reports from the committee were published on Monday, the minister said."
    assert html_text.trim_edges([PROSE_A, said, PROSE_B]) == [PROSE_A, said, PROSE_B]


def test_a_list_of_other_articles_with_their_dates_is_dropped() -> None:
    listing = ["Hackers offer the government a discount", "Lunes 18 abril, 2022",
               "The ministry says its data were encrypted", "Jueves 21 abril, 2022"]
    assert html_text.trim_edges([PROSE_A, *listing[:2], PROSE_B, *listing[2:]]) == [PROSE_A, PROSE_B]
    # one heading with its date is the article's own: kept
    own = [PROSE_A, "Episode 158: the sun in a bottle", "Veröffentlicht am 16.08.2019", PROSE_B]
    assert html_text.trim_edges(own) == own
    # a table's rows with dates are the article's
    table = [PROSE_A, "| Song A | 2007 |", "| Song B | 2012-10-26 |", "| Song C | 2017-07-14 |",
             PROSE_B]
    assert html_text.trim_edges(table) == table
    # a sentence before a date is no headline
    told = [PROSE_A, "The results were published on Monday.", "4 January 2004",
            "The minister spoke first.", "5 January 2004", PROSE_B]
    assert html_text.trim_edges(told) == told


def test_list_headings_and_a_label_before_a_date_are_no_text() -> None:
    for heading in ("NOTAS RELACIONADAS", "Quellenangaben:", "Related articles", "Tags:",
                    "Sources"):
        assert html_text.trim_edges([PROSE_A, heading, PROSE_B]) == [PROSE_A, PROSE_B], heading
    kept = html_text.trim_edges([PROSE_A, "Veröffentlichung:", "2. Februar 2022", PROSE_B])
    assert kept == [PROSE_A, "2. Februar 2022", PROSE_B]
    # a label before anything else stays (a subheading that introduces a list)
    assert html_text.trim_edges([PROSE_A, "Die Zutaten:", "Mehl und Zucker", PROSE_B]) \
        == [PROSE_A, "Die Zutaten:", "Mehl und Zucker", PROSE_B]


def test_a_first_line_that_repeats_the_title_is_dropped() -> None:
    text = f"Berne bans the fungicide\n{PROSE_A}\n{PROSE_B}"
    assert html_text.without_title(text, "Berne Bans the Fungicide") == f"{PROSE_A}\n{PROSE_B}"
    assert html_text.without_title(text, "Another headline") == text
    assert html_text.without_title(text, None) == text
    # a text that is only its headline keeps it
    assert html_text.without_title("Berne bans the fungicide", "Berne bans the fungicide") \
        == "Berne bans the fungicide"


def test_a_bare_url_is_never_the_edge_of_the_prose() -> None:
    # A page's own address printed above the text is long, but it is not prose: it goes with
    # the edge run; in the middle of the text it stays.
    url = "https://news.example.org/2024/03/05/a-very-long-address-of-the-article-page-itself.html"
    assert len(url) >= html_text.ANCHOR_CHARS
    assert html_text.trim_edges([url, PROSE_A, "www.example.org", PROSE_B, "www.example.org/shop"]) \
        == [PROSE_A, "www.example.org", PROSE_B]


def test_merge_takes_a_paragraph_once_whatever_its_soft_hyphens() -> None:
    # One trafilatura mode keeps the page's soft hyphens, the other drops them: the same
    # paragraph, taken once (it was inserted a second time).
    hyphenated = PROSE_B.replace("paragraph", "para\u00adgraph").replace("threshold", "thresh\u00adold")
    out = html_text.merge(f"{PROSE_A}\n{hyphenated}", f"{PROSE_A}\n{PROSE_B}", "", "")
    assert out.split("\n") == [PROSE_A, PROSE_B]
