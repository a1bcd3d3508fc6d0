"""Record: who/what/where/when reconciled, and the event's day rather than the publication day."""
from __future__ import annotations

import importlib.util
from pathlib import Path

from datetime import date, datetime, timezone

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


# ---- the record reconciles the sources' own answers (issue 5) ---------------------------------

def _dated(aid, title, sentences, day, hour=9, people=(), places=(), dates=()):
    a, enr = make(aid, sentences, people=people, places=places, dates=dates)
    a.title, a.published = title, datetime(2024, 3, day, hour, tzinfo=timezone.utc)
    return a, enr


SINGLES = [
    _dated("porto", "Firefighters evacuate forty residents as Douro floods Porto",
           ["Firefighters evacuated forty residents from riverside houses in Porto on Tuesday as "
            "the Douro rose above its banks.",
            "The mayor, Rui Costa, said the city would open two shelters."], 6,
           people=["Rui Costa"], places=["Porto"], dates=[("Tuesday", date(2024, 3, 5))]),
    _dated("oslo", "Hanna Lind wins Oslo marathon in record time",
           ["Norwegian runner Hanna Lind won the Oslo marathon on Sunday in a course record.",
            "She beat the defending champion by almost two minutes."], 4,
           people=["Hanna Lind"], places=["Oslo"], dates=[("Sunday", date(2024, 3, 3))]),
    _dated("bergen", "Chess club in Bergen elects new chair",
           ["A chess club in Bergen elected a new chair after a long meeting about membership fees.",
            "The vote was close, members said."], 7, places=["Bergen"]),
]


def test_single_article_record_equals_the_articles_own_answers():
    for a, enr in SINGLES:
        f = extract_fivew(a, enr)
        rec = report_to_json(build_report(a.id, [a], {a.id: enr}, embed=bow_embed))["record"]
        assert f.who and rec["who"][0]["as_written"] == [f.who], a.id
        assert rec["who"][0]["answer_sources"] == 1
        assert rec["where"][0]["name"] == f.where and rec["where"][0]["answer_sources"] == 1, a.id
        assert rec["when"]["date"] == f.when.isoformat() and rec["when"]["basis"] == f.when_basis
        assert rec["action"] == f.what
        assert rec["per_source"] == [{"article": a.id, "who": f.who, "what": f.what,
                                      "when": f.when.isoformat(), "when_basis": f.when_basis,
                                      "where": f.where, "why": f.why, "how": f.how}]
    bergen = report_to_json(build_report("b", [SINGLES[2][0]], {"bergen": SINGLES[2][1]},
                                         embed=bow_embed))
    assert bergen["record"]["when"]["basis"] == "published"  # no day named: said so


def _kyiv_event():
    made = [
        _dated("a", "Norwegian Foreign Minister visits Kiev",
               ["Norwegian Foreign Minister Eva Dahl arrived in Kiev on Monday to discuss "
                "reconstruction aid.", "She met President Ivan Petrenko at his office."], 5,
               people=["Eva Dahl", "Ivan Petrenko"], places=["Kiev"],
               dates=[("Monday", date(2024, 3, 4))]),
        _dated("b", "Eva Dahl arrives in Kyiv for talks on aid",
               ["Eva Dahl arrived in Kyiv on Tuesday for talks on reconstruction aid.",
                "Dahl and Ivan Petrenko discussed a new fund."], 5, hour=12,
               people=["Eva Dahl", "Ivan Petrenko"], places=["Kyiv"],
               dates=[("Tuesday", date(2024, 3, 5))]),
        _dated("c", "Norway's minister in Kiev",
               ["The Norwegian foreign minister arrived in Kiev on Monday, officials said.",
                "Eva Dahl will also visit a hospital."], 6, people=["Eva Dahl"], places=["Kiev"],
               dates=[("Monday", date(2024, 3, 4))]),
    ]
    copy_a = make("d", ["Norwegian Foreign Minister Eva Dahl arrived in Kiev on Monday to discuss "
                        "reconstruction aid.", "She met President Ivan Petrenko at his office."],
                  people=["Eva Dahl", "Ivan Petrenko"], places=["Kiev"],
                  dates=[("Monday", date(2024, 3, 4))])
    copy_a[0].title = made[0][0].title
    copy_a[0].published = datetime(2024, 3, 6, 15, tzinfo=timezone.utc)
    made.append(copy_a)
    for _, enr in made:  # one place entity behind two spellings
        for m in enr.mentions:
            if m.text in ("Kiev", "Kyiv"):
                m.canonical, m.entity_id = "Kyiv", "ent_kyiv"
    return [a for a, _ in made], {e.article_id: e for _, e in made}


def test_record_reconciles_the_sources_answers():
    arts, enr = _kyiv_event()
    rec = report_to_json(build_report("ev", arts, enr, copies={"d": "a"}, embed=bow_embed))["record"]
    # who: a bare title ("Norwegian Foreign Minister") is the person it introduces elsewhere;
    # the copy "d" adds an article, not a source
    dahl = rec["who"][0]
    assert dahl["name"] == "Eva Dahl" and dahl["answer_sources"] == 3
    assert dahl["independent_sources"] == 3 and "d" in dahl["sources"]
    assert "Norwegian Foreign Minister" in dahl["as_written"]
    assert any(w["name"] == "Ivan Petrenko" for w in rec["who"])
    # where: the surface form most used, the canonical entity behind it
    assert rec["where"][0]["name"] == "Kiev" and rec["where"][0]["entity"] == "Kyiv"
    # when: the day most sources name; the disagreeing source is kept
    when = rec["when"]
    assert when["date"] == "2024-03-04" and when["basis"] == "text"
    assert [(x["date"], x["sources"]) for x in when["disagreement"]] == [
        ("2024-03-04", ["a", "c", "d"]), ("2024-03-05", ["b"])]
    assert when["others"] == [{"date": "2024-03-05", "sources": ["b"]}]
    assert any(d.startswith("when:") for d in rec["disagreements"])
    # what: the action every source reports ("arrived"), short and nominal
    assert rec["what"].startswith("arrival") and len(rec["what"].split()) <= 8
    assert set(rec["what_sources"]) == {"a", "b", "c", "d"}
    assert [p["article"] for p in rec["per_source"]] == ["a", "b", "c"]


def test_agreeing_sources_have_no_when_disagreement():
    arts, enr = _kyiv_event()
    keep = [a for a in arts if a.id != "b"]
    rec = report_to_json(build_report("ev", keep, {a.id: enr[a.id] for a in keep},
                                      copies={"d": "a"}, embed=bow_embed))["record"]
    assert rec["when"]["date"] == "2024-03-04" and rec["when"]["disagreement"] == []
    assert rec["disagreements"] == []
