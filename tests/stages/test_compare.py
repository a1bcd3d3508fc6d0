"""Claims, conflicts, quotes and coverage on small hand-built events (no model needed)."""
from __future__ import annotations

import re
import zlib
from datetime import date, datetime, timedelta, timezone

import numpy as np
import pytest

from newsweave.models import Article, DateMention, Enrichment, Mention, Quote, Sentence
from newsweave.report import build_report, report_to_json
from newsweave.stages.compare import is_heading, numbers_in
from newsweave.stages.quote_align import _Q, quote_relation

T0 = datetime(2024, 3, 1, 8, tzinfo=timezone.utc)


def bow_embed(texts):
    """Hashed bag of words, L2-normalised: a deterministic stand-in for the sentence encoder."""
    out = np.zeros((len(texts), 512), np.float32)
    for i, t in enumerate(texts):
        for w in re.findall(r"\w+", t.lower()):
            out[i, zlib.crc32(w.encode()) % 512] += 1.0
    n = np.linalg.norm(out, axis=1, keepdims=True)
    return out / np.where(n > 0, n, 1)


def make(aid: str, sentences: list[str], *, hours: float = 0, people=(), places=(),
         quotes=(), dates=(), outlet=None, language="en"):
    text = " ".join(sentences)
    sents, pos = [], 0
    for i, s in enumerate(sentences):
        start = text.index(s, pos)
        sents.append(Sentence(i, start, start + len(s), s))
        pos = start + len(s)
    mentions = []
    for name, typ in [(p, "PER") for p in people] + [(p, "LOC") for p in places]:
        for m in re.finditer(re.escape(name), text):
            mentions.append(Mention(name, m.start(), m.end(), typ, language))
    qs = []
    for q, speaker in quotes:
        k = text.index(q)
        qs.append(Quote(q, k, k + len(q), speaker))
    ds = []
    for expr, day in dates:
        k = text.index(expr)
        ds.append(DateMention(expr, k, k + len(expr), day, day))
    art = Article(id=aid, title=sentences[0][:40], text=text, source=aid,
                  published=T0 + timedelta(hours=hours), outlet=outlet or aid, language=language)
    return art, Enrichment(aid, language, sents, mentions, ds, qs)


def report(*made, copies=None):
    arts = [a for a, _ in made]
    enr = {e.article_id: e for _, e in made}
    return report_to_json(build_report("ev", arts, enr, copies=copies, embed=bow_embed))


def test_numbers_skip_years_and_read_words():
    assert numbers_in("At least 12 people died in 2023.") == [(12.0, "people")]
    assert numbers_in("a three-day visit") == [(3.0, "day")]
    assert numbers_in("1,200 soldiers") == [(1200.0, "soldier")]


def test_numbers_count_only_what_a_word_names():
    # What follows a number is its unit only when it names something counted.
    assert numbers_in("Yates was 7 of 16 for 83 yards.") == [(7.0, ""), (16.0, ""), (83.0, "yard")]
    assert numbers_in("It pays $60 per share in the 4K mode.") == [(60.0, ""), (4.0, "")]
    assert numbers_in("They went 13-3 that season.") == [(13.0, "")]  # a score: no unit
    # An age is not a duration: "62-year-old" and "3 years" count different things.
    assert numbers_in("The 62-year-old coach left after 3 years.") == [(62.0, "year-old"), (3.0, "year")]
    assert numbers_in("A cherry red 2008 Tesla Roadster, 3 Series cars.") == [(3.0, "")]


def test_death_toll_conflict_and_claims():
    a = make("a", ["A bus crashed near Lyon on Monday, killing 12 people.",
                   "The driver was arrested by police."], places=["Lyon"])
    b = make("b", ["A bus crashed near Lyon on Monday, killing 15 people.",
                   "Rescue teams searched the river all night."], hours=2, places=["Lyon"])
    d = report(a, b)
    shared = d["claims"][0]
    assert sorted(shared["sources"]) == ["a", "b"] and shared["missing_from"] == []
    conflict = next(c for c in d["conflicts"] if c["kind"] == "number")
    assert {s["value"] for s in conflict["sides"]} == {"12", "15"}
    assert {tuple(s["sources"]) for s in conflict["sides"]} == {("a",), ("b",)}
    singles = {c["text"]: c["sources"] for c in d["claims"] if len(c["sources"]) == 1}
    assert singles["The driver was arrested by police."] == ["a"]
    assert singles["Rescue teams searched the river all night."] == ["b"]


