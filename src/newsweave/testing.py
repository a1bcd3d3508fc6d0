"""Shipped conformance suite for Store backends, and small builders for tests.

A backend proves it behaves like the others by subclassing ``StoreConformance`` in its own test
module and providing a ``store_factory`` fixture that returns a callable opening the *same*
store every time it is called (so persistence can be checked)::

    class TestSQLiteStore(StoreConformance):
        @pytest.fixture
        def store_factory(self, tmp_path):
            return lambda: SQLiteStore(tmp_path / "t.db")
"""
from __future__ import annotations

from datetime import datetime, timedelta, timezone
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path
from typing import Any, Callable, Iterator

import pytest

from .errors import StoreError
from datetime import date

from .models import (Article, DateMention, Enrichment, Entity, Event, Mention, Quote, Sentence, Story,
                     StoredFeatures)
from .store.base import Store

T0 = datetime(2023, 4, 16, 9, 30, tzinfo=timezone.utc)


def make_article(id: str = "a1", **kw: Any) -> Article:
    """An Article with sensible defaults; override any field."""
    defaults: dict[str, Any] = dict(
        title=f"Title of {id}",
        text=f"Body of article {id}. Chinese Defence Minister Li Shangfu met Vladimir Putin in Moscow.",
        source=f"test:{id}",
        published=T0,
        date_source="given",
        outlet="Test Outlet",
        language="en",
    )
    defaults.update(kw)
    return Article(id=id, **defaults)


