"""Date expressions resolved against the publication date, on the seeds and in four languages."""
from __future__ import annotations

import time
from datetime import date, datetime, timezone

import pytest

from newsweave.stages.dates import find_dates

PUBLISHED = datetime(2023, 4, 17, 9, 30, tzinfo=timezone.utc)  # a Monday


def one(text: str, phrase: str, language: str = "en", published=PUBLISHED):
    """The mention whose text is ``phrase``; fails if there is none."""
    found = find_dates(text, language, published)
    for m in found:
        assert text[m.start:m.end] == m.text
    hits = [m for m in found if m.text == phrase]
    assert hits, f"{phrase!r} not in {[m.text for m in found]}"
    return hits[0]


def test_seed_000_through_april_19():
    text = ("Li’s visit to Russia will run through April 19, and it will be the defence minister’s "
            "first tour outside of China since his appointment last month.")
    m = one(text, "April 19")
    assert (m.date_from, m.date_to, m.granularity) == (date(2023, 4, 19), date(2023, 4, 19), "day")
    m = one(text, "last month")
    assert (m.date_from, m.date_to, m.granularity) == (date(2023, 3, 1), date(2023, 3, 31), "month")


def test_seed_004_sunday_april_16():
    text = "The Chinese defense minister arrived in Moscow on Sunday, April 16 for a three-day official visit"
    m = one(text, "Sunday, April 16")
    assert (m.date_from, m.date_to) == (date(2023, 4, 16), date(2023, 4, 16))


def test_full_date():
    m = one("attend a meeting in Moscow, April 16, 2023. © via REUTERS", "April 16, 2023")
    assert m.date_from == date(2023, 4, 16)


@pytest.mark.parametrize("text", [
    "2 min", "3 days", "S-500 surface-to-air defense systems", "1500 troops arrived",
    "at 5:52 p.m.", "42", "They plan to march in the square", "You may go.", "USA TODAY reported",
])
def test_non_dates_are_ignored(text):
    assert find_dates(text, "en", PUBLISHED) == []


def test_relative_expressions():
    text = ("Last week, Beijing confirmed it. On Monday he flew. Troops went in February 2022. "
            "In 2023 it grew. Two weeks ago, yesterday and next Monday too.")
    got = {m.text: (m.date_from, m.date_to, m.granularity) for m in find_dates(text, "en", PUBLISHED)}
    assert got["Last week"] == (date(2023, 4, 10), date(2023, 4, 16), "week")
    assert got["Monday"] == (date(2023, 4, 17), date(2023, 4, 17), "day")  # on or before publication
    assert got["February 2022"] == (date(2022, 2, 1), date(2022, 2, 28), "month")
    assert got["2023"] == (date(2023, 1, 1), date(2023, 12, 31), "year")
    assert got["Two weeks ago"] == (date(2023, 4, 3), date(2023, 4, 9), "week")
    assert got["yesterday"] == (date(2023, 4, 16), date(2023, 4, 16), "day")
    assert got["next Monday"] == (date(2023, 4, 24), date(2023, 4, 24), "day")


def test_weekday_before_publication():
    m = one("The talks ended on Friday.", "Friday")
    assert m.date_from == date(2023, 4, 14)


def test_year_closest_to_publication():
    m = one("He arrived on Dec. 30 for talks.", "Dec. 30", published=datetime(2024, 1, 3))
    assert m.date_from == date(2023, 12, 30)
    m = one("The summit opens on January 5.", "January 5", published=datetime(2023, 12, 28))
    assert m.date_from == date(2024, 1, 5)


def test_day_range():
    m = one("The visit runs April 16-19 in Moscow.", "April 16-19")
    assert (m.date_from, m.date_to) == (date(2023, 4, 16), date(2023, 4, 19))


def test_french():
    text = ("Il est arrivé le 16 avril à Moscou, puis dimanche 16 avril 2023, le mois dernier, "
            "hier, et en février 2022.")
    got = {m.text: (m.date_from, m.date_to, m.granularity) for m in find_dates(text, "fr", PUBLISHED)}
    assert got["16 avril"][0] == date(2023, 4, 16)
    assert got["dimanche 16 avril 2023"][0] == date(2023, 4, 16)
    assert got["le mois dernier"] == (date(2023, 3, 1), date(2023, 3, 31), "month")
    assert got["hier"][0] == date(2023, 4, 16)
    assert got["février 2022"][2] == "month"


def test_russian():
    text = "Он прибыл 16 апреля, в феврале 2022 года, на прошлой неделе."
    got = {m.text: (m.date_from, m.date_to, m.granularity) for m in find_dates(text, "ru", PUBLISHED)}
    assert got["16 апреля"][0] == date(2023, 4, 16)
    assert got["феврале 2022 года"][:2] == (date(2022, 2, 1), date(2022, 2, 28))
    assert got["на прошлой неделе"][2] == "week"


def test_chinese():
    text = "李尚福4月16日抵达莫斯科。2023年4月16日。上个月，2022年。"
    got = {m.text: (m.date_from, m.date_to, m.granularity) for m in find_dates(text, "zh", PUBLISHED)}
    assert got["4月16日"][0] == date(2023, 4, 16)
    assert got["2023年4月16日"][0] == date(2023, 4, 16)
    assert got["上个月"] == (date(2023, 3, 1), date(2023, 3, 31), "month")
    assert got["2022年"][2] == "year"


def test_german_and_spanish():
    de = {m.text: m.date_from for m in find_dates("Er kam am 16. April 2023 und letzte Woche.", "de", PUBLISHED)}
    assert de["16. April 2023"] == date(2023, 4, 16)
    es = {m.text: m.date_from for m in find_dates("Llegó el 16 de abril de 2023.", "es", PUBLISHED)}
    assert es["16 de abril de 2023"] == date(2023, 4, 16)


def test_without_publication_date_only_absolute_dates():
    got = find_dates("April 16, 2023 and last week and April 16 and on Monday", "en", None)
    assert [m.text for m in got] == ["April 16, 2023"]


@pytest.mark.parametrize("text", ["", "   ", "Ã©tÃ© le 16 avril Ã  Paris", "\x00" * 100])
def test_bad_input(text):
    find_dates(text, "fr", PUBLISHED)


def test_unknown_language_falls_back():
    assert find_dates("Meeting on April 16, 2023.", "xx", PUBLISHED)[0].date_from == date(2023, 4, 16)


def test_five_megabytes_is_fast():
    text = "The minister arrived on April 16, 2023 and left last week. " * 90_000
    start = time.perf_counter()
    find_dates(text, "en", PUBLISHED)
    assert time.perf_counter() - start < 10


def test_speed_on_real_articles():
    import json

    from tests.conftest import shared_path

    rows = [json.loads(l) for l in shared_path("eval", "clustering", "articles.jsonl").open()]
    rows = [r for r in rows if r.get("text") and r.get("language") == "en"][:100]
    find_dates("Warm up on April 16.", "en", PUBLISHED)
    start = time.perf_counter()
    for r in rows:
        find_dates(r["text"], "en", PUBLISHED)
    per_article = (time.perf_counter() - start) / len(rows)
    assert per_article < 0.03, f"{per_article * 1000:.1f} ms per article"