def test_date_conflict():
    a = make("a", ["The summit opened in Geneva on 3 March with twenty leaders."],
             dates=[("3 March", date(2024, 3, 3))], places=["Geneva"])
    b = make("b", ["The summit opened in Geneva on 4 March with twenty leaders."],
             dates=[("4 March", date(2024, 3, 4))], places=["Geneva"], hours=1)
    d = report(a, b)
    assert any(c["kind"] == "date" for c in d["conflicts"])
    assert d["record"]["when"]["date"] in ("2024-03-03", "2024-03-04")


def test_same_words_resolved_to_different_days_are_no_conflict():
    # Both say "on Saturday"; published a day apart, the Saturdays were resolved differently.
    a = make("a", ["The summit opened in Geneva on Saturday with twenty leaders."],
             dates=[("Saturday", date(2024, 3, 2))], places=["Geneva"])
    b = make("b", ["The summit opened in Geneva on Saturday with twenty leaders."],
             dates=[("Saturday", date(2024, 3, 9))], places=["Geneva"], hours=30)
    assert not [c for c in report(a, b)["conflicts"] if c["kind"] == "date"]


def test_agreeing_sources_have_no_conflict():
    a = make("a", ["A bus crashed near Lyon on Monday, killing 12 people."])
    b = make("b", ["A bus crashed near Lyon on Monday, killing 12 people, police said."], hours=1)
    assert report(a, b)["conflicts"] == []


def test_quote_classes():
    s = "We will rebuild every school in the valley"
    a = make("a", [f'"{s}," Mayor Anna Berg said on Tuesday.'], people=["Anna Berg"],
             quotes=[(s, "Anna Berg")])
    b = make("b", ['"We will rebuild every school," Mayor Anna Berg said.'], people=["Anna Berg"],
             quotes=[("We will rebuild every school", "Anna Berg")], hours=1)
    c = make("c", [f'"{s}," governor Tom Lind said.'], people=["Tom Lind"],
             quotes=[(s, "Tom Lind")], hours=2)
    e = make("e", [f'"{s}," Mayor Anna Berg told reporters.'], people=["Anna Berg"],
             quotes=[(s, "Anna Berg")], hours=3)
    d = report(a, b, c, e)
    group = next(q for q in d["quotes"] if len(q["variants"]) >= 3)
    rel = {v["article"]: v["relation"] for v in group["variants"]}
    assert rel["b"] == "truncated" and rel["c"] == "misattributed" and rel["e"] == "exact"
    assert group["kind"] == "misattributed"


def test_translation_relation():
    ref = _Q("a", "a", Quote("we will win", 0, 1, "X"), "en", "x")
    fr = _Q("b", "b", Quote("nous allons gagner", 0, 1, "X"), "fr", "x")
    assert quote_relation(ref, fr) == "translation"


def test_copies_and_coverage():
    a = make("a", ["Floods closed the main road into Porto on Friday.",
                   "Two bridges were damaged by the water."], places=["Porto"])
    copy = make("c", ["Floods closed the main road into Porto on Friday.",
                      "Two bridges were damaged by the water."], hours=5, places=["Porto"])
    b = make("b", ["Floods closed the main road into Porto on Friday.",
                   "Schools will stay shut until Monday."], hours=3, places=["Porto"])
    d = report(a, copy, b, copies={"c": "a"})
    rows = {r["article"]: r for r in d["coverage"]}
    assert rows["a"]["lag_hours"] == 0 and rows["b"]["lag_hours"] == 3 and rows["c"]["lag_hours"] == 5
    assert rows["c"]["copy_of"] == "a" and rows["c"]["unique_claims"] == []
    assert rows["a"]["unique_claims"] == ["Two bridges were damaged by the water."]
    bridges = next(c for c in d["claims"] if c["text"].startswith("Two bridges"))
    assert set(bridges["sources"]) == {"a", "c"} and bridges["independent_sources"] == 1
    assert bridges["missing_from"] == ["b"]