class StoreConformance:
    """Behaviour every Store must have. Subclass it and provide ``store_factory``."""

    @pytest.fixture
    def store_factory(self) -> Callable[[], Store]:  # pragma: no cover - overridden
        raise NotImplementedError("provide a store_factory fixture")

    @pytest.fixture
    def store(self, store_factory: Callable[[], Store]) -> Store:
        s = store_factory()
        yield s
        s.close()

    def test_is_a_store(self, store: Store) -> None:
        assert isinstance(store, Store)

    def test_empty(self, store: Store) -> None:
        assert store.count_articles() == 0
        assert store.list_articles() == []
        assert store.get_article("nope") is None
        assert store.search("anything") == []
        st = store.stats()
        assert st.articles == 0 and st.duplicates == 0

    def test_round_trip_keeps_every_field(self, store: Store) -> None:
        a = make_article("rt", url="https://ex.org/a?x=1", canonical_url="https://ex.org/a",
                         author="Jane Roe", description="desc", caption="Photo: someone",
                         notes=["no date in markup"], text="Путин встретился с Ли Шанфу. 李尚福。 «Bonjour»",
                         published=datetime(2023, 4, 17, 1, 2, 3, tzinfo=timezone(timedelta(hours=3))))
        assert store.add_articles([a]).stored == ["rt"]
        b = store.get_article("rt")
        assert b is not None
        for f in ("id", "title", "text", "source", "url", "canonical_url", "date_source", "outlet",
                  "author", "language", "description", "caption", "notes"):
            assert getattr(b, f) == getattr(a, f), f
        assert b.published == a.published  # same instant, whatever the zone it is returned in
        assert b.published.tzinfo is not None

    def test_persists_after_reopen(self, store_factory: Callable[[], Store]) -> None:
        s = store_factory()
        s.add_articles([make_article("p1")])
        s.close()
        s2 = store_factory()
        try:
            assert s2.get_article("p1") is not None
            assert s2.count_articles() == 1
        finally:
            s2.close()

    def test_same_id_twice_is_unchanged(self, store: Store) -> None:
        store.add_articles([make_article("x")])
        r = store.add_articles([make_article("x")])
        assert r.stored == [] and r.unchanged == ["x"]
        assert store.count_articles() == 1

    def test_id_taken_by_another_text_is_refused(self, store: Store) -> None:
        first = make_article("x")
        other = replace(make_article("x", text="A different story altogether, about a harbour "
                                               "strike in Rotterdam."), source="other.txt")
        r = store.add_articles([first, other])
        assert r.stored == ["x"] and r.conflicts == [("other.txt", "x", first.source)]
        r = store.add_articles([other])
        assert r.stored == [] and r.unchanged == [] and len(r.conflicts) == 1
        assert store.get_article("x").text == first.text and store.count_articles() == 1
        # the same page fetched again after an edit is the same article: unchanged
        page = make_article("p", text="A ferry ran aground off Kiel on Monday.",
                            canonical_url="https://example.org/story")
        assert store.add_articles([page]).stored == ["p"]
        edited = replace(page, text=page.text + " Updated with a correction.")
        assert store.add_articles([edited]).unchanged == ["p"]

    def test_exact_duplicate_by_text_is_recorded_not_stored(self, store: Store) -> None:
        store.add_articles([make_article("orig", text="Same words, here.")])
        r = store.add_articles([make_article("copy", text="  same WORDS here ")])
        assert r.stored == [] and r.duplicates == [("copy", "orig")]
        assert store.get_article("copy") is None
        assert [d.id for d in store.duplicates_of("orig")] == ["copy"]
        assert store.stats().duplicates == 1
        # re-ingesting the duplicate changes nothing
        assert store.add_articles([make_article("copy", text="same words here")]).unchanged == ["copy"]

    def test_duplicate_by_canonical_url_within_one_batch(self, store: Store) -> None:
        r = store.add_articles([
            make_article("u1", canonical_url="https://ex.org/story", text="first version"),
            make_article("u2", canonical_url="https://ex.org/story", text="second version"),
        ])
        assert r.stored == ["u1"] and r.duplicates == [("u2", "u1")]
        assert store.duplicates_of("u1")[0].reason == "url"

    def test_batch_is_all_or_nothing(self, store: Store) -> None:
        good = make_article("good")
        bad = make_article("bad")
        bad.title = None  # type: ignore[assignment]  # violates NOT NULL
        with pytest.raises(StoreError):
            store.add_articles([good, bad])
        assert store.count_articles() == 0
        assert store.get_article("good") is None

    def test_list_newest_first_with_filters_and_paging(self, store: Store) -> None:
        store.add_articles([
            make_article("old", published=T0 - timedelta(days=2), outlet="A", language="en"),
            make_article("new", published=T0, outlet="B", language="fr", text="texte français"),
            make_article("mid", published=T0 - timedelta(days=1), outlet="A", language="en",
                         text="middle text"),
        ])
        assert [a.id for a in store.list_articles()] == ["new", "mid", "old"]
        assert [a.id for a in store.list_articles(limit=1, offset=1)] == ["mid"]
        assert [a.id for a in store.list_articles(language="fr")] == ["new"]
        assert [a.id for a in store.list_articles(outlet="A")] == ["mid", "old"]
        assert [a.id for a in store.iter_articles()] == ["old", "mid", "new"]

    def test_iter_articles_without_text_keeps_the_rest(self, store: Store) -> None:
        store.add_articles([
            make_article("a", published=T0, description="Lead.", caption="A photo.",
                         author="Ann", url="https://example.org/a", notes=["no byline"]),
            make_article("b", published=None, date_source="ingest", text="undated body"),
        ])
        full = {a.id: a for a in store.iter_articles()}
        light = list(store.iter_articles(text=False))
        assert [a.id for a in light] == [a.id for a in store.iter_articles()]
        for a in light:
            assert (a.text, a.description, a.caption) == ("", None, None)
            assert replace(a, text=full[a.id].text, description=full[a.id].description,
                           caption=full[a.id].caption) == full[a.id]

    def test_undated_articles_sort_by_ingest_time(self, store: Store) -> None:
        later = datetime.now(timezone.utc)
        store.add_articles([make_article("dated", published=T0, text="dated one"),
                            make_article("undated", published=None, date_source="ingest",
                                         ingested_at=later, text="undated one")])
        assert store.list_articles()[0].id == "undated"
        assert store.stats().undated == 1

    def test_search_ranks_and_snippets(self, store: Store) -> None:
        store.add_articles([
            make_article("hit", title="Defence minister visits Moscow",
                         text="The Chinese defence minister arrived in Moscow on Sunday."),
            make_article("weak", title="Weather", text="Rain in Moscow. The minister of sport spoke."),
            make_article("miss", title="Football", text="A match in Madrid."),
        ])
        hits = store.search("defence minister Moscow")
        assert hits and hits[0].id == "hit"
        assert "miss" not in [h.id for h in hits]
        assert "Moscow" in hits[0].snippet or "defence" in hits[0].snippet.lower()

    def test_search_finds_other_forms_of_a_word(self, store: Store) -> None:
        """Articles are indexed as written (any language), so the query's words are also
        searched by their stem: "protesters" finds "protests", "elections" finds "election",
        "defence" finds "defense"; a short word is not stretched ("war" does not find "warned")."""
        store.add_articles([
            make_article("protests", title="Thousands protest in Minsk",
                         text="Protests continued on Sunday; protesters marched to the square."),
            make_article("election", title="Finland votes", text="The election was held on Sunday."),
            make_article("warn", title="Storm", text="Forecasters warned of a storm."),
        ])
        assert [h.id for h in store.search("protesters")] == ["protests"]
        assert [h.id for h in store.search("protested")] == ["protests"]
        assert [h.id for h in store.search("elections Finland")] == ["election"]
        assert "warn" not in [h.id for h in store.search("war")]
        store.add_articles([make_article("us", title="Talks", text="The defense minister visited "
                                         "the city's labor center.")])
        for q in ("defence", "labour centre", "cities"):  # British spelling, plural
            assert [h.id for h in store.search(q)] == ["us"], q
        snippet = store.search("protester")[0].snippet
        assert "[Protests]" in snippet or "[protesters]" in snippet

    def test_search_chinese_without_spaces(self, store: Store) -> None:
        store.add_articles([make_article("zh", title="国防部长访问莫斯科", text="中国国防部长李尚福在莫斯科会见普京。")])
        hits = store.search("莫斯科")
        assert [h.id for h in hits] == ["zh"] and "莫斯科" in hits[0].snippet

    def test_search_hindi_words_whole(self, store: Store) -> None:
        """Devanagari vowel signs are part of the word: "बारिश" (rain) does not match a text that
        merely has the letters ब, र, श (a stock-market story)."""
        store.add_articles([
            make_article("rain", title="दिल्ली में भारी बारिश",
                         text="दिल्ली में बुधवार को हुई भारी बारिश से कई सड़कों पर जलभराव हो गया।"),
            make_article("market", title="मुंबई में शेयर बाजार रिकॉर्ड ऊंचाई पर",
                         text="मुंबई में शेयर बाजार बुधवार को रिकॉर्ड ऊंचाई पर बंद हुआ।")])
        assert [h.id for h in store.search("बारिश")] == ["rain"]
        assert [h.id for h in store.search("शेयर बाजार")] == ["market"]

    def test_search_survives_query_syntax(self, store: Store) -> None:
        store.add_articles([make_article("s")])
        for q in ['"', "AND OR NOT", "Putin*", "(Moscow", "NEAR(", "", "   ", "💥", "title:Putin"]:
            store.search(q)  # must not raise

    def test_feed_state(self, store: Store) -> None:
        assert store.get_feed_state("https://ex.org/feed") is None
        store.set_feed_state("https://ex.org/feed", '"abc"', "Mon, 17 Apr 2023 10:00:00 GMT", T0, None)
        st = store.get_feed_state("https://ex.org/feed")
        assert st is not None and st["etag"] == '"abc"' and st["checked_at"] == T0
        store.set_feed_state("https://ex.org/feed", None, None, T0 + timedelta(hours=1), "timeout")
        st = store.get_feed_state("https://ex.org/feed")
        assert st["error"] == "timeout" and st["etag"] is None

    def test_stats(self, store: Store) -> None:
        store.add_articles([make_article("e1", language="en", outlet="A", text="one"),
                            make_article("f1", language="fr", outlet="B", text="deux",
                                         published=T0 + timedelta(days=1))])
        st = store.stats()
        assert st.articles == 2 and st.outlets == 2
        assert st.languages == {"en": 1, "fr": 1}
        assert st.first_published == T0 and st.last_published == T0 + timedelta(days=1)

    def test_enrichment_round_trip_and_entities(self, store: Store) -> None:
        text = "Li Shangfu met Vladimir Putin in Moscow. Putin said: “We are friends.”"
        store.add_articles([make_article("en1", text=text)])
        assert store.unenriched_article_ids() == ["en1"]
        putin = Entity(id="ent_putin", name="Vladimir Putin", type="PER",
                       variants={"Vladimir Putin": ["en"], "Putin": ["en"], "Путин": ["ru"]})
        moscow = Entity(id="ent_moscow", name="Moscow", type="LOC", variants={"Moscow": ["en"]})
        e = Enrichment(
            article_id="en1", language="en",
            sentences=[Sentence(0, 0, 40, text[:40]), Sentence(1, 41, len(text), text[41:])],
            mentions=[Mention("Vladimir Putin", 15, 29, "PER", "en", "Vladimir Putin", "ent_putin"),
                      Mention("Moscow", 33, 39, "LOC", "en", "Moscow", "ent_moscow"),
                      Mention("Putin", 41, 46, "PER", "en", "Vladimir Putin", "ent_putin")],
            dates=[DateMention("April 16", 0, 8, date(2023, 4, 16), date(2023, 4, 16))],
            quotes=[Quote("We are friends.", 54, 69, "Vladimir Putin", "direct", "said", "ent_putin")],
            keywords=[("Vladimir Putin", 0.05)], notes=["no quotes model for xx"])
        store.save_enrichments([e], [putin, moscow])
        got = store.get_enrichment("en1")
        assert got is not None
        assert [s.text for s in got.sentences] == [s.text for s in e.sentences]
        assert got.mentions == e.mentions and got.dates == e.dates and got.quotes == e.quotes
        assert got.keywords == e.keywords and got.notes == e.notes
        assert store.unenriched_article_ids() == []
        # saving again replaces, never duplicates
        store.save_enrichments([e], [putin])
        assert len(store.get_enrichment("en1").mentions) == 3
        top = store.list_entities()
        assert {x.id for x in top} == {"ent_putin", "ent_moscow"} and top[0].article_count == 1
        assert store.get_entity("Путин").id == "ent_putin"
        assert store.get_entity("putin").id == "ent_putin"
        assert store.get_entity("ent_moscow").name == "Moscow"
        assert store.get_entity("Nobody") is None
        assert store.entity_article_ids("ent_putin") == ["en1"]
        assert [x.id for x in store.list_entities(type="LOC")] == ["ent_moscow"]
        assert store.all_entities()[0].variants

    def test_sentence_vectors(self, store: Store) -> None:
        import numpy as np

        from .models import SentenceVectors

        store.add_articles([make_article("s1", text="one"), make_article("s2", text="two")])
        rng = np.random.default_rng(0)
        v = rng.normal(size=(3, 512)).astype(np.float32)
        v /= np.linalg.norm(v, axis=1, keepdims=True)
        store.save_sentence_vectors([SentenceVectors("s1", "k1", [0, 2, 7], v),
                                     SentenceVectors("s2", "k2", [], np.zeros((0, 512)))])
        got = store.load_sentence_vectors(["s1", "s2", "nope"])
        assert sorted(got) == ["s1", "s2"]
        assert got["s1"].key == "k1" and got["s1"].indexes == [0, 2, 7]
        # int8 with a scale per row: each row's cosine with the original above 0.999
        assert got["s1"].vectors.shape == (3, 512)
        assert np.all(np.sum(got["s1"].vectors * v, axis=1) > 0.999)
        assert got["s2"].indexes == [] and got["s2"].vectors.shape == (0, 512)
        # replaced, not added to (an article enriched again)
        store.save_sentence_vectors([SentenceVectors("s1", "k3", [1], v[:1])])
        again = store.load_sentence_vectors(["s1"])["s1"]
        assert again.key == "k3" and again.indexes == [1]
        assert store.load_sentence_vectors([]) == {}
        # an article that is not stored: a StoreError, and nothing of the batch is written
        with pytest.raises(StoreError):
            store.save_sentence_vectors([SentenceVectors("s2", "k4", [0], v[:1]),
                                         SentenceVectors("ghost", "k", [0], v[:1])])
        assert store.load_sentence_vectors(["s2"])["s2"].key == "k2"

    def test_articles_without_sentence_vectors(self, store: Store) -> None:
        import numpy as np

        from .models import Enrichment, SentenceVectors

        store.add_articles([make_article("w1", text="one", published=T0),
                            make_article("w2", text="two", published=T0 + timedelta(hours=1)),
                            make_article("w3", text="three")])
        assert store.articles_without_sentence_vectors() == []  # nothing enriched yet
        store.save_enrichments([Enrichment(a, "en") for a in ("w1", "w2")], [])
        assert store.articles_without_sentence_vectors() == ["w1", "w2"]
        store.save_sentence_vectors([SentenceVectors("w1", "k", [], np.zeros((0, 512)))])
        assert store.articles_without_sentence_vectors() == ["w2"]

    def test_features_events_and_stories(self, store: Store) -> None:
        import numpy as np

        store.add_articles([make_article("g1", text="one", published=T0),
                            make_article("g2", text="two", published=T0 + timedelta(hours=2),
                                         outlet="Other", language="fr"),
                            make_article("g3", text="three", published=T0 + timedelta(days=3))])
        assert store.articles_without_features() == ["g1", "g2", "g3"]
        v = np.arange(512, dtype=np.float32) / 512
        sig = np.array([0, 1, 2**32 - 1] * 40, np.uint32)
        store.save_features([StoredFeatures("g2", v, v * 2, {"moscow": 0.5}, ["ent_x"], v * 3, sig),
                             StoredFeatures("g1", v, v, {}, [], None, np.zeros(0, np.uint32)),
                             StoredFeatures("g3", v, v, {}, [])])
        feats = store.load_features()
        assert [f.article_id for f in feats] == ["g1", "g2", "g3"]  # publication order
        assert np.allclose(feats[1].lead, v * 2) and feats[1].lexical == {"moscow": 0.5}
        assert feats[1].entities == ["ent_x"]
        assert np.allclose(feats[1].title, v * 3) and feats[0].title is None
        # the copy detector's signature, exactly (empty: too short; None: not computed)
        assert feats[1].minhash.dtype == np.uint32 and np.array_equal(feats[1].minhash, sig)
        assert len(feats[0].minhash) == 0 and feats[2].minhash is None
        assert [f.article_id for f in store.load_features(["g2"])] == ["g2"]
        assert store.articles_without_features() == []
        # Features read back and saved again (a signature filled in later) keep their weights,
        # whether or not they were read in between.
        again = store.load_features(["g2"])[0]
        store.save_features([again])
        assert store.load_features(["g2"])[0].lexical == {"moscow": 0.5}
        assert dict(again.lexical) == {"moscow": 0.5}
        store.save_features([again])
        assert dict(store.load_features(["g2"])[0].lexical) == {"moscow": 0.5}
        story = Story("st1", "Storyline", ["ev1", "ev2"], date(2023, 4, 16), date(2023, 4, 19))
        ev1 = Event("ev1", "Meeting", date(2023, 4, 16), ["g1", "g2"], T0, T0 + timedelta(hours=2),
                    n_sources=2, languages=["en", "fr"], outlets=["Test Outlet", "Other"],
                    story_id="st1")
        ev2 = Event("ev2", "Follow-up", date(2023, 4, 19), ["g3"], T0 + timedelta(days=3),
                    T0 + timedelta(days=3), n_sources=1, languages=["en"], outlets=["Test Outlet"],
                    story_id="st1", flags=["single source"])
        version = store.grouping_version()
        store.replace_events([ev1, ev2], {"g2": "g1"}, [story])
        assert store.count_events() == 2
        assert store.grouping_version() == version + 1  # every replacement shows, to every process
        assert [e.id for e in store.list_events()] == ["ev2", "ev1"]
        got = store.get_event("ev1")
        assert got.article_ids == ["g1", "g2"] and got.n_sources == 2 and got.date == date(2023, 4, 16)
        assert got.languages == ["en", "fr"] and got.story_id == "st1"
        assert store.get_event("ev2").flags == ["single source"]
        assert store.event_of_article("g2") == ("ev1", "g1")
        assert store.copies_in_event("ev1") == {"g2": "g1"}
        assert store.event_memberships() == {"g1": ("ev1", None), "g2": ("ev1", "g1"),
                                             "g3": ("ev2", None)}
        assert store.event_story_ids() == {"ev1": "st1", "ev2": "st1"}
        assert [e.id for e in store.list_events(language="fr")] == ["ev1"]
        assert [e.id for e in store.list_events(outlet="Other")] == ["ev1"]
        assert [e.id for e in store.list_events(date_from="2023-04-18")] == ["ev2"]
        assert [e.id for e in store.list_events(min_articles=2)] == ["ev1"]
        assert [(s.id, s.event_ids) for s in store.list_stories()] == [("st1", ["ev1", "ev2"])]
        got_story = store.get_story("st1")
        assert got_story is not None and got_story.event_ids == ["ev1", "ev2"]
        assert (got_story.title, got_story.first_date, got_story.last_date) == (
            "Storyline", date(2023, 4, 16), date(2023, 4, 19))
        assert store.get_story("nope") is None
        # replacing is total: nothing of the old grouping survives
        store.replace_events([Event("ev9", "All", date(2023, 4, 16), ["g1", "g2", "g3"])], {}, [])
        assert store.grouping_version() == version + 2
        assert [e.id for e in store.list_events()] == ["ev9"] and store.list_stories() == []
        assert store.get_story("st1") is None
        assert store.event_of_article("g2") == ("ev9", None)
        assert store.event_memberships() == {a: ("ev9", None) for a in ("g1", "g2", "g3")}
        assert store.event_story_ids() == {"ev9": None}

    def test_update_events_touches_only_what_changed(self, store: Store) -> None:
        store.add_articles([make_article(f"u{i}", text=f"text {i}", published=T0 + timedelta(days=i))
                            for i in range(5)])
        d = date(2023, 4, 16)
        s1 = Story("st1", "First story", ["e1", "e2"], d, d)
        e1 = Event("e1", "One", d, ["u0", "u1"], T0, T0, story_id="st1")
        e2 = Event("e2", "Two", d, ["u2"], T0, T0, story_id="st1")
        e3 = Event("e3", "Three", d, ["u3"], T0, T0)
        store.replace_events([e1, e2, e3], {"u1": "u0"}, [s1])
        version = store.grouping_version()
        # e3 grows (u4, a copy of u3), e2 leaves the story for a new one with e3, e9 is gone
        # (never stored: nothing to do); e1 is not written and keeps its story.
        s2 = Story("st2", "Second story", ["e2", "e3"], d, d)
        s1b = Story("st1", "First story, renamed", ["e1"], d, d)
        e2b = Event("e2", "Two", d, ["u2"], T0, T0, story_id="st2")
        e3b = Event("e3", "Three grown", d, ["u3", "u4"], T0, T0, story_id="st2")
        # Another process replaced the grouping since the version we hold: nothing is written.
        assert not store.update_events([e2b], [], {}, [], version=version - 1)
        assert store.grouping_version() == version and store.get_event("e2").story_id == "st1"
        assert store.update_events([e2b, e3b], ["e9"], {"u1": "u0", "u4": "u3"}, [s1b, s2],
                                   version=version)
        assert store.grouping_version() == version + 1
        assert store.event_memberships() == {"u0": ("e1", None), "u1": ("e1", "u0"),
                                             "u2": ("e2", None), "u3": ("e3", None),
                                             "u4": ("e3", "u3")}
        assert store.get_event("e1").story_id == "st1" and store.get_event("e1").title == "One"
        assert store.get_event("e3").title == "Three grown"
        assert {s.id: s.title for s in store.list_stories()} == {
            "st1": "First story, renamed", "st2": "Second story"}
        assert store.get_story("st2").event_ids == ["e2", "e3"]
        # removing an event and a story that no event names any more
        assert store.update_events([Event("e1", "One", d, ["u0", "u1", "u2"], T0, T0)], ["e2"],
                                   {"u1": "u0"}, [Story("st2", "Second story", ["e3"], d, d)],
                                   version=version + 1)
        assert store.count_events() == 2 and store.get_event("e2") is None
        assert [s.id for s in store.list_stories()] == ["st2"]
        assert store.get_event("e1").story_id is None and store.get_event("e3").story_id == "st2"
        assert store.event_of_article("u2") == ("e1", None)

    def test_cache_path_is_beside_the_store_or_none(self, store: Store) -> None:
        # A file the store itself never writes, whose folder exists, one per name; or None.
        a, b = store.cache_path("ann-cache"), store.cache_path("other")
        if a is None:
            assert b is None
            return
        assert a != b and a.parent.is_dir() and not a.exists()
        assert a.parent == b.parent and "ann-cache" in a.name
        store.add_articles([make_article("c1")])
        assert not a.exists()

    def test_nearest_articles(self, store: Store) -> None:
        import numpy as np

        rng = np.random.default_rng(7)

        def unit(v: np.ndarray) -> np.ndarray:
            return (v / np.linalg.norm(v)).astype(np.float32)

        base = unit(rng.normal(size=512))
        store.add_articles([
            make_article("n_same", text="near one", published=T0),
            make_article("n_close", text="near two", published=T0 + timedelta(days=1)),
            make_article("n_far", text="far away", published=T0 + timedelta(days=40)),
            make_article("n_undated", text="no date", published=None, date_source="ingest"),
            make_article("n_zero", text="zero vector", published=T0),
            make_article("n_none", text="no features", published=T0),
        ])
        close = unit(base + 0.3 * unit(rng.normal(size=512)))
        far = unit(base + 3.0 * unit(rng.normal(size=512)))
        other = unit(rng.normal(size=512))
        store.save_features([
            StoredFeatures("n_same", base, base, {}, []),
            StoredFeatures("n_close", close, close, {}, []),
            StoredFeatures("n_far", far, far, {}, []),
            StoredFeatures("n_undated", other, other, {}, []),
            StoredFeatures("n_zero", np.zeros(512, np.float32), np.zeros(512, np.float32), {}, []),
        ])
        got = store.nearest_articles(base, 3)
        assert [i for i, _ in got] == ["n_same", "n_close", "n_far"]
        assert got[0][1] == pytest.approx(1.0, abs=1e-5)
        assert got[1][1] == pytest.approx(float(close @ base), abs=1e-5)
        everything = store.nearest_articles(base, 10)
        assert {i for i, _ in everything} == {"n_same", "n_close", "n_far", "n_undated"}
        assert [s for _, s in everything] == sorted((s for _, s in everything), reverse=True)
        # the window bounds the publication time; undated articles always pass
        window = store.nearest_articles(base, 10, since=T0 + timedelta(hours=1),
                                        until=T0 + timedelta(days=2))
        assert {i for i, _ in window} == {"n_close", "n_undated"}
        assert {i for i, _ in store.nearest_articles(base, 10, since=(T0 + timedelta(days=40)).date())
                } == {"n_far", "n_undated"}
        assert store.nearest_articles(np.zeros(512, np.float32), 3) == []
        assert store.nearest_articles(base, 0) == []

    def test_read_everything_out(self, store: Store) -> None:
        from .store.base import DuplicateRecord

        later = datetime.now(timezone.utc)
        store.add_articles([make_article("r2", text="second stored", published=T0),
                            make_article("r1", text="first by date", published=T0 - timedelta(days=1)),
                            make_article("r3", text="undated", published=None, ingested_at=later,
                                         date_source="ingest", notes=["no date"])])
        store.add_articles([make_article("r2copy", text="SECOND stored!")])
        assert [a.id for a in store.iter_stored_articles()] == ["r2", "r1", "r3"]
        assert next(a for a in store.iter_stored_articles() if a.id == "r3").notes == ["no date"]
        dups = store.iter_duplicates()
        assert [(d.id, d.original_id, d.reason) for d in dups] == [("r2copy", "r2", "text")]
        assert dups[0].recorded_at is not None and dups[0].recorded_at.tzinfo is not None
        when = datetime(2023, 5, 1, 12, 0, tzinfo=timezone.utc)
        store.import_duplicates([DuplicateRecord("r1dup", "r1", "url", "feed:x", "https://ex.org/r1",
                                                 when),
                                 DuplicateRecord("r2copy", "r1", "url", "other", None, when)])
        dups = {d.id: d for d in store.iter_duplicates()}
        assert dups["r1dup"].recorded_at == when and dups["r1dup"].url == "https://ex.org/r1"
        assert dups["r2copy"].original_id == "r2"  # a known id is left alone
        assert store.get_article("r1dup") is None
        assert store.add_articles([make_article("r1dup", text="anything")]).unchanged == ["r1dup"]
        with pytest.raises(StoreError):
            store.import_duplicates([DuplicateRecord("orphan", "no-such-article", "url", "x", None)])
        assert store.iter_feed_states() == []
        store.set_feed_state("https://b.org/feed", None, None, T0, "timeout")
        store.set_feed_state("https://a.org/feed", '"e"', "Mon, 17 Apr 2023 10:00:00 GMT", T0, None)
        states = store.iter_feed_states()
        assert [s["url"] for s in states] == ["https://a.org/feed", "https://b.org/feed"]
        assert states[0] == {"url": "https://a.org/feed", "etag": '"e"',
                             "last_modified": "Mon, 17 Apr 2023 10:00:00 GMT", "checked_at": T0,
                             "error": None}


def free_port() -> int:
    """A TCP port free on loopback right now."""
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def served(db: "str | Path", env: dict[str, str] | None = None, log: "Path | None" = None,
           timeout: float = 60.0) -> Iterator[str]:
    """Run `newsweave serve` over a store in a subprocess on a free loopback port; yields its base
    URL once /api/health answers, and stops the server afterwards."""
    import os
    import subprocess
    import sys
    import time

    import httpx

    port = free_port()
    out = open(log, "wb") if log else subprocess.DEVNULL
    proc = subprocess.Popen([sys.executable, "-c", "from newsweave.cli import app; app()",
                             "--db", str(db), "serve", "--port", str(port)],
                            env={**os.environ, **(env or {})}, stdout=out, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + timeout
        while True:
            try:
                if httpx.get(base + "/api/health", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                tail = Path(log).read_text(errors="replace")[-2000:] if log else ""
                raise RuntimeError(f"the server did not start: {tail}")
            time.sleep(0.3)
        yield base
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
        if log:
            out.close()
