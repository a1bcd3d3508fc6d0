"""Report sentence vectors: which sentences, embedded once per text, packed for the store,
and reused by a report only while they match the article's sentences."""
from __future__ import annotations

import numpy as np

from newsweave.models import Enrichment, SentenceVectors
from newsweave.stages.sentvec import (embed_sentences, full_matrix, report_sentences,
                                      sentences_key, vectors_for_report)
from newsweave.store.serialize import sentence_vectors_bytes, sentence_vectors_from_bytes

from .test_compare import bow_embed, make


def enrichment(aid: str, sentences: list[str], quotes: list[str] = ()) -> Enrichment:
    return make(aid, sentences, quotes=[(q, None) for q in quotes])[1]


class CountingEmbed:
    def __init__(self) -> None:
        self.texts: list[str] = []

    def __call__(self, texts):
        self.texts += list(texts)
        return bow_embed(texts)


def test_report_sentences_are_the_compared_ones_and_those_holding_quotes():
    e = enrichment("a", ["Floods hit Porto.", "Floods closed the main road on Friday.",
                         "WEATHER", '"Go," he said.', "Two bridges were damaged by the water."],
                   quotes=["Go,"])
    # a heading and fragments are not compared; the short sentence holding a quote is kept
    assert report_sentences(e) == [1, 3, 4]
    assert report_sentences(e, everything=True) == [0, 1, 2, 3, 4]


def test_at_most_forty_sentences_of_an_article_are_embedded():
    e = enrichment("a", [f"Sentence number {i} says something new." for i in range(60)])
    assert report_sentences(e) == list(range(40))


def test_identical_sentences_are_embedded_once_and_rows_follow_sentence_indexes():
    wire = "The agency said the storm would reach the coast on Sunday."
    a = enrichment("a", [wire, "Residents were told to leave their homes."])
    b = enrichment("b", ["Officials opened three shelters near the port.", wire])
    embed = CountingEmbed()
    done = embed_sentences([a, b], embed)
    assert embed.texts.count(wire) == 1 and len(embed.texts) == 3
    assert [sv.indexes for sv in done] == [[0, 1], [0, 1]]
    assert np.allclose(done[0].vectors[0], done[1].vectors[1])
    m = full_matrix(done[1], b)
    assert m.shape == (2, 512) and np.allclose(m[1], bow_embed([wire])[0])
    assert embed_sentences([], embed) == []


def test_pack_round_trip_keeps_cosines():
    rng = np.random.default_rng(1)
    v = rng.normal(size=(5, 512)).astype(np.float32)
    v /= np.linalg.norm(v, axis=1, keepdims=True)
    v[2] = 0.0  # an empty sentence's zero vector stays zero
    sv = SentenceVectors("a", "k", [0, 3, 4, 9, 10], v)
    data = sentence_vectors_bytes(sv)
    assert len(data) == 4 + 5 * 4 + 5 * 4 + 5 * 512
    back = sentence_vectors_from_bytes("a", "k", data)
    assert back.indexes == [0, 3, 4, 9, 10]
    cos = np.sum(back.vectors * v, axis=1)
    assert np.all(cos[[0, 1, 3, 4]] > 0.999) and not back.vectors[2].any()
    try:
        sentence_vectors_from_bytes("a", "k", data[:-3])
    except ValueError as e:
        assert "sentence vectors of a" in str(e)
    else:
        raise AssertionError("a truncated blob must be refused")


def test_stored_vectors_are_used_while_they_match_and_replaced_when_not():
    a = enrichment("a", ["Floods closed the main road on Friday.", "Two bridges were damaged."])
    b = enrichment("b", ["Schools will stay shut until Monday in the town."])
    stored = {sv.article_id: sv for sv in embed_sentences([a, b], bow_embed)}
    embed = CountingEmbed()
    vectors, fresh = vectors_for_report({"a": a, "b": b}, stored, embed)
    assert embed.texts == [] and fresh == []
    assert vectors["a"].shape == (2, 512) and vectors["b"].shape == (1, 512)
    # "b" enriched again (other sentences): its stored vectors no longer match
    b2 = enrichment("b", ["Schools will stay shut until Monday.", "Buses run again from Tuesday."])
    assert sentences_key(b2) != stored["b"].key
    vectors, fresh = vectors_for_report({"a": a, "b": b2}, stored, embed)
    assert [sv.article_id for sv in fresh] == ["b"] and fresh[0].key == sentences_key(b2)
    assert sorted(embed.texts) == sorted(s.text for s in b2.sentences)
    assert vectors["b"].shape == (2, 512)
    # an article without stored vectors is embedded too
    vectors, fresh = vectors_for_report({"a": a}, {}, embed)
    assert [sv.article_id for sv in fresh] == ["a"]