def test_quote_alignment_names_stay_importable_from_compare():
    from newsweave.stages import compare, quote_align

    assert compare.align_quotes is quote_align.align_quotes
    assert compare.QuoteGroup is quote_align.QuoteGroup and compare.quote_relation is quote_relation


def test_a_running_story_s_later_figures_are_updates_not_conflicts():
    a = make("a", ["Floods in the valley have killed 12 people, officials said on Monday."],
             places=["valley"])
    b = make("b", ["Floods in the valley have killed 40 people, officials said on Monday."],
             hours=24 * 9, places=["valley"])
    d = report(a, b)
    assert d["claims"][0]["independent_sources"] == 2
    assert not [c for c in d["conflicts"] if c["kind"] == "number"]
    c = make("c", ["Floods in the valley have killed 15 people, officials said on Monday."],
             hours=5, places=["valley"])
    conflict = next(x for x in report(a, b, c)["conflicts"] if x["kind"] == "number")
    assert {s["value"] for s in conflict["sides"]} == {"12", "15"}  # same day: a disagreement


@pytest.mark.parametrize("text, heading", [
    ("दिल्ली में भारी बारिश हुई।", False),  # a danda ends a sentence
    ("کراچی میں شدید بارش ہوئی۔", False),
    ("ረቡዕ በአዲስ አበባ ከባድ ዝናብ ጣለ።", False),
    ("中国国防部长访问莫斯科。", False),
    ('He said "we won."', False),
    ("Reactions from abroad", True),
    ("दिल्ली में भारी बारिश", True),
])
def test_headings_and_sentences_in_every_script(text: str, heading: bool) -> None:
    """A short line is a heading unless it ends like a sentence, in whatever script."""
    assert is_heading(text) is heading


def test_text_reuse_names_the_earlier_article_whose_sentences_are_repeated():
    # b lifts two of a's sentences word for word (one with a word changed) into a report of its
    # own; c tells the same facts in its own words; the lifting is b's, not a's (a is earlier).
    a = make("a", ["Floods closed the main road into Porto on Friday after two days of rain.",
                   "Two bridges over the Douro were damaged by the water, the mayor said.",
                   "Engineers will inspect the old town's walls next week."], places=["Porto"])
    b = make("b", ["Residents of Porto began clearing mud from their homes on Saturday.",
                   "Floods closed the main road into Porto on Friday after two days of rain.",
                   "Two bridges over the Douro were damaged by the floodwater, the mayor said.",
                   "Shops in the lower town stayed shut."], hours=20, places=["Porto"])
    c = make("c", ["Heavy rain in Porto shut the city's main access road on Friday.",
                   "The mayor said water had damaged two of the Douro's bridges.",
                   "An inspection of the walls is planned."], hours=30, places=["Porto"])
    rows = {r["article"]: r for r in report(a, b, c)["coverage"]}
    assert rows["b"]["reuses"] == [{"article": "a", "sentences": 2, "share": 0.5}]
    assert rows["a"]["reuses"] == [] and rows["c"]["reuses"] == []
    # one lifted sentence is not enough to say so
    b1 = make("b", ["Residents of Porto began clearing mud from their homes on Saturday.",
                    "Floods closed the main road into Porto on Friday after two days of rain.",
                    "Shops in the lower town stayed shut."], hours=20, places=["Porto"])
    assert all(r["reuses"] == [] for r in report(a, b1, c)["coverage"])


