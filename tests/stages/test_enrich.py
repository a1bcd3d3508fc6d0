"""Enrichment end to end on one batch, including the bad inputs the issue lists."""
from __future__ import annotations

from datetime import datetime, timezone

import pytest

from newsweave.models import Article
from newsweave.stages.enrich import Enricher

T = datetime(2023, 4, 17, 8, tzinfo=timezone.utc)


def art(aid: str, text: str, language: str | None = "en") -> Article:
    return Article(id=aid, title=aid, text=text, source="test", published=T, language=language)


@pytest.fixture(scope="module")
def enricher():
    e = Enricher()
    e.setup()
    return e


def test_bad_inputs_never_crash_the_batch(enricher):
    big = ("The minister met the president in Moscow on Sunday, April 16. " * 90_000)[:5_000_000]
    batch = [
        art("nosent", "   \n\n   "),
        art("big", big),
        art("mixed", "Vladimir Putin met Li Shangfu in Moscow. Путин встретился с Ли Шанфу в Москве. "
                     "Le président a reçu le ministre chinois."),
        art("nomodel", "Der Bundeskanzler Olaf Scholz traf am Montag in Berlin den Präsidenten "
                       "Emmanuel Macron. „Wir stehen zusammen“, sagte Scholz.", "de"),
        art("zh", "中国国防部长李尚福4月16日在莫斯科会见了俄罗斯总统普京。双方讨论了军事合作。", "zh"),
        art("mojibake", "PrÃ©sident Ãmmanuel Macron a rencontrÃ© Vladimir Poutine Ã  Moscou.", "fr"),
        art("unknown", "Xq zzv rrt. Blorp Glim vask. 12 34 56.", None),
    ]
    res = enricher.enrich(batch)
    by = {e.article_id: e for e in res.enrichments}
    assert set(by) == {a.id for a in batch}
    assert by["nosent"].sentences == [] and "no sentences found" in by["nosent"].notes
    assert any("enriched the first" in n for n in by["big"].notes)
    assert by["big"].sentences and any(d.date_from.isoformat() == "2023-04-16" for d in by["big"].dates)
    mixed = {m.canonical for m in by["mixed"].mentions}
    assert "Vladimir Putin" in mixed
    de = by["nomodel"]
    assert {"Olaf Scholz", "Berlin"} <= {m.canonical for m in de.mentions}
    assert any(q.speaker and "Scholz" in q.speaker for q in de.quotes)
    zh = by["zh"]
    assert zh.sentences and zh.keywords
    assert any(d.date_from.isoformat() == "2023-04-16" for d in zh.dates)
    assert by["unknown"].notes  # what could not be computed is said
    assert all(isinstance(e.id, str) for e in res.entities)


def test_same_person_across_articles_and_languages(enricher):
    res = enricher.enrich([
        art("a1", "President Vladimir Putin received the minister. Putin praised the drills."),
        art("a2", "Vladimir Poutine a reçu le ministre chinois à Moscou.", "fr"),
        art("a3", "Путин встретился с министром обороны Китая в Москве.", "ru"),
    ])
    ids = {e.article_id: {m.entity_id for m in e.mentions if m.type == "PER"} for e in res.enrichments}
    putin = ids["a1"]
    assert len(putin) == 1
    assert putin <= ids["a2"] and putin <= ids["a3"]
    ent = next(e for e in res.entities if e.id in putin)
    assert ent.name == "Vladimir Putin"
    langs = {lang for ls in ent.variants.values() for lang in ls}
    assert {"en", "fr", "ru"} <= langs
