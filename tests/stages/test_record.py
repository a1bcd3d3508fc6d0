"""Record: who/what/where/when reconciled, and the event's day rather than the publication day."""
from __future__ import annotations

import importlib.util
from pathlib import Path

from datetime import date, datetime

from newsweave.report import build_report, report_to_json
from newsweave.stages.fivew import extract_fivew
from newsweave.stages.record import parse_main

# The hand-built event builders live in test_compare (pytest runs in importlib mode: no sys.path).
_spec = importlib.util.spec_from_file_location("_builders", Path(__file__).with_name("test_compare.py"))
_builders = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_builders)
bow_embed, make = _builders.bow_embed, _builders.make



def test_parse_main_nominalises_the_lead():
    p = parse_main("Chinese Defence Minister Li Shangfu met with Russian President Vladimir Putin "
                   "in Moscow to discuss military cooperation.")
    assert p.what == "meeting on military cooperation"
    assert p.actor_entity == "Li Shangfu" and "Moscow" in p.places


def test_end_bound_is_not_the_day_and_fallback_is_flagged():
    a = make("a", ["The minister began a visit to Oslo that will run through April 19.",
                   "He met the prime minister."], places=["Oslo"],
             dates=[("April 19", date(2024, 4, 19))])
    d = report_to_json(build_report("x", [a[0]], {"a": a[1]}, embed=bow_embed))
    assert d["record"]["when"]["basis"] == "published"
    assert d["record"]["when"]["date"] == a[0].published.date().isoformat()
    assert any("no article names the event's day" in n for n in d["notes"])


def test_who_counts_independent_sources_and_where_comes_from_the_lead():
    a = make("a", ["Anna Berg met Tom Lind in Vienna on Sunday to discuss trade.",
                   "The talks lasted three hours."], people=["Anna Berg", "Tom Lind"],
             places=["Vienna"], dates=[("Sunday", date(2024, 3, 3))])
    b = make("b", ["Anna Berg and Tom Lind met in Vienna on Sunday, discussing trade.",
                   "Berg later flew to Paris."], people=["Anna Berg", "Tom Lind"],
             places=["Vienna", "Paris"], dates=[("Sunday", date(2024, 3, 3))], hours=1)
    copy = make("c", ["Anna Berg met Tom Lind in Vienna on Sunday to discuss trade.",
                      "The talks lasted three hours."], people=["Anna Berg", "Tom Lind"],
                places=["Vienna"], hours=2)
    arts = [a[0], b[0], copy[0]]
    enr = {x.article_id: x for x in (a[1], b[1], copy[1])}
    d = report_to_json(build_report("x", arts, enr, copies={"c": "a"}, embed=bow_embed))
    rec = d["record"]
    berg = next(w for w in rec["who"] if w["name"] == "Anna Berg")
    assert berg["independent_sources"] == 2 and set(berg["sources"]) == {"a", "b", "c"}
    assert rec["where"][0]["name"] == "Vienna"
    assert rec["when"] == {**rec["when"], "date": "2024-03-03", "basis": "text"}
    assert "meeting" in rec["what"]


def _article(title, sentences, published=datetime(2024, 3, 4, 9), dates=()):
    a, enr = make("x", sentences, dates=dates)
    a.title, a.published = title, published
    return a, enr


def test_fivew_reads_the_headline_actor_and_its_verb_phrase():
    a, enr = _article("Donald Trump lands in Washington to meet Barack Obama at White House",
                      ["The meeting at the White House this afternoon was the first public step.",
                       "Mr Trump claimed it was a great honour to meet with Mr Obama."])
    r = extract_fivew(a, enr)
    assert r.who == "Donald Trump" and r.what.startswith("lands")
    assert r.why and "meet Barack Obama" in r.why


def test_fivew_source_of_a_statement_is_not_the_actor_and_places_keep_surface_form():
    a, enr = _article("Shooting near protest march",
                      ["A gunman opened fire in downtown Seattle on Wednesday night and wounded five "
                       "people.",
                       "The shooting stemmed from an argument, police spokesman Robert Merner said."],
                      dates=[("Wednesday", date(2024, 2, 28))])
    r = extract_fivew(a, enr)
    assert r.who == "A gunman" and "Seattle" in r.where
    assert r.when == date(2024, 2, 28) and r.when_basis == "text"


def test_fivew_falls_back_to_the_publication_day_and_skips_background_days():
    a, enr = _article("Minister resigns", ["The minister resigned after the October letter.",
                                           "The letter was sent on October 2."],
                      dates=[("October 2", date(2023, 10, 2))])
    r = extract_fivew(a, enr)
    assert r.when == date(2024, 3, 4) and r.when_basis == "published"