def test_reused_wording_is_credited_to_its_source_not_to_every_outlet_that_ran_it():
    wire = ["Floods closed the main road into Porto on Friday after two days of rain.",
            "Two bridges over the Douro were damaged by the water, the mayor said."]
    a = make("a", wire + ["Engineers will inspect the old town's walls next week."])
    b = make("b", ["Residents began clearing mud on Saturday.", *wire], hours=5)
    c = make("c", [*wire, "Shops in the lower town stayed shut."], hours=9)
    a_update = make("a2", [*wire, "The road reopened on Sunday evening."], hours=12, outlet="a")
    rows = {r["article"]: r for r in report(a, b, c, a_update)["coverage"]}
    assert rows["b"]["reuses"] == [{"article": "a", "sentences": 2, "share": 0.667}]
    assert [r["article"] for r in rows["c"]["reuses"]] == ["a"]  # the source, not b too
    assert rows["a2"]["reuses"] == []  # the same outlet updating its own story


def test_the_same_quote_in_two_reports_is_not_reuse():
    said = ("“We will rebuild both bridges before the summer and the road will be open to "
            "all traffic by Easter,” the mayor said.")
    said2 = ("“Nobody was hurt in the old town and every family that left has somewhere to "
             "sleep tonight,” she added.")
    a = make("a", ["Floods hit Porto on Friday.", said, said2])
    b = make("b", ["Porto counted the damage on Saturday.", said, said2], hours=6)
    assert all(r["reuses"] == [] for r in report(a, b)["coverage"])


def test_articles_published_at_the_same_time_do_not_copy_each_other():
    wire = ["Floods closed the main road into Porto on Friday after two days of rain.",
            "Two bridges over the Douro were damaged by the water, the mayor said."]
    first = make("first", ["Rain was forecast for the whole north of Portugal this week.",
                           "The weather service issued an orange warning for the coast."])
    a = make("a", [*wire, "Engineers will inspect the walls."], hours=2)
    b = make("b", ["Residents began clearing mud.", *wire], hours=2)  # who copied whom?
    assert all(r["reuses"] == [] for r in report(first, a, b)["coverage"])


@pytest.mark.parametrize("block", [1024, 7])
def test_quote_pairs_match_a_pair_by_pair_reading(block, monkeypatch):
    """The quote pairing by matrix products finds exactly the pairs (and similarities) that
    comparing every two quotes finds: same language by shared content words, other languages
    by the quoting sentences' vectors, never two quotes of one story."""
    from newsweave.stages.compare import content_tokens
    from newsweave.stages import quote_align
    from newsweave.stages.quote_align import QUOTE_LINK, _linked_pairs

    monkeypatch.setattr(quote_align, "COSINE_BLOCK", block)  # also across several row blocks

    rng = np.random.default_rng(3)
    words = "storm bridge mayor school river rebuild open close water power road city".split()
    base = rng.normal(size=(6, 512)).astype(np.float32)
    qs, vecs = [], []
    for i in range(80):
        lang = ["en", "en", "fr", "de"][i % 4]
        text = " ".join(rng.choice(words, size=rng.integers(3, 7)))
        root = f"r{i % 9}"
        qs.append(_Q(f"a{i}", root, Quote(text, 0, len(text), None), lang, None))
        v = base[i % 6] + rng.normal(scale=0.9, size=512).astype(np.float32)
        vecs.append(None if i % 7 == 0 else v / np.linalg.norm(v))
    toks = [content_tokens(q.quote.text) for q in qs]
    want = []
    for i in range(len(qs)):
        for j in range(i + 1, len(qs)):
            if qs[i].root == qs[j].root:
                continue
            if qs[i].language[:2] == qs[j].language[:2]:
                sim = len(toks[i] & toks[j]) / max(1, min(len(toks[i]), len(toks[j])))
            elif vecs[i] is not None and vecs[j] is not None:
                sim = float(vecs[i] @ vecs[j])
            else:
                continue
            if sim >= QUOTE_LINK:
                want.append((sim, i, j))
    got = _linked_pairs(qs, toks, vecs)
    assert len(want) > 50 and any(qs[i].language != qs[j].language for _, i, j in want)
    assert sorted((i, j) for _, i, j in got) == sorted((i, j) for _, i, j in want)
    sims = {(i, j): s for s, i, j in got}
    assert all(abs(sims[(i, j)] - s) < 1e-5 for s, i, j in want)
